// The staff member's desk: who they are, their department's queue, taking a case (the next one, or one
// from its card or a group post), finding a case by its number, canned replies, and being on duty.
import { auditedReference } from '../../domain/abuse-limits.ts';
import { parseCaseNumber } from '../../domain/case-number.ts';
import { fail, ok, type Result } from '../../domain/result.ts';
import { isOverdue, isQueueFilter, QUEUE_PAGE_SIZE, type QueueFilter } from '../../domain/staff-work.ts';
import { type DepartmentStaff, isUuid, type StaffAccess, type StaffDeps, type StaffError } from './access.ts';
import type { StaffCard } from './case-views.ts';
import type { QueueRow } from './ports.ts';

/** A row of the queue: the head of the case's card, and whether anybody holds it. */
export interface QueueItem
  extends Pick<
    StaffCard,
    'id' | 'number' | 'serviceCode' | 'status' | 'priority' | 'dueAt' | 'overdue' | 'mine'
  > {
  assigned: boolean;
}

/** The console's further filters (src/http/console); the bot's queue has only `filter`. */
export interface QueueNarrow {
  urgent?: boolean;
  overdue?: boolean;
  serviceCode?: string;
}

export interface QueuePage {
  filter: QueueFilter;
  narrow: { urgent: boolean; overdue: boolean; serviceCode: string | null };
  page: number;
  pages: number;
  total: number;
  items: QueueItem[];
  department: { code: string; nameZh: string; nameEn: string };
}

/** Tells the resident their case was taken (the repository leaves it out when the case has no Telegram id). */
const CASE_TAKEN_NOTIFICATION = { kind: 'resident.case_taken', payload: {} };

function queueItem(r: QueueRow, me: DepartmentStaff, at: Date): QueueItem {
  return {
    id: r.id,
    number: r.number,
    serviceCode: r.serviceCode,
    status: r.status,
    priority: r.priority,
    dueAt: r.dueAt.toISOString(),
    overdue: isOverdue(r.status, r.dueAt, at),
    mine: r.assigneeId === me.id,
    assigned: r.assigneeId !== null,
  };
}

