// The resident's side of a case: submit a request from the catalogue, list and open their cases, withdraw,
// answer a request for more information, rate, reopen. Every look-up checks that the case is the asking
// resident's own; anything else is 'not_found', the same answer a case that does not exist gets.
import { z } from 'zod';
import { beijingDate, beijingDateString } from '../domain/beijing-time.ts';
import { parseCaseNumber } from '../domain/case-number.ts';
import { type CaseStatus, canReopen, isOpen, nextStatus } from '../domain/case-status.ts';
import type {
  Catalogue,
  FileRef,
  ServiceAnswers,
  ServiceDefinition,
  StepContext,
} from '../domain/catalogue/index.ts';
import { schoolStageOf } from '../domain/catalogue/services.ts';
import { maskIdNumber, maskPhone } from '../domain/mask.ts';
import { parsePhone } from '../domain/phone.ts';
import { addHours, addWorkingDays } from '../domain/working-days.ts';
import type { HouseholdRecord } from './households.ts';
import type { PiiCipher } from './pii-cipher.ts';

type Result<T, E> = { ok: true; value: T } | { ok: false; error: E };

const fileRef = z.object({
  kind: z.enum(['photo', 'voice', 'document']),
  fileId: z.string().min(1).max(256),
  fileUniqueId: z.string().min(1).max(256),
  mimeType: z.string().max(100).optional(),
  sizeBytes: z.number().int().nonnegative().optional(),
  durationSeconds: z.number().int().nonnegative().optional(),
});
const answersSchema = z.record(
  z.string().max(64),
  z.object({
    value: z.string().max(4096).nullable(),
    label: z.string().max(4096),
    files: z.array(fileRef).max(20).optional(),
  }),
);

/** Telegram bots may download files of at most 20 MB; larger ones could never be shown to staff. */
export const MAX_FILE_BYTES = 20 * 1024 * 1024;
export const MY_CASES_PAGE_SIZE = 5;
/** The answer of a phone step meaning "the number in my household file". */
export const REGISTERED_PHONE = 'registered';
const DAY_MS = 86_400_000;

/** What a change writes beside the case itself (the repository writes them in the same transaction). */
export interface NewNotification {
  telegramId: number | bigint;
  kind: string;
  payload: Record<string, unknown>;
  /** Add the id of the event written in the same transition to the payload (`eventId`, as a string). */
  withEventId?: boolean;
}

export interface NewAttachment {
  stepId?: string | null;
  kind: 'photo' | 'voice' | 'document';
  fileId: string;
  fileUniqueId: string;
  mimeType?: string | null;
  sizeBytes?: number | null;
}

export interface NewEvent {
  actorKind: 'resident' | 'staff' | 'system';
  actorId?: string | null;
  kind: string;
  noteCipher?: Uint8Array | null;
  visibleToResident?: boolean;
}

export interface CaseStore {
  create(input: {
    serviceCode: string;
    departmentCode: string;
    casePrefix: string;
    year: number;
    residentId: string;
    telegramId: number;
    priority: 'normal' | 'urgent';
    anonymous: boolean;
    answersCipher: Uint8Array;
    dueAt: Date;
    submissionKey: string;
    attachments: NewAttachment[];
    notifications: NewNotification[];
  }): Promise<{ id: string; number: string; created: boolean }>;
  findById(caseId: string): Promise<StoredCase | null>;
  findByNumber(number: string): Promise<StoredCase | null>;
  listByResident(
    residentId: string,
    page: number,
    pageSize: number,
  ): Promise<{
    rows: {
      id: string;
      number: string;
      serviceCode: string;
      status: CaseStatus;
      submittedAt: Date;
      dueAt: Date;
    }[];
    total: number;
  }>;
  events(caseId: string): Promise<
    {
      at: Date;
      kind: string;
      toStatus: CaseStatus | null;
      noteCipher: Uint8Array | null;
      visibleToResident: boolean;
      actorKind: string;
    }[]
  >;
  transition(input: {
    caseId: string;
    from: readonly CaseStatus[];
    to: CaseStatus;
    patch?: Record<string, unknown>;
    event: NewEvent;
    attachments?: NewAttachment[];
    notifications?: NewNotification[];
  }): Promise<'ok' | 'conflict'>;
}

