// What staff see of a case: the card (answers with phones and ID numbers masked, the resident, the
// history), and on an explicit request the full identity and the files. Every look is audited: the answers
// are about health, income, children.
import { type CaseStatus, isOpen, nextStatus } from '../../domain/case-status.ts';
import { referenceList } from '../../domain/catalogue/rules.ts';
import type { ServiceDefinition } from '../../domain/catalogue/types.ts';
import { ageOn } from '../../domain/id-number.ts';
import { maskIdNumber, maskPhone } from '../../domain/mask.ts';
import { fail, ok, type Result } from '../../domain/result.ts';
import { isOverdue } from '../../domain/staff-work.ts';
import {
  type DescribedAnswer,
  describeStored,
  type PersonSnapshot,
  readStoredAnswers,
} from '../case-answers.ts';
import { piiAt } from '../pii-cipher.ts';
import type { NamedOption } from '../reference.ts';
import type { StaffAccess, StaffDeps } from './access.ts';

/** A person of the case's snapshot, with their age today. */
export type CardPerson = Pick<PersonSnapshot, 'name' | 'relation' | 'birthDate'> & { age: number };

/**
 * One answer on the card, as stored, for the reader to put in their own words: a choice by its option, a
 * sum by its number, a school or hospital by its names in both languages, a person by name and age; free
 * text as typed. `label` is the resident's own words when they answered (phones and ID numbers masked).
 */
export interface CardAnswer {
  stepId: string;
  kind: DescribedAnswer['kind'];
  value: string | null;
  label: string;
  files: number;
  person?: CardPerson;
  place?: NamedOption;
  /** A spoken answer (a text step answered with a voice message): its length. */
  voiceSeconds?: number;
}

export interface StaffCard {
  id: string;
  number: string;
  serviceCode: string;
  status: CaseStatus;
  priority: 'normal' | 'urgent';
  anonymous: boolean;
  department: { code: string; nameZh: string; nameEn: string };
  submittedAt: string;
  dueAt: string;
  overdue: boolean;
  assignee: string | null;
  mine: boolean;
  /** Each answered step (phones and ID numbers masked). */
  answers: CardAnswer[];
  /** The household the resident confirmed when filing (dibao), the applicant first; null when not asked. */
  household: CardPerson[] | null;
  /** Who asked (never for an anonymous suggestion): name, masked phone and ID, address. */
  resident: {
    /** Their household's file (the console links to it). */
    householdId: string;
    name: string;
    phoneMasked: string;
    idNumberMasked: string;
    address: { community: string; building: string; unit: string; room: string };
    communityEn: string;
    buildingEn: string;
    /** The case has no Telegram id (a resident registered at the window): staff tell them by phone or in person. */
    noTelegram: boolean;
  } | null;
  attachments: number;
  /** The case's files, in the order they came (the console shows or links each by its id). */
  files: { id: string; kind: 'photo' | 'voice' | 'document'; mimeType: string | null }[];
  history: {
    at: string;
    kind: string;
    actor: string | null;
    actorKind: string;
    note: string | null;
    internal: boolean;
    /** The kinds of file that came with it (a voice message, photos …), one each. */
    files: ('voice' | 'photo' | 'document')[];
  }[];
  can: { take: boolean; act: boolean; reveal: boolean; release: boolean };
}

export interface RevealedIdentity {
  number: string;
  people: { name: string; idNumber: string | null; role: 'resident' | 'member' }[];
  phones: string[];
}

/** One of the resident's other cases beside the case; `open`: the reader may open it (their department's). */
export interface OtherCase {
  id: string;
  number: string;
  serviceCode: string;
  status: CaseStatus;
  submittedAt: string;
  department: { code: string; nameZh: string; nameEn: string };
  open: boolean;
}

/** How many of the resident's other cases the case page lists. */
export const OTHER_CASES_LIMIT = 20;

/** Answer step ids that carry an ID number or a phone: masked on the card, shown in full only on request. */
const isIdStep = (stepId: string) => /idNumber/i.test(stepId);

