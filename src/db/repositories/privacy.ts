// Residents' rights over their data, at the storage level: read everything held about one Telegram user,
// erase it, and strip personal data from old closed cases. Personal fields stay ciphertext here; the use
// case (src/app/privacy.ts) decrypts. Erasing keeps the anonymised figures of cases (service, department,
// dates, status, priority, rating) and removes or blanks everything that identifies or describes a person.
// test/integration/erasure-complete.test.ts searches every table of the schema for a person after each of
// these: a new table that holds them fails it until this file covers the table.
import { type AuditFigures, formDraftKeyOf, type HeldData, type PrivacyStore } from '../../app/privacy.ts';
import type { Db, Prisma } from '../client.ts';
import { fromDate, MEMBER_ORDER, MEMBER_SELECT, RESIDENT_SELECT, systemTransition } from './shared.ts';

type Tx = Prisma.TransactionClient;

const EMPTY = new Uint8Array(0);
const TERMINAL = ['closed', 'withdrawn'] as const;
const OPEN = ['submitted', 'accepted', 'in_progress', 'waiting_resident'] as const;

/**
 * Unlinks the given cases from their person and blanks their content; returns how many were changed. What
 * stays is the figures the README promises (service, department, dates, status, priority, rating) and who
 * among staff did what.
 * - the case: resident, Telegram id, answers and rating comment blank; its submission key (it holds the chat
 *   id, which is the Telegram id) becomes one made of the case's own id;
 * - its events: notes blank, the resident's own events lose the resident id (staff ids stay);
 * - its files are deleted, and the jobs recommended on it;
 * - messages: queued ones are dropped, those to the person deleted, the rest (to staff) lose their content;
 * - the audit log's rows about it are redacted (the one change its trigger allows): the person's Telegram id
 *   as actor is blanked, `resident:<uuid>` and `member:<uuid>` subjects lose their ids.
 */
async function anonymiseCases(tx: Tx, caseIds: string[], now: Date): Promise<number> {
  if (caseIds.length === 0) return 0;
  await tx.$executeRaw`
    update audit_log a
       set subject = audit_log_redacted_subject(a.subject),
           actor_telegram_id = case when a.actor_telegram_id = c.telegram_id then null
                                    else a.actor_telegram_id end
      from "case" c
     where c.id = any(${caseIds}::uuid[]) and a.case_id = c.id
       and (a.subject is distinct from audit_log_redacted_subject(a.subject)
            or a.actor_telegram_id = c.telegram_id)`;
  await tx.$executeRaw`
    delete from notification n using "case" c
     where c.id = any(${caseIds}::uuid[]) and n.case_id = c.id
       and (n.status = 'pending' or n.telegram_id = c.telegram_id)`;
  await tx.notification.updateMany({ where: { caseId: { in: caseIds } }, data: { payload: {} } });
  await tx.caseEvent.updateMany({ where: { caseId: { in: caseIds } }, data: { noteCipher: null } });
  await tx.caseEvent.updateMany({
    where: { caseId: { in: caseIds }, actorKind: 'resident' },
    data: { actorId: null },
  });
  await tx.caseAttachment.deleteMany({ where: { caseId: { in: caseIds } } });
  // The jobs recommended to them (and which interested them) say who looked for work where.
  await tx.jobRecommendation.deleteMany({ where: { caseId: { in: caseIds } } });
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
  await tx.$executeRaw`
    update "case" set submission_key = 'anonymised:' || id::text where id = any(${caseIds}::uuid[])`;
  return count;
}

/** Audit actions that record a look at a case or at personal data. */
const VIEW_ACTIONS = ['case.view', 'pii.view'];

/**
 * The audit rows about one person, as the copy lists them (staff named when known): what they did
 * themselves (their copies, refused attempts), every look at their cases and their personal data, and the
 * exports of cases with personal data whose period holds one of their cases.
 */
