// The resident's side of a case: submit a request from the catalogue, list and open their cases, withdraw,
// answer a request for more information, rate, reopen. Every look-up checks that the case is the asking
// resident's own; anything else is 'not_found', the same answer a case that does not exist gets.
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { MAX_OPEN_CASES_PER_SERVICE, MAX_URGENT_CASES_PER_DAY } from '../domain/abuse-limits.ts';
import { beijingDate, beijingDateString, beijingInstant } from '../domain/beijing-time.ts';
import { parseCaseNumber } from '../domain/case-number.ts';
import { answersValid, caseDueAt, visibleSteps } from '../domain/case-rules.ts';
import { type CaseStatus, canReopen, isOpen, nextStatus } from '../domain/case-status.ts';
import {
  type Catalogue,
  courseStep,
  type FileRef,
  type ServiceAnswers,
  type ServiceDefinition,
} from '../domain/catalogue/index.ts';
import { type CareType, medicalCareType } from '../domain/catalogue/rules.ts';
import { courseStarted } from '../domain/course.ts';
import type { EmploymentStatus } from '../domain/employment.ts';
import { anyFileTooLarge, anyVoiceTooLong } from '../domain/file-size.ts';
import { maskIdNumber, maskPhone } from '../domain/mask.ts';
import { fail, ok, type Result } from '../domain/result.ts';
import {
  answerAttachments,
  answersSchema,
  fileRefSchema,
  householdPeople,
  newAttachment,
  type StoredAnswers,
  snapshotPeople,
} from './case-answers.ts';
import {
  type CaseRecord,
  type CaseStore,
  GROUP_POST_KIND,
  type NewNotification,
  type RoutingLookup,
  type TransitionInput,
} from './case-store.ts';
import type { EmploymentSetBy, HouseholdPerson, HouseholdRecord, HouseholdStore } from './households.ts';
import { findOwnCase, type OwnCase } from './own-case.ts';
import { type PiiCipher, piiAt } from './pii-cipher.ts';

export { visibleSteps } from '../domain/case-rules.ts';
export { type DescribedAnswer, describeAnswers, householdPeople } from './case-answers.ts';
export type { NewAttachment, NewEvent, NewNotification, RoutingLookup } from './case-store.ts';

export const MY_CASES_PAGE_SIZE = 5;
/** The answer of a phone step meaning "the number in my household file". */
export const REGISTERED_PHONE = 'registered';

export interface CasesDeps {
  catalogue: Catalogue;
  households: Pick<HouseholdStore, 'findByTelegramId' | 'findByResidentId'>;
  routing: RoutingLookup;
  cases: CaseStore;
  cipher: PiiCipher;
  now: () => Date;
  /**
   * Sets the employment status of the person a service's form names, once its case is filed (job seeking
   * marks them "looking"; which services do is declared by their definition: `sets.employment`).
   */
  employment?: EmploymentPort;
}

