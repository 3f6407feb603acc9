// The resident's side of a case: submit a request from the catalogue, list and open their cases, withdraw,
// answer a request for more information, rate, reopen. Every look-up checks that the case is the asking
// resident's own; anything else is 'not_found', the same answer a case that does not exist gets.
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { MAX_OPEN_CASES_PER_SERVICE, MAX_URGENT_CASES_PER_DAY } from '../domain/abuse-limits.ts';
import { beijingDate, beijingDateString, beijingInstant } from '../domain/beijing-time.ts';
import { parseCaseNumber } from '../domain/case-number.ts';
import { answersValid, caseDueAt } from '../domain/case-rules.ts';
import { type CaseStatus, canReopen, isOpen, nextStatus } from '../domain/case-status.ts';
import type { Catalogue, FileRef, ServiceAnswers, ServiceDefinition } from '../domain/catalogue/index.ts';
import { anyFileTooLarge } from '../domain/file-size.ts';
import { maskIdNumber, maskPhone } from '../domain/mask.ts';
import { fail, ok, type Result } from '../domain/result.ts';
import {
  answerAttachments,
  answersSchema,
  fileRefSchema,
  householdPeople,
  newAttachment,
} from './case-answers.ts';
import type { CaseRecord, CaseStore, NewNotification, RoutingLookup, TransitionInput } from './case-store.ts';
import type { HouseholdRecord } from './households.ts';
import { type PiiCipher, piiAt } from './pii-cipher.ts';

export { visibleSteps } from '../domain/case-rules.ts';
export { describeAnswers, householdPeople } from './case-answers.ts';
export type { NewAttachment, NewEvent, NewNotification, RoutingLookup } from './case-store.ts';

export const MY_CASES_PAGE_SIZE = 5;
/** The answer of a phone step meaning "the number in my household file". */
export const REGISTERED_PHONE = 'registered';

export interface CasesDeps {
  catalogue: Catalogue;
  households: { findByTelegramId(telegramId: number): Promise<HouseholdRecord | null> };
  routing: RoutingLookup;
  cases: Omit<CaseStore, 'attachments'>;
  cipher: PiiCipher;
  now: () => Date;
}

/**
 * too_many_open: MAX_OPEN_CASES_PER_SERVICE open cases of this service already; too_many_urgent:
 * MAX_URGENT_CASES_PER_DAY urgent cases today already (src/domain/abuse-limits.ts).
 */
export type SubmitError =
  | 'not_registered'
  | 'unknown_service'
  | 'no_department'
  | 'invalid'
  | 'too_many_open'
  | 'too_many_urgent';

export interface SubmitResult {
  caseId: string;
  number: string;
  dueAt: string;
  priority: 'normal' | 'urgent';
  created: boolean;
  /** The green-channel card to show at the hospital. */
  card: { patientName: string; idNumberMasked: string | null; hospital: string; date: string } | null;
}

export interface MyCaseView {
  id: string;
  number: string;
  serviceCode: string;
  status: CaseStatus;
  priority: 'normal' | 'urgent';
  submittedAt: string;
  dueAt: string;
  rating: number | null;
  history: { at: string; kind: string; toStatus: CaseStatus | null; note: string | null }[];
  can: { withdraw: boolean; answer: boolean; rate: boolean; reopen: boolean; addDocuments: boolean };
}

export type CaseActionError = 'not_registered' | 'not_found' | 'not_allowed' | 'invalid';

/** A page of the resident's own cases, newest first. */
export interface MyCasesPage {
  page: number;
  pages: number;
  total: number;
  items: {
    id: string;
    number: string;
    serviceCode: string;
    status: CaseStatus;
    submittedAt: string;
    dueAt: string;
  }[];
}

