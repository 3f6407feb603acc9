// Registration conflicts (src/app/registration-conflicts.ts): the second registration of an ID number,
// encrypted, until an administrator resolves it after the window's ID-card check.
import type { NewAudit, NewNotification } from '../../app/case-store.ts';
import type { ConflictRecord, ConflictStore } from '../../app/registration-conflicts.ts';
import type { Db } from '../client.ts';
import { writeAudit, writeNotifications } from './cases.ts';
import { bytes } from './shared.ts';

const SELECT = {
  id: true,
  createdAt: true,
  telegramId: true,
  idNumberHash: true,
  communityCode: true,
  registrationCipher: true,
} as const;

export function createRegistrationConflictRepository(db: Db): ConflictStore {
  return {
    async list(limit: number): Promise<ConflictRecord[]> {
      return db.registrationConflict.findMany({ select: SELECT, orderBy: { createdAt: 'asc' }, take: limit });
    },

    async byId(id: string): Promise<ConflictRecord | null> {
      return db.registrationConflict.findUnique({ where: { id }, select: SELECT });
    },

    async holderOf(idNumberHashes: Uint8Array[]): Promise<bigint | null> {
      const r = await db.resident.findFirst({
        where: { idNumberHash: { in: idNumberHashes.map(bytes) } },
        select: { telegramId: true },
      });
      return r?.telegramId ?? null;
    },

    async windowHolderOf(idNumberHashes: Uint8Array[]): Promise<string | null> {
      const r = await db.resident.findFirst({
        where: { idNumberHash: { in: idNumberHashes.map(bytes) }, telegramId: null },
        select: { id: true },
      });
      return r?.id ?? null;
    },

    async close(id: string, audit: NewAudit, notifications: NewNotification[]): Promise<boolean> {
      return db.$transaction(async (tx) => {
        const { count } = await tx.registrationConflict.deleteMany({ where: { id } });
        if (count !== 1) return false;
        await writeNotifications(tx, null, notifications);
        await writeAudit(tx, null, audit);
        return true;
      });
    },

    async audit(audit: NewAudit): Promise<void> {
      await db.$transaction((tx) => writeAudit(tx, null, audit));
    },
  };
}