async function auditAbout(
  db: Db,
  telegramId: bigint,
  cases: { id: string; number: string }[],
  /** The person's resident id and their household members' ids (rows outside cases name them). */
  people: string[] = [],
): Promise<AuditFigures<Date>[]> {
  const caseIds = cases.map((c) => c.id);
  const named = people.map((id) => `%:${id}%`);
  const rows = await db.$queryRaw<
    {
      id: bigint;
      at: Date;
      action: string;
      case_id: string | null;
      actor_telegram_id: bigint | null;
      subject: string | null;
      detail: unknown;
    }[]
  >`
    -- Three look-ups, each on an index of its own (actor, case, time), and the console's looks at the
    -- household (a scan of the rows without a case), then merged.
    select a.id, a.at, a.action, a.case_id, a.actor_telegram_id, a.subject, a.detail
      from audit_log a where a.actor_telegram_id = ${telegramId}
    union
    -- looks at their cases and personal data (what staff did with the cases is in the cases' history)
    select a.id, a.at, a.action, a.case_id, a.actor_telegram_id, a.subject, a.detail
      from audit_log a
     where a.case_id = any(${caseIds}::uuid[])
       and (a.action = any(${VIEW_ACTIONS}::text[]) or a.subject like '%resident:%')
    union
    -- looks at their household's file in the web console (no case): rows naming them or their family
    select a.id, a.at, a.action, a.case_id, a.actor_telegram_id, a.subject, a.detail
      from audit_log a
     where a.case_id is null and cardinality(${named}::text[]) > 0 and a.subject like any(${named}::text[])
    union
    -- exports of cases with personal data whose period holds one of theirs (case times are UTC)
    select a.id, a.at, a.action, a.case_id, a.actor_telegram_id, a.subject, a.detail
      from audit_log a
     where a.at >= (select min(submitted_at) from "case" where id = any(${caseIds}::uuid[]))
       and a.action = 'pii.export'
       and exists (
             select 1 from "case" c
              where c.id = any(${caseIds}::uuid[])
                and c.submitted_at >= ((a.detail->>'from')::timestamptz at time zone 'UTC')
                and c.submitted_at < ((a.detail->>'to')::timestamptz at time zone 'UTC'))
     order by at, id`;
  const staffIdOf = (detail: unknown) => {
    const id = (detail as { staffId?: unknown } | null)?.staffId;
    return typeof id === 'string' ? id : null;
  };
  const staffIds = [...new Set(rows.map((r) => staffIdOf(r.detail)).filter((id) => id !== null))];
  const actorIds = [
    ...new Set(rows.map((r) => r.actor_telegram_id).filter((id): id is bigint => id !== null)),
  ];
  const staff = await db.staffMember.findMany({
    where: { OR: [{ id: { in: staffIds } }, { telegramId: { in: actorIds } }] },
    orderBy: { createdAt: 'asc' },
    select: { id: true, telegramId: true, displayName: true },
  });
  const byId = new Map(staff.map((m) => [m.id, m.displayName]));
  const byTelegramId = new Map(staff.map((m) => [m.telegramId, m.displayName]));
  const numberOf = new Map(cases.map((c) => [c.id, c.number]));
  return rows.map((r) => {
    const staffId = staffIdOf(r.detail);
    const you = r.actor_telegram_id === telegramId;
    const staffName = you
      ? null
      : ((staffId ? byId.get(staffId) : undefined) ??
        (r.actor_telegram_id !== null ? byTelegramId.get(r.actor_telegram_id) : undefined) ??
        null);
    const fields = (r.detail as { fields?: unknown } | null)?.fields;
    return {
      at: r.at,
      action: r.action,
      caseNumber: r.case_id ? (numberOf.get(r.case_id) ?? null) : null,
      by: you ? 'you' : staffId || r.actor_telegram_id !== null ? 'staff' : 'system',
      staffName,
      fields: Array.isArray(fields)
        ? fields.filter((f): f is string => typeof f === 'string')
        : r.subject === 'attachments'
          ? ['attachments']
          : [],
    };
  });
}

/**
 * /deleteme's erasure (a Telegram user: `telegramId`), or a resident's registered at the window without
 * Telegram (`residentId`): the Telegram-side rows only exist for the former.
 */