export interface StoredCase {
  id: string;
  number: string;
  serviceCode: string;
  departmentCode: string;
  residentId: string | null;
  status: CaseStatus;
  priority: 'normal' | 'urgent';
  anonymous: boolean;
  answersCipher: Uint8Array;
  assigneeId: string | null;
  dueAt: Date;
  submittedAt: Date;
  resolvedAt: Date | null;
  rating: number | null;
}

export interface RoutingLookup {
  department(
    districtCode: string,
    kind: ServiceDefinition['departmentKind'],
  ): Promise<{ code: string; casePrefix: string } | null>;
  calendarExceptions(): Promise<Map<string, 'holiday' | 'workday'>>;
  onDutyStaff(departmentCode: string): Promise<bigint[]>;
  staffTelegramId(staffId: string): Promise<bigint | null>;
  schools(districtCode: string, stage: 'kindergarten' | 'primary' | 'junior'): Promise<{ code: string }[]>;
  hospitals(districtCode: string): Promise<{ code: string }[]>;
}

export interface CasesDeps {
  catalogue: Catalogue;
  households: { findByTelegramId(telegramId: number): Promise<HouseholdRecord | null> };
  routing: RoutingLookup;
  cases: CaseStore;
  cipher: PiiCipher;
  now: () => Date;
}

export type SubmitError = 'not_registered' | 'unknown_service' | 'no_department' | 'invalid';

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
  can: { withdraw: boolean; answer: boolean; rate: boolean; reopen: boolean };
}

export type CaseActionError = 'not_registered' | 'not_found' | 'not_allowed' | 'invalid';

/** Everyone of the household the forms may name: the resident first. */
export function householdPeople(h: HouseholdRecord): StepContext['people'] {
  return [
    { id: h.resident.id, name: h.resident.name, birthDate: h.resident.birthDate, self: true },
    ...h.members.map((m) => ({ id: m.id, name: m.name, birthDate: m.birthDate, self: false })),
  ];
}

export function visibleSteps(service: ServiceDefinition, context: StepContext) {
  return service.steps.filter((s) => s.when?.(context) ?? true);
}