/** The household use case a service that declares an employment effect calls (src/app/households.ts). */
export interface EmploymentPort {
  setEmploymentStatus(
    person: HouseholdPerson,
    status: EmploymentStatus,
    by: Extract<EmploymentSetBy, { kind: 'service' }>,
  ): Promise<boolean>;
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
  | 'too_many_urgent'
  /** The household file changed between the resident's confirmation of it and the submission. */
  | 'household_changed'
  /** The course chosen has no seat left (another resident took the last one): choose another. */
  | 'course_full'
  /** The course chosen has started meanwhile: choose another. */
  | 'course_closed';

/**
 * A staff member filing for the resident: a clerk at the window ('window') or a community worker on a
 * visit ('proxy'). Who may file for whom is decided before (src/app/filing.ts). At the window the form's
 * file steps may be left empty: the documents were seen on paper, `documentsSeen` (codes of the service's
 * `documents`) and `note` (them in the clerk's words) are kept as the filing event's note.
 */
export interface FiledBy {
  staffId: string;
  /** The staff member's own Telegram id (the audit row's actor). */
  telegramId: number;
  via: 'window' | 'proxy';
  documentsSeen: readonly string[];
  note: string | null;
}

/** The notification a resident on Telegram gets when a case was filed for them (payload: staffId, via). */
export const FILED_FOR_YOU_KIND = 'resident.filed_for_you';

export interface SubmitResult {
  caseId: string;
  number: string;
  dueAt: string;
  priority: 'normal' | 'urgent';
  created: boolean;
  /** The green-channel card to show at the hospital. */
  card: HospitalCard | null;
  /**
   * A new urgent case: how many chats (on-duty staff, the department's group) its alert is on its way to.
   * 0 means nobody could be alerted; null: not urgent, or not new.
   */
  alerting: number | null;
}

/** The green-channel card: what the hospital desk reads. Its wording follows the kind of care. */
export interface HospitalCard {
  patientName: string;
  idNumberMasked: string | null;
  hospital: string;
  /** The case's submission day, Beijing time (YYYY-MM-DD). */
  date: string;
  careType: CareType | null;
}

/** A case's card shown again from the case view (the resident is at the hospital desk). */
export interface CaseCard extends HospitalCard {
  number: string;
  serviceCode: string;
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
  history: {
    at: string;
    kind: string;
    toStatus: CaseStatus | null;
    note: string | null;
    /** The kinds of file that came with it (a voice message, photos …), one each, in a fixed order. */
    files: FileKind[];
  }[];
  /** Voice messages and photos staff sent, oldest first: `n` asks for one again (replayFile). */
  staffFiles: { n: number; kind: 'voice' | 'photo'; at: string }[];
  can: {
    withdraw: boolean;
    answer: boolean;
    rate: boolean;
    reopen: boolean;
    card: boolean;
    addDocuments: boolean;
  };
}

type FileKind = 'voice' | 'photo' | 'document';
const FILE_KINDS: readonly FileKind[] = ['voice', 'photo', 'document'];

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

  /**
   * The green-channel card: the patient's name and masked ID (from the household file as it is now; the
   * name as answered if the person has left it), the hospital, the date, the kind of care.
   */
  function card(
    service: ServiceDefinition,
    answers: ServiceAnswers,
    h: HouseholdRecord,
    submittedAt: Date,
  ): HospitalCard | null {
    if (!service.confirmationCard) return null;
    const patientId = answers.patient?.value;
    const self = patientId === h.resident.id;
    const member = h.members.find((m) => m.id === patientId);
    const idCipher = self ? h.resident.idNumberCipher : (member?.idNumberCipher ?? null);
    const idAt = self ? piiAt.residentIdNumber(h.resident.id) : piiAt.memberIdNumber(member?.id ?? '');
    return {
      patientName: self ? h.resident.name : (member?.name ?? answers.patient?.label ?? ''),
      idNumberMasked: idCipher ? maskIdNumber(cipher.decrypt(idCipher, idAt)) : null,
      hospital: answers.hospital?.label ?? '',
      date: beijingDateString(submittedAt),
      careType: medicalCareType(answers),
    };
  }

  /** A withdrawn or rejected request is no ticket at the hospital: its card is not shown again. */
  const cardShown = (service: ServiceDefinition | undefined, status: CaseStatus) =>
    (service?.confirmationCard ?? false) && status !== 'withdrawn' && status !== 'rejected';

  const ownCase = (telegramId: number, caseId: string): Promise<Result<OwnCase, CaseActionError>> =>
    findOwnCase({ households, cases }, telegramId, caseId);

