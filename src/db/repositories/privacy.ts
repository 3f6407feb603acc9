// Residents' rights over their data, at the storage level: read everything held about one Telegram user,
// erase it, and strip personal data from old closed cases. Personal fields stay ciphertext here; the use
// case (src/app/privacy.ts) decrypts. Erasing keeps the anonymised figures of cases (service, department,
// dates, status, priority, rating) and removes or blanks everything that identifies or describes a person.
import type { HeldData, PrivacyStore } from '../../app/privacy.ts';
import type { Db, Prisma } from '../client.ts';
import { fromDate, MEMBER_ORDER, RESIDENT_SELECT, systemTransition } from './shared.ts';

type Tx = Prisma.TransactionClient;

const EMPTY = new Uint8Array(0);
const TERMINAL = ['closed', 'withdrawn'] as const;
const OPEN = ['submitted', 'accepted', 'in_progress', 'waiting_resident'] as const;

/** Blanks the personal content of the given cases; returns how many were changed. */
async function anonymiseCases(tx: Tx, caseIds: string[], now: Date): Promise<number> {
  if (caseIds.length === 0) return 0;
  await tx.caseEvent.updateMany({ where: { caseId: { in: caseIds } }, data: { noteCipher: null } });
  await tx.caseAttachment.deleteMany({ where: { caseId: { in: caseIds } } });
  // Queued messages about these cases may quote them; those already sent are history without content.
  await tx.notification.deleteMany({ where: { caseId: { in: caseIds }, status: 'pending' } });
  await tx.notification.updateMany({ where: { caseId: { in: caseIds } }, data: { payload: {} } });
  const { count } = await tx.case.updateMany({
    where: { id: { in: caseIds } },
    data: {
      residentId: null,
      telegramId: null,
      answersCipher: EMPTY,
      commentCipher: null,
      anonymisedAt: now,
    },
  });
  return count;
}

export function createPrivacyRepository(db: Db): PrivacyStore {
  return {
    async collect(telegramId: number, conversationKey: string): Promise<HeldData> {
      const tid = BigInt(telegramId);
      const [account, resident, cases, notifications, form] = await Promise.all([
        db.telegramUser.findUnique({
          where: { telegramId: tid },
          select: { languageCode: true, locale: true, unreachable: true, firstSeenAt: true },
        }),
        db.resident.findUnique({
          where: { telegramId: tid },
          select: {
            ...RESIDENT_SELECT,
            consentVersion: true,
            consentAt: true,
            createdAt: true,
            household: {
              select: {
                unit: true,
                room: true,
                createdAt: true,
                community: { select: { nameZh: true, nameEn: true } },
                building: { select: { nameZh: true, nameEn: true } },
                members: {
                  select: {
                    id: true,
                    name: true,
                    relation: true,
                    sex: true,
                    birthDate: true,
                    idNumberCipher: true,
                  },
                  orderBy: MEMBER_ORDER,
                },
              },
            },
          },
        }),
        db.case.findMany({
          where: { OR: [{ telegramId: tid }, { resident: { telegramId: tid } }] },
          orderBy: { submittedAt: 'asc' },
          select: {
            id: true,
            number: true,
            serviceCode: true,
            status: true,
            priority: true,
            anonymous: true,
            answersCipher: true,
            submittedAt: true,
            dueAt: true,
            resolvedAt: true,
            closedAt: true,
            rating: true,
            commentCipher: true,
            events: {
              where: { visibleToResident: true },
              orderBy: [{ at: 'asc' }, { id: 'asc' }],
              select: { at: true, kind: true, toStatus: true, noteCipher: true },
            },
            attachments: {
              orderBy: { createdAt: 'asc' },
              select: { kind: true, mimeType: true, sizeBytes: true, createdAt: true },
            },
          },
        }),
        db.notification.findMany({
          where: { telegramId: tid },
          orderBy: { createdAt: 'asc' },
          select: { kind: true, status: true, createdAt: true, sentAt: true },
        }),
        db.conversationState.count({ where: { key: conversationKey } }),
      ]);
      let own: HeldData['resident'] = null;
      let household: HeldData['household'] = null;
      if (resident) {
        const { household: h, ...fields } = resident;
        own = { ...fields, birthDate: fromDate(fields.birthDate) };
        household = { ...h, members: h.members.map((m) => ({ ...m, birthDate: fromDate(m.birthDate) })) };
      }
      return {
        account: account ? { telegramId: String(telegramId), ...account } : null,
        resident: own,
        household,
        cases,
        notifications,
        formInProgress: form > 0,
      };
    },

    /**
     * Erases one person, in one transaction: open cases are withdrawn (nobody could answer them), every
     * case of theirs is anonymised, queued messages to them are dropped, the household file (with its
     * members) and the resident are deleted, then their account row and any half-filled form. The audit
     * log is append-only and keeps an entry of the erasure itself, without personal data.
     */
    async erase(telegramId: number, conversationKey: string, now: Date): Promise<{ cases: number } | null> {
      const tid = BigInt(telegramId);
      return db.$transaction(async (tx) => {
        const account = await tx.telegramUser.findUnique({
          where: { telegramId: tid },
          select: { telegramId: true },
        });
        const resident = await tx.resident.findUnique({
          where: { telegramId: tid },
          select: { id: true, householdId: true },
        });
        if (!account && !resident) return null;
        const cases = await tx.case.findMany({
          where: { OR: [{ telegramId: tid }, ...(resident ? [{ residentId: resident.id }] : [])] },
          select: { id: true, status: true },
        });
        const open = cases.filter((c) => (OPEN as readonly string[]).includes(c.status));
        for (const c of open) {
          await systemTransition(tx, c, {
            to: 'withdrawn',
            kind: 'erased',
            visibleToResident: false,
            data: { closedAt: now },
          });
        }
        const anonymised = await anonymiseCases(
          tx,
          cases.map((c) => c.id),
          now,
        );
        await tx.notification.deleteMany({ where: { telegramId: tid } });
        if (resident) {
          await tx.resident.delete({ where: { id: resident.id } });
          const others = await tx.resident.count({ where: { householdId: resident.householdId } });
          if (others === 0) await tx.household.delete({ where: { id: resident.householdId } });
        }
        await tx.conversationState.deleteMany({ where: { key: conversationKey } });
        await tx.telegramUser.deleteMany({ where: { telegramId: tid } });
        await tx.auditLog.create({
          data: { action: 'personal_data_erased', detail: { cases: anonymised, withdrawn: open.length } },
        });
        return { cases: anonymised };
      });
    },

    /** Audit row for an export: who asked for their own data, and when. */
    async recordExport(telegramId: number): Promise<void> {
      await db.auditLog.create({
        data: { actorTelegramId: BigInt(telegramId), action: 'personal_data_exported' },
      });
    },

    /**
     * Anonymises up to `batch` closed or withdrawn cases that ended before `cutoff` and still hold personal
     * data. Returns how many it changed (0: nothing left).
     */
    async anonymiseClosedBefore(cutoff: Date, now: Date, batch: number): Promise<number> {
      return db.$transaction(async (tx) => {
        const rows = await tx.case.findMany({
          where: {
            status: { in: [...TERMINAL] },
            anonymisedAt: null,
            // closed_at is set by every path that ends a case; updated_at covers a row that lacks it.
            OR: [{ closedAt: { lt: cutoff } }, { closedAt: null, updatedAt: { lt: cutoff } }],
          },
          select: { id: true },
          take: batch,
        });
        return anonymiseCases(
          tx,
          rows.map((r) => r.id),
          now,
        );
      });
    },
  };
}