async function eraseWithin(
  tx: Tx,
  who: { telegramId: bigint; conversationKey: string } | { residentId: string },
  now: Date,
): Promise<{ cases: number } | null> {
  const tid = 'telegramId' in who ? who.telegramId : null;
  const account =
    tid === null
      ? null
      : await tx.telegramUser.findUnique({
          where: { telegramId: tid },
          select: { telegramId: true },
        });
  const resident = await tx.resident.findFirst({
    where: 'residentId' in who ? { id: who.residentId, telegramId: null } : { telegramId: who.telegramId },
    select: { id: true, householdId: true },
  });
  if (!account && !resident) return null;
  const cases = await tx.case.findMany({
    where: {
      OR: [
        ...(tid === null ? [] : [{ telegramId: tid }]),
        ...(resident ? [{ residentId: resident.id }] : []),
      ],
    },
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
  if (tid !== null) await tx.notification.deleteMany({ where: { telegramId: tid } });
  const goneMembers: string[] = [];
  if (resident) {
    await tx.resident.delete({ where: { id: resident.id } });
    const others = await tx.resident.count({ where: { householdId: resident.householdId } });
    if (others === 0) {
      const members = await tx.householdMember.findMany({
        where: { householdId: resident.householdId },
        select: { id: true },
      });
      goneMembers.push(...members.map((m) => m.id));
      await tx.household.delete({ where: { id: resident.householdId } });
    }
  }
  if ('telegramId' in who) await eraseAccount(tx, who.telegramId, who.conversationKey);
  // Rows about them outside their cases (the console's household files): `resident:<id>`, and the
  // members' ids when the household went with them, lose their ids (the redaction the trigger allows).
  if (resident) {
    const ids = [resident.id, ...goneMembers].map((id) => `%:${id}%`);
    await tx.$executeRaw`
      update audit_log set subject = audit_log_redacted_subject(subject)
       where case_id is null and subject like any(${ids}::text[])
         and subject is distinct from audit_log_redacted_subject(subject)`;
  }
  await tx.auditLog.create({
    data: { action: 'personal_data_erased', detail: { cases: anonymised, withdrawn: open.length } },
  });
  return { cases: anonymised };
}

/** The Telegram account's own rows in an erasure: its conflict, forms, notices, receipts, audit actor. */
async function eraseAccount(tx: Tx, tid: bigint, conversationKey: string): Promise<void> {
  await tx.registrationConflict.deleteMany({ where: { telegramId: tid } });
  await tx.conversationState.deleteMany({
    where: { key: { in: [conversationKey, formDraftKeyOf(conversationKey)] } },
  });
  await tx.telegramUser.deleteMany({ where: { telegramId: tid } });
  await tx.noticeDelivery.deleteMany({ where: { telegramId: tid } });
  await tx.noticePreference.deleteMany({ where: { telegramId: tid } });
  await tx.$executeRaw`update audit_log set actor_telegram_id = null where actor_telegram_id = ${tid}`;
  await tx.updateReceipt.updateMany({
    where: {
      OR: [{ sender: tid }, { chatKey: String(tid) }],
      finishedAt: { not: null },
    },
    data: { sender: null, chatKey: null, lang: null },
  });
  await tx.chatLease.deleteMany({ where: { chatKey: String(tid), token: null } });
}

export function createPrivacyRepository(db: Db): PrivacyStore {
  return {
    async collect(telegramId: number, conversationKey: string): Promise<HeldData> {
      const tid = BigInt(telegramId);
      const [account, resident, cases, notifications, form, draft, deliveries, preference, conflict] =
        await Promise.all([
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
                    select: MEMBER_SELECT,
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
              jobOffers: {
                orderBy: { position: 'asc' },
                select: { id: true, position: true, jobCipher: true, interestedAt: true },
              },
            },
          }),
          db.notification.findMany({
            where: { telegramId: tid },
            orderBy: { createdAt: 'asc' },
            select: { kind: true, status: true, createdAt: true, sentAt: true },
          }),
          db.conversationState.count({ where: { key: conversationKey } }),
          db.conversationState.count({ where: { key: formDraftKeyOf(conversationKey) } }),
          db.noticeDelivery.findMany({
            where: { telegramId: tid },
            orderBy: { notice: { scheduledAt: 'asc' } },
            select: {
              locale: true,
              status: true,
              sentAt: true,
              readAt: true,
              notice: { select: { scheduledAt: true, important: true, textZh: true, textEn: true } },
            },
          }),
          db.noticePreference.findUnique({ where: { telegramId: tid }, select: { mutedAt: true } }),
          db.registrationConflict.findUnique({
            where: { telegramId: tid },
            select: { createdAt: true, registrationCipher: true },
          }),
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
        cases: cases.map(({ jobOffers, ...c }) => ({ ...c, jobs: jobOffers })),
        notifications,
        notices: deliveries.map((d) => ({
          at: d.notice.scheduledAt,
          important: d.notice.important,
          text: (d.locale === 'en' ? d.notice.textEn : d.notice.textZh) ?? d.notice.textZh ?? d.notice.textEn,
          status: d.status,
          sentAt: d.sentAt,
          readAt: d.readAt,
        })),
        noticesMutedAt: preference?.mutedAt ?? null,
        pendingRegistration: conflict
          ? { submittedAt: conflict.createdAt, registrationCipher: conflict.registrationCipher }
          : null,
        audit: await auditAbout(
          db,
          tid,
          cases,
          resident ? [resident.id, ...resident.household.members.map((m) => m.id)] : [],
        ),
        formInProgress: form > 0,
        formDraftKept: draft > 0,
      };
    },

    /**
     * Erases one person, in one transaction: open cases are withdrawn (nobody could answer them), every
     * case of theirs is anonymised (anonymiseCases), queued messages to them are dropped, the household file
     * (with its members) and the resident are deleted, then their account row, any half-filled form, the
     * notices sent to them (with their reads) and their notice setting. The audit log keeps its rows, but
     * those the person did lose their Telegram id (the redaction its trigger allows), and it gains an entry
     * of the erasure itself, without personal data. Update receipts of their chat that are finished lose
     * the sender and chat; the receipt of the update that asked for the erasure is finished after it, and
     * is swept with the others after two days (src/app/jobs/housekeeping.ts).
     */
    async erase(telegramId: number, conversationKey: string, now: Date): Promise<{ cases: number } | null> {
      return db.$transaction((tx) =>
        eraseWithin(tx, { telegramId: BigInt(telegramId), conversationKey }, now),
      );
    },

    async eraseWithoutTelegram(residentId: string, now: Date): Promise<{ cases: number } | null> {
      return db.$transaction((tx) => eraseWithin(tx, { residentId }, now));
    },

    /** Audit row for an export: who asked for their own data, and when. */
    async recordExport(telegramId: number): Promise<AuditFigures<Date>> {
      const row = await db.auditLog.create({
        data: { actorTelegramId: BigInt(telegramId), action: 'personal_data_exported' },
        select: { at: true, action: true },
      });
      return { ...row, caseNumber: null, by: 'you', staffName: null, fields: [] };
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