export function createCaseViews(deps: StaffDeps, gate: StaffAccess) {
  const { staff, cases, cipher, now } = deps;
  const { access, deny } = gate;

  const storedAnswers = (blob: Uint8Array, caseId: string) =>
    readStoredAnswers({ id: caseId, answersCipher: blob }, cipher);

  const withAge = (p: PersonSnapshot, at: Date): CardPerson => ({
    name: p.name,
    relation: p.relation,
    birthDate: p.birthDate,
    age: ageOn(p.birthDate, at),
  });

  /** The schools, hospitals and courses the answers name, by code, in the case's district. */
  async function places(
    answers: DescribedAnswer[],
    service: ServiceDefinition | undefined,
    districtCode: string | null,
  ): Promise<Map<string, NamedOption>> {
    const found = new Map<string, NamedOption>();
    if (!districtCode || !service) return found;
    for (const a of answers) {
      const step = service.steps.find((s) => s.id === a.stepId);
      if (step?.kind !== 'reference' || a.value === null || a.value === step.extraOption) continue;
      const which = referenceList(
        step,
        Object.fromEntries(answers.map((x) => [x.stepId, { value: x.value, label: '' }])),
      );
      const list =
        which.source === 'hospitals'
          ? await deps.facilities.hospitals(districtCode)
          : which.source === 'courses'
            ? await deps.facilities.courses(districtCode)
            : await deps.facilities.schools(districtCode, which.stage);
      const hit = list.find((x) => x.code === a.value);
      if (hit) found.set(a.stepId, { code: hit.code, nameZh: hit.nameZh, nameEn: hit.nameEn });
    }
    return found;
  }

  return {
    /** The case card. Viewing it (answers about health, income …) is audited. */
    async card(telegramId: number, caseId: string): Promise<Result<StaffCard, 'not_found'>> {
      const a = await access(telegramId, caseId, 'view');
      if (!a.ok) return a;
      const { me, record } = a.value;
      const at = now();
      const [events, attachments, department] = await Promise.all([
        cases.events(record.id),
        cases.attachments(record.id),
        staff.department(record.departmentCode),
      ]);
      const names = await staff.names(
        [record.assigneeId, ...events.filter((e) => e.actorKind === 'staff').map((e) => e.actorId)].filter(
          (x): x is string => typeof x === 'string',
        ),
      );
      // An anonymised case (its resident erased themselves, or the retention period passed) has no answers.
      const blank = record.answersCipher.length === 0;
      const stored = blank ? null : storedAnswers(record.answersCipher, record.id);
      // Read with the definition it was filed under (an earlier version, or a retired service).
      const service = deps.catalogue.version(record.serviceCode, stored?.definition?.hash);
      const described = stored ? describeStored(stored, service) : [];
      const named = await places(described, service, department?.districtCode ?? null);
      const answers = described.map((ans): CardAnswer => {
        const value = ans.value;
        let label = ans.label;
        if (ans.kind === 'phone' && value) label = maskPhone(value);
        else if (isIdStep(ans.stepId) && value) label = maskIdNumber(value);
        const place = named.get(ans.stepId);
        const voice = value === null && ans.files.length === 1 && ans.files[0]?.kind === 'voice';
        return {
          stepId: ans.stepId,
          kind: ans.kind,
          // A phone's or ID number's value never leaves the use case in clear.
          value: ans.kind === 'phone' || isIdStep(ans.stepId) ? null : value,
          label,
          files: ans.files.length,
          ...(ans.person ? { person: withAge(ans.person, at) } : {}),
          ...(place ? { place } : {}),
          ...(voice ? { voiceSeconds: ans.files[0]?.durationSeconds ?? 0 } : {}),
        };
      });
      const confirmedHousehold =
        stored?.household && stored.people ? stored.people.map((p) => withAge(p, at)) : null;
      // By the resident's id: a resident without Telegram (filed for at the window) is shown too.
      const household =
        !record.anonymous && record.residentId
          ? ((await deps.households.findByResidentId(record.residentId))?.household ?? null)
          : null;
      const resident =
        household && household.resident.id === record.residentId
          ? {
              householdId: household.id,
              name: household.resident.name,
              phoneMasked: maskPhone(
                cipher.decrypt(household.resident.phoneCipher, piiAt.residentPhone(household.resident.id)),
              ),
              idNumberMasked: maskIdNumber(
                cipher.decrypt(
                  household.resident.idNumberCipher,
                  piiAt.residentIdNumber(household.resident.id),
                ),
              ),
              address: {
                community: household.community.nameZh,
                building: household.building.nameZh,
                unit: household.unit,
                room: household.room,
              },
              communityEn: household.community.nameEn,
              buildingEn: household.building.nameEn,
              // What the resident hears of the case goes to a "to tell" list instead (src/app/resident-tell.ts).
              noTelegram: record.telegramId === null,
            }
          : null;
      await staff.audit(record.id, {
        actorTelegramId: telegramId,
        action: 'case.view',
        detail: { staffId: me.id },
      });
      const mine = record.assigneeId === me.id;
      return ok({
        id: record.id,
        number: record.number,
        serviceCode: record.serviceCode,
        status: record.status,
        priority: record.priority,
        anonymous: record.anonymous,
        department: department
          ? { code: department.code, nameZh: department.nameZh, nameEn: department.nameEn }
          : { code: record.departmentCode, nameZh: record.departmentCode, nameEn: record.departmentCode },
        submittedAt: record.submittedAt.toISOString(),
        dueAt: record.dueAt.toISOString(),
        overdue: isOverdue(record.status, record.dueAt, at),
        assignee: record.assigneeId ? (names.get(record.assigneeId) ?? null) : null,
        mine,
        answers,
        household: confirmedHousehold,
        resident,
        attachments: attachments.length,
        files: attachments.map((f) => ({ id: f.id, kind: f.kind, mimeType: f.mimeType })),
        history: events.map((e) => ({
          at: e.at.toISOString(),
          kind: e.kind,
          actorKind: e.actorKind,
          actor: e.actorKind === 'staff' && e.actorId ? (names.get(e.actorId) ?? null) : null,
          note: e.noteCipher ? cipher.decrypt(e.noteCipher, piiAt.caseEventNote(record.id)) : null,
          internal: !e.visibleToResident,
          files: (['voice', 'photo', 'document'] as const).filter((k) =>
            attachments.some((f) => f.eventId === e.id && f.kind === k),
          ),
        })),
        can: {
          take: record.status === 'submitted' && record.assigneeId === null,
          act: mine && isOpen(record.status),
          reveal: !record.anonymous && resident !== null,
          release: mine && nextStatus(record.status, 'release') !== null,
        },
      });
    },

    /**
     * Full ID numbers (the resident's and the household member the case is about) and phone numbers, for
     * staff of the owning department only, on an explicit request: each view is written to the audit log.
     */
    async revealIdentity(
      telegramId: number,
      caseId: string,
    ): Promise<Result<RevealedIdentity, 'not_found' | 'not_allowed'>> {
      const a = await access(telegramId, caseId, 'reveal');
      if (!a.ok) return a;
      const { me, record } = a.value;
      if (record.anonymous || !record.residentId) {
        await deny(telegramId, 'reveal', record.anonymous ? 'anonymous' : 'no_identity', record.id);
        return fail('not_allowed');
      }
      const household = (await deps.households.findByResidentId(record.residentId))?.household;
      if (!household || household.resident.id !== record.residentId) return fail('not_allowed');
      const stored = storedAnswers(record.answersCipher, record.id);
      const service = deps.catalogue.version(record.serviceCode, stored.definition?.hash);
      const people: RevealedIdentity['people'] = [
        {
          name: household.resident.name,
          idNumber: cipher.decrypt(
            household.resident.idNumberCipher,
            piiAt.residentIdNumber(household.resident.id),
          ),
          role: 'resident',
        },
      ];
      const phones = new Set([
        cipher.decrypt(household.resident.phoneCipher, piiAt.residentPhone(household.resident.id)),
      ]);
      const subjects = [`resident:${household.resident.id}`];
      for (const step of service?.steps ?? []) {
        const value = stored.answers[step.id]?.value;
        if (!value) continue;
        if (step.kind === 'person') {
          for (const m of household.members.filter((x) => value.split(',').includes(x.id))) {
            people.push({
              name: m.name,
              idNumber: m.idNumberCipher
                ? cipher.decrypt(m.idNumberCipher, piiAt.memberIdNumber(m.id))
                : null,
              role: 'member',
            });
            subjects.push(`member:${m.id}`);
          }
        }
        if (step.kind === 'phone') phones.add(value);
      }
      await staff.audit(record.id, {
        actorTelegramId: telegramId,
        action: 'pii.view',
        subject: subjects.join(','),
        detail: { staffId: me.id, fields: ['idNumber', 'phone'] },
      });
      return ok({ number: record.number, people, phones: [...phones] });
    },

    /**
     * The resident's other cases (never for an anonymous suggestion, and never an anonymous one: neither is
     * tied to its resident for staff), newest first. Refused and audited as the card is.
     */
    async otherCases(telegramId: number, caseId: string): Promise<Result<OtherCase[], 'not_found'>> {
      const a = await access(telegramId, caseId, 'view');
      if (!a.ok) return a;
      const { me, record } = a.value;
      if (record.anonymous || !record.residentId) return ok([]);
      const rows = await deps.staffCases.otherNamedCases(record.residentId, record.id, OTHER_CASES_LIMIT);
      const departments = new Map((await staff.departments()).map((d) => [d.code, d]));
      return ok(
        rows.map((r) => {
          const d = departments.get(r.departmentCode);
          return {
            id: r.id,
            number: r.number,
            serviceCode: r.serviceCode,
            status: r.status,
            submittedAt: r.submittedAt.toISOString(),
            department: {
              code: r.departmentCode,
              nameZh: d?.nameZh ?? r.departmentCode,
              nameEn: d?.nameEn ?? r.departmentCode,
            },
            open: r.departmentCode === me.departmentCode,
          };
        }),
      );
    },

    /** The case's photos, voice messages and documents (audited: they may show documents with ID numbers). */
    async attachments(
      telegramId: number,
      caseId: string,
    ): Promise<
      Result<
        { number: string; files: { kind: 'photo' | 'voice' | 'document'; fileId: string }[] },
        'not_found'
      >
    > {
      const a = await access(telegramId, caseId, 'attachments');
      if (!a.ok) return a;
      const files = await cases.attachments(a.value.record.id);
      await staff.audit(a.value.record.id, {
        actorTelegramId: telegramId,
        action: 'pii.view',
        subject: 'attachments',
        detail: { staffId: a.value.me.id, files: files.length },
      });
      return ok({
        number: a.value.record.number,
        files: files.map((f) => ({ kind: f.kind, fileId: f.fileId })),
      });
    },

    /**
     * One of the case's files, for the console to stream from Telegram: the same access check and the same
     * audit row as the bot's "files" button (a file id not of this case is refused and audited too).
     */
    async attachment(
      telegramId: number,
      caseId: string,
      attachmentId: string,
    ): Promise<
      Result<
        {
          number: string;
          kind: 'photo' | 'voice' | 'document';
          fileId: string;
          mimeType: string | null;
          sizeBytes: number | null;
        },
        'not_found'
      >
    > {
      const a = await access(telegramId, caseId, 'attachments');
      if (!a.ok) return a;
      const files = await cases.attachments(a.value.record.id);
      const file = files.find((f) => f.id === attachmentId);
      if (!file) {
        await deny(telegramId, 'attachments', 'no_such_file', a.value.record.id);
        return fail('not_found');
      }
      await staff.audit(a.value.record.id, {
        actorTelegramId: telegramId,
        action: 'pii.view',
        subject: 'attachments',
        detail: { staffId: a.value.me.id, files: 1, attachment: file.id },
      });
      return ok({
        number: a.value.record.number,
        kind: file.kind,
        fileId: file.fileId,
        mimeType: file.mimeType,
        sizeBytes: file.sizeBytes,
      });
    },
  };
}
