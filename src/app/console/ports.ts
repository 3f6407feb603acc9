// The storage the console's sign-in needs (src/db/repositories/console.ts implements it): one-time links,
// sessions, and the person's language. Only keyed hashes of the links' and sessions' secrets cross it.

export interface ConsoleSessionRow {
  telegramId: bigint;
  createdAt: Date;
  lastSeenAt: Date;
  expiresAt: Date;
}

export interface ConsoleStore {
  addLink(link: { tokenHash: Buffer; telegramId: number; createdAt: Date; expiresAt: Date }): Promise<void>;
  /** The link, used or not, expired or not; null when no link has this hash. */
  findLink(tokenHash: Buffer): Promise<{ telegramId: bigint; expiresAt: Date; usedAt: Date | null } | null>;
  /**
   * Marks the link used, in one statement, if it is unused and not expired at `at`: the person's Telegram id,
   * or null (already used, expired, or unknown). Two requests racing with one link: one wins.
   */
  useLink(tokenHash: Buffer, at: Date): Promise<bigint | null>;
  addSession(session: {
    idHash: Buffer;
    telegramId: number;
    createdAt: Date;
    expiresAt: Date;
  }): Promise<void>;
  findSession(idHash: Buffer): Promise<ConsoleSessionRow | null>;
  touchSession(idHash: Buffer, at: Date): Promise<void>;
  /** Ends one session; whether there was one. */
  deleteSession(idHash: Buffer): Promise<boolean>;
  /** Removes links and sessions that ended before `before`. */
  prune(before: Date): Promise<void>;
  /** Refusal audit rows without a person (unknown links, forms from elsewhere) from `since` to `until`. */
  anonymousRefusals(since: Date, until: Date): Promise<number>;
  /** The language the person chose in the bot (or null), and their Telegram app's language code. */
  language(telegramId: number): Promise<{ locale: string | null; languageCode: string | null } | null>;
  /** Stores the person's language (the bot's too: it is one setting). */
  setLanguage(telegramId: number, locale: string): Promise<void>;
}