  /** The voice messages and photos staff sent the resident on a case (what the case view offers again). */
  async function staffFiles(caseId: string, events: Awaited<ReturnType<CaseStore['events']>>) {
    const toResident = new Map(
      events.filter((e) => e.actorKind === 'staff' && e.visibleToResident).map((e) => [e.id, e.at]),
    );
    const files = await cases.attachments(caseId);
    return files
      .filter((f) => f.eventId !== null && toResident.has(f.eventId))
      .filter((f): f is typeof f & { kind: 'voice' | 'photo' } => f.kind === 'voice' || f.kind === 'photo')
      .map((f, n) => ({
        n,
        kind: f.kind,
        fileId: f.fileId,
        at: toResident.get(f.eventId as bigint) as Date,
      }));
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
    own: OwnCase,
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
  const voiceOnly = z.array(fileRefSchema.extend({ kind: z.literal('voice') })).max(1);

  /**
   * A resident's own words on a case (a reason, a comment): typed, or one voice message (kept as the
   * event's attachment). Null: neither, or not acceptable (too long, too large).
   */
  function spokenOrTyped(
    text: string | null,
    files: readonly FileRef[] | undefined,
    required: boolean,
  ): { note: string | null; files: FileRef[] } | null {
    const note = text === null ? null : noteSchema.safeParse(text);
    const voice = voiceOnly.safeParse(files ?? []);
    if ((note && !note.success) || !voice.success) return null;
    if (anyFileTooLarge(voice.data) || anyVoiceTooLong(voice.data)) return null;
    if (required && !note && voice.data.length === 0) return null;
    return { note: note?.success ? note.data : null, files: voice.data };
  }

  /**
   * What a staff member's filing adds to the answers' checks: no files (at the window they are seen on
   * paper; a visit has no upload), the documents seen among the service's, once each; a short note.
   */
  function filingValid(service: ServiceDefinition, answers: ServiceAnswers, filedBy: FiledBy): boolean {
    const seen = filedBy.documentsSeen;
    if (Object.values(answers).some((a) => (a?.files?.length ?? 0) > 0)) return false;
    if (new Set(seen).size !== seen.length || seen.some((d) => !service.documents.includes(d))) return false;
    return filedBy.note === null || noteSchema.safeParse(filedBy.note).success;
  }

  /** The resident on Telegram hears that a case was filed for them (and can follow it in 📋 我办的事). */
  const filedForYou = (telegramId: number | null, filedBy: FiledBy | undefined): NewNotification[] =>
    filedBy && telegramId !== null
      ? [{ telegramId, kind: FILED_FOR_YOU_KIND, payload: { staffId: filedBy.staffId, via: filedBy.via } }]
      : [];

  /**
   * Files a case of `serviceCode` for the household's resident: the answers checked again against the
   * catalogue (a use case trusts no client), routed, within the resident's limits, idempotent on
   * `submissionKey`. `filedBy`: a staff member files it for them (the case records who; the resident, when
   * on Telegram, is told through the outbox).
   */
  async function fileCase(
    household: HouseholdRecord,
    telegramId: number | null,
    serviceCode: string,
    rawAnswers: unknown,
    submissionKey: string,
    opts: { confirmedMembers?: readonly string[]; filedBy?: FiledBy },
  ): Promise<Result<SubmitResult, SubmitError>> {
    const { confirmedMembers, filedBy } = opts;
    const service = catalogue.get(serviceCode);
    // A retired service is not filed any more (a draft or an old button may still name it).
    if (!service || service.retired) return fail('unknown_service');
    const parsed = answersSchema.safeParse(rawAnswers);
    if (!parsed.success || !/^[\w:.-]{8,128}$/.test(submissionKey)) return fail('invalid');
    const answers = parsed.data as ServiceAnswers;
    if (filedBy && !filingValid(service, answers, filedBy)) return fail('invalid');
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
    const people = householdPeople(household);
    // Answers of steps the form no longer asks (an answer changed from the summary hid them) are not kept.
    const asked = new Set(visibleSteps(service, { answers, today, people }).map((st) => st.id));
    for (const step of service.steps) if (!asked.has(step.id)) delete answers[step.id];
    const district = household.community.districtCode;
    const courseId = courseStep(service)?.id;
    const courses = courseId ? await routing.courses(district) : [];
    const valid = await answersValid(
      service,
      { answers, today, people },
      {
        hospitals: () => routing.hospitals(district),
        schools: (stage) => routing.schools(district, stage),
        courses: async () => courses,
      },
      // At the window the documents are seen on paper: a file step may be left empty.
      { filesOptional: filedBy !== undefined },
    );
    if (!valid) return fail('invalid');
    // The course's seat is taken in the case's own transaction (the repository refuses 'course_full').
    const courseCode = courseId ? (answers[courseId]?.value ?? null) : null;
    const course = courses.find((c) => c.code === courseCode);
    if (course && courseStarted(course, beijingDateString(today))) return fail('course_closed');
    if (service.needsHousehold === 'confirm_alone' && confirmedMembers !== undefined) {
      const current = new Set(household.members.map((m) => m.id));
      const confirmed = new Set(confirmedMembers);
      if (current.size !== confirmed.size || [...current].some((id) => !confirmed.has(id)))
        return fail('household_changed');
    }
    const department = await routing.department(district, service.departmentKind);
    if (!department) return fail('no_department');
    const priority = service.urgency?.(answers) ?? 'normal';
    const due = caseDueAt(service, priority, today, { exceptions: await routing.calendarExceptions() });
    // An urgent case goes at once to the on-duty staff and to the department's group (which otherwise gets
    // it with the deadline watcher's next round); the resident is told when one of them has it.
    const alerts: NewNotification[] =
      priority === 'urgent'
        ? [
            ...(await routing.onDutyStaff(department.code)).map((id) => ({
              telegramId: id,
              kind: 'staff.urgent_case',
              payload: { serviceCode },
            })),
            ...(department.telegramGroupId
              ? [{ telegramId: department.telegramGroupId, kind: GROUP_POST_KIND, payload: {} }]
              : []),
          ]
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
        answersCipher: cipher.encryptJson(
          {
            v: 1,
            answers,
            ...snapshotPeople(service, answers, household),
            definition: { version: service.version, hash: service.hash },
          } satisfies StoredAnswers,
          piiAt.caseAnswers(caseId),
        ),
        dueAt: due,
        submissionKey,
        serviceVersion: service.version,
        serviceHash: service.hash,
        courseCode,
        attachments: answerAttachments(answers),
        notifications: [...alerts, ...filedForYou(telegramId, filedBy)],
        filedBy: filedBy && {
          staffId: filedBy.staffId,
          via: filedBy.via,
          noteCipher: filedBy.note ? cipher.encrypt(filedBy.note, piiAt.caseEventNote(caseId)) : null,
          audit: {
            actorTelegramId: filedBy.telegramId,
            action: 'case.filed_for',
            // An anonymous suggestion is not tied to its resident, not even in the audit log.
            subject: service.anonymous?.(answers) ? null : `resident:${household.resident.id}`,
            detail: {
              via: filedBy.via,
              staffId: filedBy.staffId,
              serviceCode,
              documentsSeen: [...filedBy.documentsSeen],
            },
          },
        },
      },
      {
        openPerService: MAX_OPEN_CASES_PER_SERVICE,
        urgentPerDay: MAX_URGENT_CASES_PER_DAY,
        // Since midnight, Beijing time.
        urgentSince: beijingInstant(beijingDateString(today), 0),
      },
    );
    if ('refused' in created) return fail(created.refused);
    const effect = service.setsEmployment;
    const personId = effect ? answers[effect.step]?.value : null;
    if (effect && personId && created.created && deps.employment) {
      const person = people.find((p) => p.id === personId);
      if (person) {
        await deps.employment.setEmploymentStatus(
          { kind: person.self ? 'resident' : 'member', id: person.id },
          effect.status,
          // The audit row's actor: the resident, or the staff member who filed it for them.
          {
            kind: 'service',
            serviceCode,
            caseId: created.id,
            telegramId: telegramId ?? filedBy?.telegramId ?? 0,
          },
        );
      }
    }
    const stored = created.created ? null : await cases.findById(created.id);
    return ok({
      caseId: created.id,
      number: created.number,
      dueAt: (stored?.dueAt ?? due).toISOString(),
      priority: stored?.priority ?? priority,
      created: created.created,
      card: card(service, answers, household, stored?.submittedAt ?? today),
      alerting: created.created && priority === 'urgent' ? alerts.length : null,
    });
  }

  return {
    /** The resident files a request in the bot (their Telegram id says who they are). */
    async submit(
      telegramId: number,
      serviceCode: string,
      rawAnswers: unknown,
      submissionKey: string,
      /** The household members the resident confirmed before the form (a service that asks so). */
      confirmedMembers?: readonly string[],
    ): Promise<Result<SubmitResult, SubmitError>> {
      const household = await households.findByTelegramId(telegramId);
      if (!household) return fail('not_registered');
      return fileCase(household, telegramId, serviceCode, rawAnswers, submissionKey, { confirmedMembers });
    },

    /**
     * A staff member files a request for a registered resident (by their resident id; they may have no
     * Telegram): the same checks as `submit`; the household is taken as it is in the file (the clerk
     * confirmed it with the resident at the window).
     */
    async submitFor(
      residentId: string,
      serviceCode: string,
      rawAnswers: unknown,
      submissionKey: string,
      filedBy: FiledBy,
    ): Promise<Result<SubmitResult, SubmitError>> {
      const found = z.uuid().safeParse(residentId).success
        ? await households.findByResidentId(residentId)
        : null;
      if (!found) return fail('not_registered');
      const telegramId = found.telegramId === null ? null : Number(found.telegramId);
      return fileCase(found.household, telegramId, serviceCode, rawAnswers, submissionKey, { filedBy });
    },

    /** The hospital card of the resident's own medical case, to show again at the desk. */
    async card(telegramId: number, caseId: string): Promise<Result<CaseCard, CaseActionError>> {
      const own = await ownCase(telegramId, caseId);
      if (!own.ok) return own;
      const { record, household } = own.value;
      const stored = cipher.decryptJson<StoredAnswers>(record.answersCipher, piiAt.caseAnswers(record.id));
      const service = catalogue.version(record.serviceCode, stored.definition?.hash);
      if (!service || !cardShown(service, record.status)) return fail('not_allowed');
      const shown = card(service, stored.answers, household, record.submittedAt);
      return shown
        ? ok({ ...shown, number: record.number, serviceCode: record.serviceCode })
        : fail('not_allowed');
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
      const attachments = await cases.attachments(r.id);
      const today = now();
      const kindsOf = (eventId: bigint) =>
        FILE_KINDS.filter((k) => attachments.some((f) => f.eventId === eventId && f.kind === k));
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
            files: kindsOf(e.id),
          })),
        staffFiles: (await staffFiles(r.id, events)).map(({ n, kind, at }) => ({
          n,
          kind,
          at: at.toISOString(),
        })),
        can: {
          withdraw: isOpen(r.status),
          answer: r.status === 'waiting_resident',
          rate: (r.status === 'resolved' || r.status === 'closed') && r.rating === null,
          reopen: canReopen(r.status, r.resolvedAt, today),
          card: cardShown(catalogue.get(r.serviceCode), r.status),
          addDocuments: isOpen(r.status),
        },
      });
    },

    /** One of the voice messages or photos staff sent on the resident's own case, to be sent to them again. */
    async replayFile(
      telegramId: number,
      caseId: string,
      n: number,
    ): Promise<
      Result<
        { kind: 'voice' | 'photo'; fileId: string; at: string; number: string; serviceCode: string },
        CaseActionError
      >
    > {
      const own = await ownCase(telegramId, caseId);
      if (!own.ok) return own;
      const r = own.value.record;
      const file = (await staffFiles(r.id, await cases.events(r.id)))[n];
      if (!file) return fail('not_found');
      return ok({
        kind: file.kind,
        fileId: file.fileId,
        at: file.at.toISOString(),
        number: r.number,
        serviceCode: r.serviceCode,
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
      if (anyFileTooLarge(files.data) || anyVoiceTooLong(files.data)) return fail('invalid');
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
      files: FileRef[] = [],
    ): Promise<Result<null, CaseActionError>> {
      const own = await ownCase(telegramId, caseId);
      if (!own.ok) return own;
      const r = own.value.record;
      if (!Number.isInteger(rating) || rating < 1 || rating > 5) return fail('invalid');
      const words = spokenOrTyped(comment, files, false);
      if (!words) return fail('invalid');
      if ((r.status !== 'resolved' && r.status !== 'closed') || r.rating !== null) return fail('not_allowed');
      return residentChange(own.value, {
        from: [r.status],
        to: r.status,
        patch: {
          rating,
          commentCipher: words.note ? cipher.encrypt(words.note, piiAt.caseRatingComment(r.id)) : null,
        },
        event: 'rated',
        note: words.note,
        attachments: words.files.map((f) => newAttachment(f, null)),
        notify: 'staff.case_rated',
      });
    },

    /** `reason` typed, or said: one voice message in `files` (then `reason` may be null). */
    async reopen(
      telegramId: number,
      caseId: string,
      reason: string | null,
      files: FileRef[] = [],
    ): Promise<Result<null, CaseActionError>> {
      const own = await ownCase(telegramId, caseId);
      if (!own.ok) return own;
      const why = spokenOrTyped(reason, files, true);
      if (!why) return fail('invalid');
      if (!canReopen(own.value.record.status, own.value.record.resolvedAt, now())) return fail('not_allowed');
      return residentChange(own.value, {
        from: ['resolved'],
        to: 'in_progress',
        patch: { resolvedAt: null },
        event: 'reopened',
        note: why.note,
        attachments: why.files.map((f) => newAttachment(f, null)),
        notify: 'staff.case_reopened',
      });
    },
  };
}

export type CaseService = ReturnType<typeof createCaseService>;
