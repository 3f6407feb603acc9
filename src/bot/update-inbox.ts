// The update gate's port: the inbox of Telegram updates and the chat leases, as update-gate.ts uses them
// (the mechanism, and why this one: update-gate.ts; the storage: src/db/repositories/update-receipts.ts).
// Declared here, beside the gate, because the gate is Telegram glue that needs storage of its own.
import type { TelegramUserState } from './context.ts';

/** One update to write to the inbox. */
export interface InboxEntry {
  updateId: number;
  /** The chat whose order it keeps (sequenceKey); a key of its own when it has neither chat nor sender. */
  chatKey: string;
  /** The sender of an update in a private chat (their record is touched, their form state read, at the claim). */
  sender: number | null;
  lang: string | null;
  /** The update, encrypted. */
  payload: Uint8Array;
  /** Tried as the chat's lease token when nobody holds the chat; null: only knock. */
  token: string | null;
}

export interface EnqueueRow {
  updateId: number;
  /** Written now (false: a copy of an update written before). */
  fresh: boolean;
  /** For a copy: the status it had (done and set_aside mean finished). */
  status: string | null;
  /** Who holds the update's chat after this statement (the entry's own token when it took the chat). */
  holder: string | null;
  /**
   * Set when the statement also claimed it: it took the chat, and nothing of the chat was open before it (the
   * first new update of each chat it took; the sender touched and the form state read with it).
   */
  claim?: Extract<ChatClaim, { kind: 'claimed' }>;
}

export type ChatClaim =
  /** The chat is held by someone else (or the lease was lost). */
  | { kind: 'lost' }
  /** Held, and nothing open: give it up with `knocks` (release). */
  | { kind: 'empty'; knocks: string }
  | {
      kind: 'claimed';
      knocks: string;
      updateId: number;
      /** Counts every claim of this update so far, this one included. */
      attempt: number;
      payload: Uint8Array | null;
      /** The sender's record, touched in the same statement (an update of a private chat). */
      user?: TelegramUserState;
      /** The private chat's form state (ciphertext; null: none), read in the same statement. */
      state?: Uint8Array | null;
    };

/** A conversation state change to write with the update's outcome: ciphertext, or null to delete the row. */
export interface StateWrite {
  key: string;
  data: Uint8Array | null;
}

/** The storage the update gate needs (src/db/repositories/update-receipts.ts implements it). */
export interface UpdateInbox {
  enqueue(botId: number, entries: InboxEntry[], leaseMs: number): Promise<EnqueueRow[]>;
  claimNext(botId: number, chatKey: string, token: string, leaseMs: number): Promise<ChatClaim>;
  finish(
    botId: number,
    update: { updateId: number; chatKey: string },
    token: string,
    status: 'done' | 'set_aside',
    knocks: string,
    state?: StateWrite,
  ): Promise<{ finished: boolean; released: boolean }>;
  fail(botId: number, updateId: number, token: string, state?: StateWrite): Promise<void>;
  /** Gives the chat up: with `knocks`, only if nothing knocked since and nothing is open; without, at once. */
  release(botId: number, chatKey: string, token: string, knocks?: string): Promise<boolean>;
  renew(botId: number, chatKey: string, token: string, leaseMs: number): Promise<boolean>;
  /** Chats with open updates that nobody holds (a dead holder's, after its lease): up to `limit`. */
  orphans(botId: number, limit: number): Promise<string[]>;
  /** Every lease of the bot given up at once: a poller at start (it is the only consumer there is). */
  releaseAll(botId: number): Promise<number>;
}
