import type { Db } from '../client.ts';

export interface TelegramUserState {
  locale: string | null;
  registered: boolean;
}

export function createTelegramUserRepository(db: Db) {
  return {
    /** Records that this user wrote to us (once per update) and returns what the bot needs to answer them. */
    async touch(
      telegramId: number,
      chatId: number,
      languageCode: string | undefined,
    ): Promise<TelegramUserState> {
      const row = await db.telegramUser.upsert({
        where: { telegramId: BigInt(telegramId) },
        create: {
          telegramId: BigInt(telegramId),
          chatId: BigInt(chatId),
          languageCode: languageCode ?? null,
        },
        update: { chatId: BigInt(chatId), languageCode: languageCode ?? null, unreachable: false },
        select: { locale: true, resident: { select: { id: true } } },
      });
      return { locale: row.locale, registered: row.resident !== null };
    },

    async setLocale(telegramId: number, locale: string): Promise<void> {
      await db.telegramUser.update({ where: { telegramId: BigInt(telegramId) }, data: { locale } });
    },
  };
}

export type TelegramUserRepository = ReturnType<typeof createTelegramUserRepository>;