export function createCaseService(deps: CasesDeps) {
  const { catalogue, households, routing, cases, cipher, now } = deps;

  /** Checks the answers again against the catalogue, whatever the front end sent. */
  async function validate(
    service: ServiceDefinition,
    answers: ServiceAnswers,
    h: HouseholdRecord,
    today: Date,
  ): Promise<boolean> {
    const context: StepContext = { answers, today, people: householdPeople(h) };
    const known = new Set(service.steps.map((s) => s.id));
    if (Object.keys(answers).some((k) => !known.has(k))) return false;
    for (const step of visibleSteps(service, context)) {
      const a = answers[step.id];
      if (!a || (a.value === null && !(a.files && a.files.length > 0))) {
        if (step.optional) continue;
        return false;
      }
      const v = a.value;
      switch (step.kind) {
        case 'choice':
          if (v === null || !step.options.includes(v) || step.stopOn?.includes(v)) return false;
          break;
        case 'text':
          if (
            v === null
              ? !(step.voice && a.files?.length === 1 && a.files[0]?.kind === 'voice')
              : !step.schema.safeParse(v).success || v.length > step.maxLength
          )
            return false;
          break;
        case 'money':
          if (v === null || !/^\d{1,9}$/.test(v) || Number(v) > step.max) return false;
          break;
        case 'person': {
          const person = context.people.find((p) => p.id === v);
          if (!person || (person.self && !step.includeSelf) || (step.filter && !step.filter(person, today)))
            return false;
          break;
        }
        case 'reference': {
          if (v === step.extraOption) break;
          const district = h.community.districtCode;
          const list =
            step.source === 'hospitals'
              ? await routing.hospitals(district)
              : await routing.schools(
                  district,
                  schoolStageOf(step.stageFrom ? (answers[step.stageFrom]?.value ?? null) : null) ??
                    'primary',
                );
          if (!list.some((item) => item.code === v)) return false;
          break;
        }
        case 'files':
          if (!a.files || a.files.length > step.max || a.files.some((f) => f.kind === 'voice')) return false;
          break;
        case 'phone':
          if (v === null || !parsePhone(v).ok) return false;
          break;
      }
      if (a.files?.some((f) => (f.sizeBytes ?? 0) > MAX_FILE_BYTES)) return false;
    }
    return true;
  }

  function dueAt(
    service: ServiceDefinition,
    priority: 'normal' | 'urgent',
    from: Date,
    calendar: Map<string, 'holiday' | 'workday'>,
  ): Date {
    const due = priority === 'urgent' && service.urgentDue ? service.urgentDue : service.due;
    if ('hours' in due) return addHours(from, due.hours);
    if ('calendarDays' in due) return new Date(from.getTime() + due.calendarDays * DAY_MS);
    return addWorkingDays(from, due.workingDays, { exceptions: calendar });
  }

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
    return {
      patientName: patientId === h.resident.id ? h.resident.name : (member?.name ?? ''),
      idNumberMasked: idCipher ? maskIdNumber(cipher.decrypt(idCipher)) : null,
      hospital: answers.hospital?.label ?? '',
      date: beijingDateString(submittedAt),
    };
  }

  async function ownCase(
    telegramId: number,
    caseId: string,
  ): Promise<Result<{ record: StoredCase; household: HouseholdRecord }, CaseActionError>> {
    const household = await households.findByTelegramId(telegramId);
    if (!household) return { ok: false, error: 'not_registered' };
    if (!z.uuid().safeParse(caseId).success) return { ok: false, error: 'not_found' };
    const record = await cases.findById(caseId);
    if (!record || record.residentId !== household.resident.id) return { ok: false, error: 'not_found' };
    return { ok: true, value: { record, household } };
  }

  async function assigneeNotification(record: StoredCase, kind: string) {
    if (!record.assigneeId) return [];
    const telegramId = await routing.staffTelegramId(record.assigneeId);
    return telegramId ? [{ telegramId, kind, payload: { caseId: record.id } }] : [];
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
      if (!household) return { ok: false, error: 'not_registered' };
      const service = catalogue.get(serviceCode);
      if (!service) return { ok: false, error: 'unknown_service' };
      const parsed = answersSchema.safeParse(rawAnswers);
      if (!parsed.success || !/^[\w:.-]{8,128}$/.test(submissionKey)) return { ok: false, error: 'invalid' };
      const answers = parsed.data as ServiceAnswers;
      // "Use my registered number": the front end never holds the number in clear.
      for (const step of service.steps) {
        if (step.kind === 'phone' && answers[step.id]?.value === REGISTERED_PHONE) {
          const phone = cipher.decrypt(household.resident.phoneCipher);
          answers[step.id] = { value: phone, label: maskPhone(phone) };
        }
      }
      const today = now();
      if (!(await validate(service, answers, household, today))) return { ok: false, error: 'invalid' };
      const department = await routing.department(household.community.districtCode, service.departmentKind);
      if (!department) return { ok: false, error: 'no_department' };
      const priority = service.urgency?.(answers) ?? 'normal';
      const due = dueAt(service, priority, today, await routing.calendarExceptions());
      const attachments = Object.entries(answers).flatMap(([stepId, a]) =>
        (a?.files ?? []).map((f) => ({
          stepId,
          kind: f.kind,
          fileId: f.fileId,
          fileUniqueId: f.fileUniqueId,
          mimeType: f.mimeType ?? null,
          sizeBytes: f.sizeBytes ?? null,
        })),
      );
      const alerts =
        priority === 'urgent'
          ? (await routing.onDutyStaff(department.code)).map((id) => ({
              telegramId: id,
              kind: 'staff.urgent_case',
              payload: { serviceCode },
            }))
          : [];
      const created = await cases.create({
        serviceCode,
        departmentCode: department.code,
        casePrefix: department.casePrefix,
        year: beijingDate(today).year,
        residentId: household.resident.id,
        telegramId,
        priority,
        anonymous: service.anonymous?.(answers) ?? false,
        answersCipher: cipher.encryptJson({ v: 1, answers }),
        dueAt: due,
        submissionKey,
        attachments,
        notifications: alerts,
      });
      const stored = created.created ? null : await cases.findById(created.id);
      return {
        ok: true,
        value: {
          caseId: created.id,
          number: created.number,
          dueAt: (stored?.dueAt ?? due).toISOString(),
          priority: stored?.priority ?? priority,
          created: created.created,
          card: card(service, answers, household, stored?.submittedAt ?? today),
        },
      };
    },

    async listMine(telegramId: number, page: number) {
      const household = await households.findByTelegramId(telegramId);
      if (!household) return { ok: false as const, error: 'not_registered' as const };
      const safePage = Number.isInteger(page) && page >= 0 && page < 100_000 ? page : 0;
      const { rows, total } = await cases.listByResident(household.resident.id, safePage, MY_CASES_PAGE_SIZE);
      return {
        ok: true as const,
        value: {
          page: safePage,
          pages: Math.max(1, Math.ceil(total / MY_CASES_PAGE_SIZE)),
          total,
          items: rows.map((r) => ({
            ...r,
            submittedAt: r.submittedAt.toISOString(),
            dueAt: r.dueAt.toISOString(),
          })),
        },
      };
    },

    async getMine(telegramId: number, caseId: string): Promise<Result<MyCaseView, CaseActionError>> {
      const own = await ownCase(telegramId, caseId);
      if (!own.ok) return own;
      const r = own.value.record;
      const events = await cases.events(r.id);
      const today = now();
      return {
        ok: true,
        value: {
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
              note: e.noteCipher ? cipher.decrypt(e.noteCipher) : null,
            })),
          can: {
            withdraw: isOpen(r.status),
            answer: r.status === 'waiting_resident',
            rate: (r.status === 'resolved' || r.status === 'closed') && r.rating === null,
            reopen: canReopen(r.status, r.resolvedAt, today),
          },
        },
      };
    },

    /** A case number typed by the resident → the case id, only for their own cases. */
    async findMineByNumber(telegramId: number, typed: string): Promise<Result<string, CaseActionError>> {
      const household = await households.findByTelegramId(telegramId);
      if (!household) return { ok: false, error: 'not_registered' };
      const number = parseCaseNumber(typed);
      const record = number ? await cases.findByNumber(number) : null;
      if (!record || record.residentId !== household.resident.id) return { ok: false, error: 'not_found' };
      return { ok: true, value: record.id };
    },

    async withdraw(telegramId: number, caseId: string): Promise<Result<null, CaseActionError>> {
      const own = await ownCase(telegramId, caseId);
      if (!own.ok) return own;
      const r = own.value.record;
      if (!nextStatus(r.status, 'withdraw')) return { ok: false, error: 'not_allowed' };
      const outcome = await cases.transition({
        caseId: r.id,
        from: [r.status],
        to: 'withdrawn',
        patch: { closedAt: now() },
        event: { actorKind: 'resident', actorId: own.value.household.resident.id, kind: 'withdrawn' },
        notifications: await assigneeNotification(r, 'staff.case_withdrawn'),
      });
      return outcome === 'ok' ? { ok: true, value: null } : { ok: false, error: 'not_allowed' };
    },

    async answerInfo(
      telegramId: number,
      caseId: string,
      answer: { text?: string | null; files?: FileRef[] },
    ): Promise<Result<null, CaseActionError>> {
      const own = await ownCase(telegramId, caseId);
      if (!own.ok) return own;
      const r = own.value.record;
      if (r.status !== 'waiting_resident') return { ok: false, error: 'not_allowed' };
      const files = z
        .array(fileRef)
        .max(10)
        .safeParse(answer.files ?? []);
      const text =
        answer.text === undefined || answer.text === null ? null : noteSchema.safeParse(answer.text);
      if (!files.success || (text && !text.success) || (!text && files.data.length === 0))
        return { ok: false, error: 'invalid' };
      if (files.data.some((f) => (f.sizeBytes ?? 0) > MAX_FILE_BYTES)) return { ok: false, error: 'invalid' };
      const outcome = await cases.transition({
        caseId: r.id,
        from: ['waiting_resident'],
        to: 'in_progress',
        event: {
          actorKind: 'resident',
          actorId: own.value.household.resident.id,
          kind: 'info_answer',
          noteCipher: text?.success ? cipher.encrypt(text.data) : null,
        },
        attachments: files.data.map((f) => ({
          stepId: null,
          kind: f.kind,
          fileId: f.fileId,
          fileUniqueId: f.fileUniqueId,
          mimeType: f.mimeType ?? null,
          sizeBytes: f.sizeBytes ?? null,
        })),
        notifications: await assigneeNotification(r, 'staff.info_answered'),
      });
      return outcome === 'ok' ? { ok: true, value: null } : { ok: false, error: 'not_allowed' };
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
      if (!Number.isInteger(rating) || rating < 1 || rating > 5) return { ok: false, error: 'invalid' };
      const note = comment === null ? null : noteSchema.safeParse(comment);
      if (note && !note.success) return { ok: false, error: 'invalid' };
      if ((r.status !== 'resolved' && r.status !== 'closed') || r.rating !== null)
        return { ok: false, error: 'not_allowed' };
      const outcome = await cases.transition({
        caseId: r.id,
        from: [r.status],
        to: r.status,
        patch: { rating, ratingComment: note?.success ? note.data : null },
        event: {
          actorKind: 'resident',
          actorId: own.value.household.resident.id,
          kind: 'rated',
          noteCipher: note?.success ? cipher.encrypt(note.data) : null,
        },
        notifications: await assigneeNotification(r, 'staff.case_rated'),
      });
      return outcome === 'ok' ? { ok: true, value: null } : { ok: false, error: 'not_allowed' };
    },

    async reopen(telegramId: number, caseId: string, reason: string): Promise<Result<null, CaseActionError>> {
      const own = await ownCase(telegramId, caseId);
      if (!own.ok) return own;
      const r = own.value.record;
      const why = noteSchema.safeParse(reason);
      if (!why.success) return { ok: false, error: 'invalid' };
      if (!canReopen(r.status, r.resolvedAt, now())) return { ok: false, error: 'not_allowed' };
      const outcome = await cases.transition({
        caseId: r.id,
        from: ['resolved'],
        to: 'in_progress',
        patch: { resolvedAt: null },
        event: {
          actorKind: 'resident',
          actorId: own.value.household.resident.id,
          kind: 'reopened',
          noteCipher: cipher.encrypt(why.data),
        },
        notifications: await assigneeNotification(r, 'staff.case_reopened'),
      });
      return outcome === 'ok' ? { ok: true, value: null } : { ok: false, error: 'not_allowed' };
    },
  };
}

export type CaseService = ReturnType<typeof createCaseService>;

/**
 * A case's answers for staff: each step's shown label and files, decrypted. Anonymous cases never carry
 * the resident's identity in their answers (the suggestion form asks none), and the resident link itself is
 * not part of this view.
 */
export function describeAnswers(
  record: Pick<StoredCase, 'answersCipher' | 'serviceCode'>,
  cipher: PiiCipher,
  catalogue: Catalogue,
): { stepId: string; label: string; files: FileRef[] }[] {
  const stored = cipher.decryptJson<{ v: number; answers: ServiceAnswers }>(record.answersCipher);
  const order = catalogue.get(record.serviceCode)?.steps.map((s) => s.id) ?? Object.keys(stored.answers);
  return order
    .filter((id) => stored.answers[id] !== undefined)
    .map((id) => ({
      stepId: id,
      label: stored.answers[id]?.label ?? '',
      files: stored.answers[id]?.files ?? [],
    }));
}