export function createCaseService(deps: CasesDeps) {
  const { catalogue, households, routing, cases, cipher, now } = deps;

  /** The green-channel card: the patient's name and masked ID, the hospital, the date. */
  function card(
    service: ServiceDefinition,
    answers: ServiceAnswers,
    h: HouseholdRecord,
    submittedAt: Date,
  ): SubmitResult['card'] {
    if (!service.confirmationCard) return null;
    const patientId = answers.patient?.value;
    const member = h.members.find((m) => m.id === patientId);
    const idCipher =
      patientId === h.resident.id ? h.resident.idNumberCipher : (member?.idNumberCipher ?? null);
    const idAt =
      patientId === h.resident.id
        ? piiAt.residentIdNumber(h.resident.id)
        : piiAt.memberIdNumber(member?.id ?? '');
    return {
      patientName: patientId === h.resident.id ? h.resident.name : (member?.name ?? ''),
      idNumberMasked: idCipher ? maskIdNumber(cipher.decrypt(idCipher, idAt)) : null,
      hospital: answers.hospital?.label ?? '',
      date: beijingDateString(submittedAt),
    };
  }

  type Own = { record: CaseRecord; household: HouseholdRecord };

  async function ownCase(telegramId: number, caseId: string): Promise<Result<Own, CaseActionError>> {
    const household = await households.findByTelegramId(telegramId);
    if (!household) return fail('not_registered');
    if (!z.uuid().safeParse(caseId).success) return fail('not_found');
    const record = await cases.findById(caseId);
    if (!record || record.residentId !== household.resident.id) return fail('not_found');
    return ok({ record, household });
  }

  async function assigneeNotification(record: CaseRecord, kind: string): Promise<NewNotification[]> {
    if (!record.assigneeId) return [];
    const telegramId = await routing.staffTelegramId(record.assigneeId);
    return telegramId ? [{ telegramId, kind, payload: { caseId: record.id } }] : [];
  }

  /**
   * The resident moves their own case: the event is theirs, its assignee (if any) hears of it as
   * `notify`. 'not_allowed' when the case moved meanwhile.
   */
  async function residentChange(
    own: Own,
    change: Pick<TransitionInput, 'from' | 'to' | 'patch' | 'attachments'> & {
      event: string;
      note?: string | null;
      notify: string;
    },
  ): Promise<Result<null, CaseActionError>> {
    const { record } = own;
    const outcome = await cases.transition({
      caseId: record.id,
      from: change.from,
      to: change.to,
      patch: change.patch,
      event: {
        actorKind: 'resident',
        actorId: own.household.resident.id,
        kind: change.event,
        noteCipher: change.note ? cipher.encrypt(change.note, piiAt.caseEventNote(record.id)) : null,
      },
      attachments: change.attachments,
      notifications: await assigneeNotification(record, change.notify),
    });
    return outcome === 'ok' ? ok(null) : fail('not_allowed');
  }

  const noteSchema = z.string().trim().min(1).max(2000);

  return {
    async submit(
      telegramId: number,
      serviceCode: string,
      rawAnswers: unknown,
      submissionKey: string,
    ): Promise<Result<SubmitResult, SubmitError>> {
      const household = await households.findByTelegramId(telegramId);
      if (!household) return fail('not_registered');
      const service = catalogue.get(serviceCode);
      if (!service) return fail('unknown_service');
      const parsed = answersSchema.safeParse(rawAnswers);
      if (!parsed.success || !/^[\w:.-]{8,128}$/.test(submissionKey)) return fail('invalid');
      const answers = parsed.data as ServiceAnswers;
      // "Use my registered number": the front end never holds the number in clear.
      for (const step of service.steps) {
        if (step.kind === 'phone' && answers[step.id]?.value === REGISTERED_PHONE) {
          const phone = cipher.decrypt(
            household.resident.phoneCipher,
            piiAt.residentPhone(household.resident.id),
          );
          answers[step.id] = { value: phone, label: maskPhone(phone) };
        }
      }
      const today = now();
      const district = household.community.districtCode;
      const valid = await answersValid(
        service,
        { answers, today, people: householdPeople(household) },
        {
          hospitals: () => routing.hospitals(district),
          schools: (stage) => routing.schools(district, stage),
        },
      );
      if (!valid) return fail('invalid');
      const department = await routing.department(district, service.departmentKind);
      if (!department) return fail('no_department');
      const priority = service.urgency?.(answers) ?? 'normal';
      const due = caseDueAt(service, priority, today, { exceptions: await routing.calendarExceptions() });
      const alerts =
        priority === 'urgent'
          ? (await routing.onDutyStaff(department.code)).map((id) => ({
              telegramId: id,
              kind: 'staff.urgent_case',
              payload: { serviceCode },
            }))
          : [];
      const caseId = randomUUID();
      const created = await cases.createWithinLimits(
        {
          id: caseId,
          serviceCode,
          departmentCode: department.code,
          casePrefix: department.casePrefix,
          year: beijingDate(today).year,
          residentId: household.resident.id,
          telegramId,
          priority,
          anonymous: service.anonymous?.(answers) ?? false,
          answersCipher: cipher.encryptJson({ v: 1, answers }, piiAt.caseAnswers(caseId)),
          dueAt: due,
          submissionKey,
          attachments: answerAttachments(answers),
          notifications: alerts,
        },
        {
          openPerService: MAX_OPEN_CASES_PER_SERVICE,
          urgentPerDay: MAX_URGENT_CASES_PER_DAY,
          // Since midnight, Beijing time.
          urgentSince: beijingInstant(beijingDateString(today), 0),
        },
      );
      if ('refused' in created) return fail(created.refused);
      const stored = created.created ? null : await cases.findById(created.id);
      return ok({
        caseId: created.id,
        number: created.number,
        dueAt: (stored?.dueAt ?? due).toISOString(),
        priority: stored?.priority ?? priority,
        created: created.created,
        card: card(service, answers, household, stored?.submittedAt ?? today),
      });
    },

    async listMine(telegramId: number, page: number): Promise<Result<MyCasesPage, 'not_registered'>> {
      const household = await households.findByTelegramId(telegramId);
      if (!household) return fail('not_registered');
      const safePage = Number.isInteger(page) && page >= 0 && page < 100_000 ? page : 0;
      const { rows, total } = await cases.listByResident(household.resident.id, safePage, MY_CASES_PAGE_SIZE);
      return ok({
        page: safePage,
        pages: Math.max(1, Math.ceil(total / MY_CASES_PAGE_SIZE)),
        total,
        items: rows.map((r) => ({
          ...r,
          submittedAt: r.submittedAt.toISOString(),
          dueAt: r.dueAt.toISOString(),
        })),
      });
    },

    async getMine(telegramId: number, caseId: string): Promise<Result<MyCaseView, CaseActionError>> {
      const own = await ownCase(telegramId, caseId);
      if (!own.ok) return own;
      const r = own.value.record;
      const events = await cases.events(r.id);
      const today = now();
      return ok({
        id: r.id,
        number: r.number,
        serviceCode: r.serviceCode,
        status: r.status,
        priority: r.priority,
        submittedAt: r.submittedAt.toISOString(),
        dueAt: r.dueAt.toISOString(),
        rating: r.rating,
        history: events
          .filter((e) => e.visibleToResident)
          .map((e) => ({
            at: e.at.toISOString(),
            kind: e.kind,
            toStatus: e.toStatus,
            note: e.noteCipher ? cipher.decrypt(e.noteCipher, piiAt.caseEventNote(r.id)) : null,
          })),
        can: {
          withdraw: isOpen(r.status),
          answer: r.status === 'waiting_resident',
          rate: (r.status === 'resolved' || r.status === 'closed') && r.rating === null,
          reopen: canReopen(r.status, r.resolvedAt, today),
          addDocuments: isOpen(r.status),
        },
      });
    },

    /** A case number typed by the resident → the case id, only for their own cases. */
    async findMineByNumber(telegramId: number, typed: string): Promise<Result<string, CaseActionError>> {
      const household = await households.findByTelegramId(telegramId);
      if (!household) return fail('not_registered');
      const number = parseCaseNumber(typed);
      const record = number ? await cases.findByNumber(number) : null;
      if (!record || record.residentId !== household.resident.id) return fail('not_found');
      return ok(record.id);
    },

    async withdraw(telegramId: number, caseId: string): Promise<Result<null, CaseActionError>> {
      const own = await ownCase(telegramId, caseId);
      if (!own.ok) return own;
      const r = own.value.record;
      if (!nextStatus(r.status, 'withdraw')) return fail('not_allowed');
      return residentChange(own.value, {
        from: [r.status],
        to: 'withdrawn',
        patch: { closedAt: now() },
        event: 'withdrawn',
        notify: 'staff.case_withdrawn',
      });
    },

    async answerInfo(
      telegramId: number,
      caseId: string,
      answer: { text?: string | null; files?: FileRef[] },
    ): Promise<Result<null, CaseActionError>> {
      const own = await ownCase(telegramId, caseId);
      if (!own.ok) return own;
      if (own.value.record.status !== 'waiting_resident') return fail('not_allowed');
      const files = z
        .array(fileRefSchema)
        .max(10)
        .safeParse(answer.files ?? []);
      const text =
        answer.text === undefined || answer.text === null ? null : noteSchema.safeParse(answer.text);
      if (!files.success || (text && !text.success) || (!text && files.data.length === 0))
        return fail('invalid');
      if (anyFileTooLarge(files.data)) return fail('invalid');
      return residentChange(own.value, {
        from: ['waiting_resident'],
        to: 'in_progress',
        event: 'info_answer',
        note: text?.success ? text.data : null,
        attachments: files.data.map((f) => newAttachment(f, null)),
        notify: 'staff.info_answered',
      });
    },

    async rate(
      telegramId: number,
      caseId: string,
      rating: number,
      comment: string | null,
    ): Promise<Result<null, CaseActionError>> {
      const own = await ownCase(telegramId, caseId);
      if (!own.ok) return own;
      const r = own.value.record;
      if (!Number.isInteger(rating) || rating < 1 || rating > 5) return fail('invalid');
      const note = comment === null ? null : noteSchema.safeParse(comment);
      if (note && !note.success) return fail('invalid');
      if ((r.status !== 'resolved' && r.status !== 'closed') || r.rating !== null) return fail('not_allowed');
      return residentChange(own.value, {
        from: [r.status],
        to: r.status,
        patch: {
          rating,
          commentCipher: note?.success ? cipher.encrypt(note.data, piiAt.caseRatingComment(r.id)) : null,
        },
        event: 'rated',
        note: note?.success ? note.data : null,
        notify: 'staff.case_rated',
      });
    },

    async reopen(telegramId: number, caseId: string, reason: string): Promise<Result<null, CaseActionError>> {
      const own = await ownCase(telegramId, caseId);
      if (!own.ok) return own;
      const why = noteSchema.safeParse(reason);
      if (!why.success) return fail('invalid');
      if (!canReopen(own.value.record.status, own.value.record.resolvedAt, now())) return fail('not_allowed');
      return residentChange(own.value, {
        from: ['resolved'],
        to: 'in_progress',
        patch: { resolvedAt: null },
        event: 'reopened',
        note: why.data,
        notify: 'staff.case_reopened',
      });
    },
  };
}

export type CaseService = ReturnType<typeof createCaseService>;
