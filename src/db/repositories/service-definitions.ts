// Every version of every service definition loaded (service_definition): written at each load, read back so
// that a case filed under an earlier version, or under a service whose file is gone, is read with its own.
import type { Db } from '../client.ts';
import type { Prisma } from '../generated/client.ts';

export interface StoredDefinition {
  code: string;
  hash: string;
  version: number;
  definition: unknown;
}

export function createServiceDefinitionRepository(db: Db) {
  return {
    /** Keeps these versions (a version already kept stays as it was first loaded). */
    async record(defs: readonly StoredDefinition[]): Promise<void> {
      await db.serviceDefinition.createMany({
        data: defs.map((d) => ({
          code: d.code,
          hash: d.hash,
          version: d.version,
          definition: d.definition as Prisma.InputJsonValue,
        })),
        skipDuplicates: true,
      });
    },
    /** Every version kept, oldest first. */
    async all(): Promise<StoredDefinition[]> {
      return db.serviceDefinition.findMany({
        orderBy: [{ firstLoadedAt: 'asc' }, { version: 'asc' }],
        select: { code: true, hash: true, version: true, definition: true },
      });
    },
  };
}
