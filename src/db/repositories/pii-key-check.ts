// The key check's table (pii_key_check) and the few reads the start-up check needs (src/app/pii-key-check.ts).
import type { KeyCheckRow, PiiKeyCheckStore } from '../../app/pii-key-check.ts';
import type { Db } from '../client.ts';

const bytes = (b: Uint8Array) => new Uint8Array(b);

export function createPiiKeyCheckRepository(db: Db): PiiKeyCheckStore {
  return {
    async checks(): Promise<KeyCheckRow[]> {
      return db.piiKeyCheck.findMany({
        select: { keyId: true, checkValue: true },
        orderBy: { createdAt: 'asc' },
      });
    },

    async addChecks(rows: KeyCheckRow[]): Promise<void> {
      await db.piiKeyCheck.createMany({
        data: rows.map((r) => ({ keyId: r.keyId, checkValue: bytes(r.checkValue) })),
        skipDuplicates: true,
      });
    },

    async sampleResident() {
      return db.resident.findFirst({
        select: { id: true, idNumberCipher: true },
        orderBy: { createdAt: 'asc' },
      });
    },

    async unsealedComments(limit: number) {
      return db.$queryRaw<{ caseId: string; commentCipher: Uint8Array }[]>`
        select id::text as "caseId", rating_comment_cipher as "commentCipher" from "case"
         where substring(rating_comment_cipher from 1 for 1) = decode('00', 'hex') limit ${limit}`;
    },

    async sealComment(caseId: string, unsealed: Uint8Array, sealed: Uint8Array): Promise<void> {
      await db.$executeRaw`
        update "case" set rating_comment_cipher = ${bytes(sealed)}
         where id = ${caseId}::uuid and rating_comment_cipher = ${bytes(unsealed)}`;
    },
  };
}
