// The web console's sign-in links and sessions (the port: src/app/console/ports.ts).
import type { ConsoleStore } from '../../app/console/ports.ts';
import type { Db } from '../client.ts';

export function createConsoleRepository(db: Db): ConsoleStore {
  return {
    async addLink(link) {
      await db.consoleLoginLink.create({
        data: {
          tokenHash: new Uint8Array(link.tokenHash),
          telegramId: BigInt(link.telegramId),
          createdAt: link.createdAt,
          expiresAt: link.expiresAt,
        },
      });
    },

    async findLink(tokenHash) {
      return db.consoleLoginLink.findUnique({
        where: { tokenHash: new Uint8Array(tokenHash) },
        select: { telegramId: true, expiresAt: true, usedAt: true },
      });
    },

    async useLink(tokenHash, at) {
      // One statement: of two requests with the same link, only one finds it unused.
      const rows = await db.$queryRaw<{ telegram_id: bigint }[]>`
        update console_login_link set used_at = ${at}
         where token_hash = ${new Uint8Array(tokenHash)} and used_at is null and expires_at > ${at}
        returning telegram_id`;
      return rows[0]?.telegram_id ?? null;
    },

    async addSession(s) {
      await db.consoleSession.create({
        data: {
          idHash: new Uint8Array(s.idHash),
          telegramId: BigInt(s.telegramId),
          createdAt: s.createdAt,
          lastSeenAt: s.createdAt,
          expiresAt: s.expiresAt,
        },
      });
    },

    async findSession(idHash) {
      return db.consoleSession.findUnique({
        where: { idHash: new Uint8Array(idHash) },
        select: { telegramId: true, createdAt: true, lastSeenAt: true, expiresAt: true },
      });
    },

    async touchSession(idHash, at) {
      await db.consoleSession.updateMany({
        where: { idHash: new Uint8Array(idHash) },
        data: { lastSeenAt: at },
      });
    },

    async deleteSession(idHash) {
      const { count } = await db.consoleSession.deleteMany({ where: { idHash: new Uint8Array(idHash) } });
      return count > 0;
    },

    async prune(before) {
      await db.consoleLoginLink.deleteMany({ where: { expiresAt: { lt: before } } });
      await db.consoleSession.deleteMany({ where: { expiresAt: { lt: before } } });
    },

    async anonymousRefusals(since, until) {
      return db.auditLog.count({
        where: { actorTelegramId: null, action: 'access.denied', at: { gte: since, lte: until } },
      });
    },

    async language(telegramId) {
      return db.telegramUser.findUnique({
        where: { telegramId: BigInt(telegramId) },
        select: { locale: true, languageCode: true },
      });
    },

    async setLanguage(telegramId, locale) {
      await db.telegramUser.updateMany({ where: { telegramId: BigInt(telegramId) }, data: { locale } });
    },
  };
}
