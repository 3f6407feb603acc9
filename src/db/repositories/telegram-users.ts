import type { TelegramUserState, UserStore } from '../../bot/context.ts';
import type { Db } from '../client.ts';

export function createTelegramUserRepository(db: Db): UserStore {
  return {
    /**
     * Records that this user wrote to us (once per update) and returns what the bot needs to answer them.
     * One statement: it runs before every update, and Prisma's upsert with the resident relation selected
     * took six round trips (a transaction, a look-up, the update, two reads) — the largest single cost per
     * update in the form benchmark (BENCHMARKS.md). Times are UTC, as Prisma writes them.
     */
    async touch(
      telegramId: number,
      chatId: number,
      languageCode: string | undefined,
    ): Promise<TelegramUserState> {
      const rows = await db.$queryRawUnsafe<{ locale: string | null; registered: boolean }[]>(
        `insert into telegram_user (telegram_id, chat_id, language_code, unreachable, first_seen_at, updated_at)
         values ($1, $2, $3, false, now() at time zone 'utc', now() at time zone 'utc')
         on conflict (telegram_id) do update
            set chat_id = excluded.chat_id, language_code = excluded.language_code, unreachable = false,
                updated_at = excluded.updated_at
         returning locale,
                   exists (select 1 from resident r where r.telegram_id = telegram_user.telegram_id) as registered`,
        BigInt(telegramId),
        BigInt(chatId),
        languageCode ?? null,
      );
      const row = rows[0];
      if (!row) throw new Error('telegram_user upsert returned no row');
      return { locale: row.locale, registered: row.registered };
    },

    async setLocale(telegramId: number, locale: string): Promise<void> {
      await db.telegramUser.update({ where: { telegramId: BigInt(telegramId) }, data: { locale } });
    },
  };
}