export function createStaffDesk(deps: StaffDeps, gate: StaffAccess) {
  const { staff, staffCases, cases, now } = deps;
  const { member, deny, auditRefusal, staffMember, ofDepartment, caseOfDepartment, access } = gate;

  return {
    /** The caller's staff membership, or null (not staff, or removed). */
    async whoami(
      telegramId: number,
    ): Promise<{ id: string; departmentCode: string; displayName: string; onDuty: boolean } | null> {
      const me = await member(telegramId);
      return me
        ? {
            id: me.id,
            departmentCode: me.departmentCode,
            displayName: me.displayName,
            onDuty: me.onDuty,
          }
        : null;
    },

    async queue(
      telegramId: number,
      filter: string,
      page: number,
      narrowing: QueueNarrow = {},
      pageSize: number = QUEUE_PAGE_SIZE,
    ): Promise<Result<QueuePage, 'not_found'>> {
      const m = await staffMember(telegramId, 'queue');
      if (!m.ok) return m;
      const me = m.value;
      const { departmentCode } = me;
      const f: QueueFilter = isQueueFilter(filter) ? filter : 'open';
      const safePage = Number.isInteger(page) && page >= 0 && page < 100_000 ? page : 0;
      const size =
        Number.isInteger(pageSize) && pageSize >= 1 && pageSize <= 100 ? pageSize : QUEUE_PAGE_SIZE;
      const at = now();
      // A service code that is not in the catalogue filters nothing (it came from a hand-made address).
      const serviceCode =
        narrowing.serviceCode && deps.catalogue.get(narrowing.serviceCode) ? narrowing.serviceCode : null;
      const narrow = { urgent: narrowing.urgent === true, overdue: narrowing.overdue === true, serviceCode };
      const { rows, total } = await staffCases.queue(departmentCode, f, me.id, safePage, size, {
        urgent: narrow.urgent,
        overdueAt: narrow.overdue ? at : undefined,
        serviceCode: serviceCode ?? undefined,
      });
      return ok({
        filter: f,
        narrow,
        page: safePage,
        pages: Math.max(1, Math.ceil(total / size)),
        total,
        items: rows.map((r) => queueItem(r, me, at)),
        department: (await staff.department(departmentCode)) ?? {
          code: departmentCode,
          nameZh: departmentCode,
          nameEn: departmentCode,
        },
      });
    },

    /**
     * Takes the department's next unassigned case (urgent first, then the earliest due); null: none left.
     * The busiest staff action, so the caller is not looked up first (member()): the repository finds them
     * by the same rule inside the one statement that takes the case, and answers whether it found them.
     */
    async next(telegramId: number): Promise<Result<{ caseId: string; number: string } | null, 'not_found'>> {
      const result = await staffCases.takeNext(telegramId, now(), {
        residentNotification: CASE_TAKEN_NOTIFICATION,
        audit: { actorTelegramId: telegramId, action: 'case.take', detail: { via: 'next' } },
      });
      if (!result) {
        await deny(telegramId, 'next', 'not_staff', null);
        return fail('not_found');
      }
      const { taken } = result;
      return ok(taken ? { caseId: taken.id, number: taken.number } : null);
    },

    async take(
      telegramId: number,
      caseId: string,
      via: 'card' | 'group' | 'console' = 'card',
    ): Promise<Result<{ number: string }, StaffError>> {
      const a = await access(telegramId, caseId, 'take');
      if (!a.ok) return a;
      const { me, record } = a.value;
      if (record.status !== 'submitted' || record.assigneeId !== null) return fail('conflict');
      const taken = await staffCases.takeById(record.id, record.departmentCode, me.id, now(), {
        residentNotification: CASE_TAKEN_NOTIFICATION,
        audit: { actorTelegramId: telegramId, action: 'case.take', detail: { staffId: me.id, via } },
      });
      if (taken === 'not_staff') {
        // Removed between the check above and the take (the take locks the staff row, as /next does).
        await deny(telegramId, 'take', 'not_staff', record.id);
        return fail('not_found');
      }
      return taken === 'conflict' ? fail('conflict') : ok({ number: taken.number });
    },

    /** A case number typed by staff → the case, if it is their department's. */
    async findByNumber(telegramId: number, typed: string): Promise<Result<string, 'not_found'>> {
      const number = parseCaseNumber(typed);
      const record = number ? await cases.findByNumber(number) : null;
      const a = await caseOfDepartment(telegramId, 'open', record, typed);
      return a.ok ? ok(a.value.thing.id) : a;
    },

    async cannedReplies(telegramId: number): Promise<Result<{ id: string; title: string }[], 'not_found'>> {
      const m = await staffMember(telegramId, 'canned');
      if (!m.ok) return m;
      const replies = await staff.cannedReplies(m.value.departmentCode);
      return ok(replies.map(({ id, title }) => ({ id, title })));
    },

    /** A canned reply's text, only from the caller's own department. */
    async cannedReply(telegramId: number, id: string): Promise<Result<string, 'not_found'>> {
      const reply = isUuid(id) ? await staff.cannedReply(id) : null;
      // A reply that does not exist is refused as "other department": the id may be another's.
      const a = await ofDepartment(telegramId, 'canned', reply, {
        missing: 'other_department',
        caseId: null,
        rawRef: { kind: 'canned', raw: id },
      });
      return a.ok ? ok(a.value.thing.text) : a;
    },

    async dutyStatus(telegramId: number): Promise<Result<boolean, 'not_found'>> {
      const m = await staffMember(telegramId, 'duty');
      return m.ok ? ok(m.value.onDuty) : m;
    },

    /** On duty: alerted at once about urgent cases. */
    async setOnDuty(telegramId: number, onDuty: boolean): Promise<Result<boolean, 'not_found'>> {
      const m = await staffMember(telegramId, 'duty');
      if (!m.ok) return m;
      await staff.setOnDuty(m.value.id, onDuty);
      await staff.audit(null, {
        actorTelegramId: telegramId,
        action: 'staff.duty',
        subject: `staff:${m.value.id}`,
        detail: { onDuty },
      });
      return ok(onDuty);
    },

    /**
     * A staff button whose data matches nothing the bot makes (forged, or from an old version): audited by
     * its family and length only (the data is whatever the sender made up), within the per-sender limit.
     */
    async forgedButton(telegramId: number, data: string): Promise<void> {
      const ref = auditedReference('button', data);
      await auditRefusal(null, {
        actorTelegramId: telegramId,
        action: 'access.denied',
        subject: ref.subject,
        detail: { attempted: 'button', reason: 'forged', ...ref.detail },
      });
    },
  };
}
