// The department staff's work on cases: the queue, taking the next case, the case card, and every action on
// it (reply, ask for more, internal note, transfer, resolve, reject, release), each with its notification to
// the resident and its audit row in the same transaction as the change.
//
// Permissions live here, not in the handlers: each call looks the caller up in the database (a removed
// member is refused on their very next action) and checks the case's department. Someone who is not staff,
// staff of another department, a removed member and a forged case id all get the same answer, 'not_found',
// and an audit row saying who tried what.
import { z } from 'zod';
import type { CaseRepository } from '../db/repositories/cases.ts';
import type { StaffRecord, StaffRepository } from '../db/repositories/staff.ts';
import type { StaffCaseRepository } from '../db/repositories/staff-cases.ts';
import { parseCaseNumber } from '../domain/case-number.ts';
import { type CaseStatus, isOpen, nextStatus } from '../domain/case-status.ts';
import type { Catalogue } from '../domain/catalogue/index.ts';
import { maskIdNumber, maskPhone } from '../domain/mask.ts';
import {
  isOverdue,
  isQueueFilter,
  QUEUE_PAGE_SIZE,
  type QueueFilter,
  STAFF_TEXT_MAX,
} from '../domain/staff-work.ts';
import { describeAnswers } from './cases.ts';
import type { HouseholdStore } from './households.ts';
import type { PiiCipher } from './pii-cipher.ts';

type Result<T, E> = { ok: true; value: T } | { ok: false; error: E };
const ok = <T>(value: T): { ok: true; value: T } => ({ ok: true, value });
const fail = <E>(error: E): { ok: false; error: E } => ({ ok: false, error });

/**
 * not_found: no such case for this caller (also: not staff, another department, removed, forged);
 * not_allowed: the caller may see the case but not do this now (not theirs, wrong status);
 * conflict: someone else acted first; invalid: the text or choice was refused.
 */
export type StaffError = 'not_found' | 'not_allowed' | 'conflict' | 'invalid';

export type StaffAction =
  | 'queue'
  | 'next'
  | 'open'
  | 'view'
  | 'take'
  | 'reveal'
  | 'attachments'
  | 'reply'
  | 'ask_info'
  | 'note'
  | 'transfer'
  | 'resolve'
  | 'reject'
  | 'release'
  | 'duty'
  | 'canned';

/** The actions that change a case and need the case to be the caller's own. */
export type CaseChange = 'reply' | 'ask_info' | 'resolve' | 'reject' | 'release' | 'transfer';

export interface StaffDeps {
  staff: Pick<
    StaffRepository,
    'activeMemberships' | 'names' | 'audit' | 'setOnDuty' | 'cannedReplies' | 'cannedReply'
  > &
    Pick<StaffRepository, 'departments' | 'department'>;
  staffCases: StaffCaseRepository;
  cases: Pick<CaseRepository, 'findById' | 'findByNumber' | 'events' | 'attachments' | 'transition'>;
  households: Pick<HouseholdStore, 'findByTelegramId'>;
  onDutyStaff(departmentCode: string): Promise<bigint[]>;
  catalogue: Catalogue;
  cipher: PiiCipher;
  now: () => Date;
}

export interface QueueItem {
  id: string;
  number: string;
  serviceCode: string;
  status: CaseStatus;
  priority: 'normal' | 'urgent';
  dueAt: string;
  overdue: boolean;
  mine: boolean;
  assigned: boolean;
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
  /** Each answered step: its id and the answer as shown (phones and ID numbers masked). */
  answers: { stepId: string; label: string; files: number }[];
  /** Who asked (never for an anonymous suggestion): name, masked phone and ID, address. */
  resident: {
    name: string;
    phoneMasked: string;
    idNumberMasked: string;
    address: { community: string; building: string; unit: string; room: string };
    communityEn: string;
    buildingEn: string;
  } | null;
  attachments: number;
  history: {
    at: string;
    kind: string;
    actor: string | null;
    actorKind: string;
    note: string | null;
    internal: boolean;
  }[];
  can: { take: boolean; act: boolean; reveal: boolean; release: boolean };
}

export interface RevealedIdentity {
  number: string;
  people: { name: string; idNumber: string | null; role: 'resident' | 'member' }[];
  phones: string[];
}

/** Tells the resident their case was taken (the repository leaves it out when the case has no Telegram id). */
const CASE_TAKEN_NOTICE = { kind: 'resident.case_taken', payload: {} };

const noteSchema = z.string().trim().min(1).max(STAFF_TEXT_MAX);
const isUuid = (id: string) => z.uuid().safeParse(id).success;

/** Answer step ids that carry an ID number or a phone: masked on the card, shown in full only on request. */
const isIdStep = (stepId: string) => /idNumber/i.test(stepId);

export function createStaffService(deps: StaffDeps) {
  const { staff, staffCases, cases, cipher, now } = deps;

  const storedAnswers = (blob: Uint8Array) =>
    cipher.decryptJson<{ answers: Record<string, { value: string | null } | undefined> }>(blob);

  async function member(telegramId: number): Promise<StaffRecord | null> {
    const rows = await staff.activeMemberships(telegramId);
    return rows.find((r) => r.role === 'staff' && r.departmentCode !== null) ?? null;
  }

  async function deny(
    telegramId: number,
    action: StaffAction,
    reason: string,
    caseId: string | null,
    rawCaseRef?: string,
  ): Promise<void> {
    await staff.audit(caseId, {
      actorTelegramId: telegramId,
      action: 'access.denied',
      subject: rawCaseRef ? `case:${rawCaseRef.slice(0, 80)}` : null,
      detail: { attempted: action, reason },
    });
  }

  type Access = { me: StaffRecord; record: NonNullable<Awaited<ReturnType<typeof cases.findById>>> };

  /** The caller as staff of the case's department, or a refusal (audited). */
  async function access(
    telegramId: number,
    caseId: string,
    action: StaffAction,
  ): Promise<Result<Access, 'not_found'>> {
    const me = await member(telegramId);
    const record = isUuid(caseId) ? await cases.findById(caseId) : null;
    if (!me || !record || record.departmentCode !== me.departmentCode) {
      const reason = !me ? 'not_staff' : !record ? 'no_such_case' : 'other_department';
      await deny(telegramId, action, reason, record?.id ?? null, record ? undefined : caseId);
      return fail('not_found');
    }
    return ok({ me, record });
  }

  function residentNotice(record: Access['record'], kind: string, payload: Record<string, unknown> = {}) {
    return record.telegramId === null
      ? []
      : [{ telegramId: record.telegramId, kind, payload, withEventId: true }];
  }

  /** Checks that `me` holds the case and that `change` is allowed from its status. */
  function mayChange(a: Access, change: CaseChange): CaseStatus | null {
    if (a.record.assigneeId !== a.me.id) return null;
    return nextStatus(a.record.status, change);
  }

  async function change(
    telegramId: number,
    caseId: string,
    kind: CaseChange,
    text: string | null,
    extra: { departmentCode?: string } = {},
  ): Promise<Result<{ number: string }, StaffError>> {
    const a = await access(telegramId, caseId, kind);
    if (!a.ok) return a;
    const { me, record } = a.value;
    const to = mayChange(a.value, kind);
    if (!to) return fail('not_allowed');
    const note = text === null ? null : noteSchema.safeParse(text);
    if (note && !note.success) return fail('invalid');
    const at = now();
    const noteCipher = note?.success ? cipher.encrypt(note.data) : null;
    const audit = { actorTelegramId: telegramId, action: `case.${kind}`, detail: { staffId: me.id } };
    const base = { caseId: record.id, from: [record.status], to, assigneeId: me.id, audit };
    let outcome: 'ok' | 'conflict';
    switch (kind) {
      case 'reply':
        outcome = await cases.transition({
          ...base,
          event: { actorKind: 'staff', actorId: me.id, kind: 'reply', noteCipher },
          notifications: residentNotice(record, 'resident.reply'),
        });
        break;
      case 'ask_info':
        outcome = await cases.transition({
          ...base,
          event: { actorKind: 'staff', actorId: me.id, kind: 'ask_info', noteCipher },
          notifications: residentNotice(record, 'resident.info_requested'),
        });
        break;
      case 'resolve':
        outcome = await cases.transition({
          ...base,
          patch: { resolvedAt: at },
          event: { actorKind: 'staff', actorId: me.id, kind: 'resolved', noteCipher },
          notifications: residentNotice(record, 'resident.resolved'),
        });
        break;
      case 'reject':
        outcome = await cases.transition({
          ...base,
          event: { actorKind: 'staff', actorId: me.id, kind: 'rejected', noteCipher },
          notifications: residentNotice(record, 'resident.rejected'),
        });
        break;
      case 'release':
        outcome = await cases.transition({
          ...base,
          patch: { assigneeId: null },
          event: { actorKind: 'staff', actorId: me.id, kind: 'released', visibleToResident: false },
          refreshGroupPosts: true,
        });
        break;
      case 'transfer': {
        const target = extra.departmentCode ? await staff.department(extra.departmentCode) : null;
        const own = await staff.department(record.departmentCode);
        if (
          !target ||
          !own ||
          target.code === record.departmentCode ||
          target.districtCode !== own.districtCode
        )
          return fail('invalid');
        const alerts =
          record.priority === 'urgent'
            ? (await deps.onDutyStaff(target.code)).map((id) => ({
                telegramId: id,
                kind: 'staff.urgent_case',
                payload: { serviceCode: record.serviceCode },
              }))
            : [];
        outcome = await cases.transition({
          ...base,
          patch: { assigneeId: null, departmentCode: target.code },
          // The reason is for the receiving department; the resident hears where the case went.
          event: {
            actorKind: 'staff',
            actorId: me.id,
            kind: 'transferred',
            noteCipher,
            visibleToResident: false,
          },
          notifications: [...residentNotice(record, 'resident.transferred', { to: target.code }), ...alerts],
          refreshGroupPosts: true,
          audit: { ...audit, detail: { staffId: me.id, from: record.departmentCode, to: target.code } },
        });
        break;
      }
    }
    return outcome === 'ok' ? ok({ number: record.number }) : fail('conflict');
  }

  function queueItem(
    r: Awaited<ReturnType<StaffCaseRepository['queue']>>['rows'][number],
    me: StaffRecord,
    at: Date,
  ): QueueItem {
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

  return {
    /** The caller's staff membership, or null (not staff, or removed). */
    async whoami(
      telegramId: number,
    ): Promise<{ id: string; departmentCode: string; displayName: string; onDuty: boolean } | null> {
      const me = await member(telegramId);
      return me
        ? {
            id: me.id,
            departmentCode: me.departmentCode ?? '',
            displayName: me.displayName,
            onDuty: me.onDuty,
          }
        : null;
    },

    async queue(
      telegramId: number,
      filter: string,
      page: number,
    ): Promise<
      Result<
        {
          filter: QueueFilter;
          page: number;
          pages: number;
          total: number;
          items: QueueItem[];
          department: { code: string; nameZh: string; nameEn: string };
        },
        'not_found'
      >
    > {
      const me = await member(telegramId);
      if (!me?.departmentCode) {
        await deny(telegramId, 'queue', 'not_staff', null);
        return fail('not_found');
      }
      const f: QueueFilter = isQueueFilter(filter) ? filter : 'open';
      const safePage = Number.isInteger(page) && page >= 0 && page < 100_000 ? page : 0;
      const { rows, total } = await staffCases.queue(me.departmentCode, f, me.id, safePage, QUEUE_PAGE_SIZE);
      const at = now();
      return ok({
        filter: f,
        page: safePage,
        pages: Math.max(1, Math.ceil(total / QUEUE_PAGE_SIZE)),
        total,
        items: rows.map((r) => queueItem(r, me, at)),
        department: (await staff.department(me.departmentCode)) ?? {
          code: me.departmentCode,
          nameZh: me.departmentCode,
          nameEn: me.departmentCode,
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
        residentNotice: CASE_TAKEN_NOTICE,
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
      via: 'card' | 'group' = 'card',
    ): Promise<Result<{ number: string }, StaffError>> {
      const a = await access(telegramId, caseId, 'take');
      if (!a.ok) return a;
      const { me, record } = a.value;
      if (record.status !== 'submitted' || record.assigneeId !== null) return fail('conflict');
      const taken = await staffCases.takeById(record.id, record.departmentCode, me.id, now(), {
        residentNotice: CASE_TAKEN_NOTICE,
        audit: { actorTelegramId: telegramId, action: 'case.take', detail: { staffId: me.id, via } },
      });
      return taken === 'conflict' ? fail('conflict') : ok({ number: taken.number });
    },

    /** A case number typed by staff → the case, if it is their department's. */
    async findByNumber(telegramId: number, typed: string): Promise<Result<string, 'not_found'>> {
      const number = parseCaseNumber(typed);
      const record = number ? await cases.findByNumber(number) : null;
      const me = await member(telegramId);
      if (!me || !record || record.departmentCode !== me.departmentCode) {
        await deny(
          telegramId,
          'open',
          !me ? 'not_staff' : !record ? 'no_such_case' : 'other_department',
          record?.id ?? null,
          record ? undefined : typed,
        );
        return fail('not_found');
      }
      return ok(record.id);
    },

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
      const service = deps.catalogue.get(record.serviceCode);
      // An anonymised case (its resident erased themselves, or the retention period passed) has no answers.
      const blank = record.answersCipher.length === 0;
      const stored = blank ? { answers: {} } : storedAnswers(record.answersCipher);
      const answers = (blank ? [] : describeAnswers(record, cipher, deps.catalogue)).map((ans) => {
        const step = service?.steps.find((s) => s.id === ans.stepId);
        const value = stored.answers[ans.stepId]?.value ?? null;
        let label = ans.label;
        if (step?.kind === 'phone' && value) label = maskPhone(value);
        else if (isIdStep(ans.stepId) && value) label = maskIdNumber(value);
        return { stepId: ans.stepId, label, files: ans.files.length };
      });
      const household =
        !record.anonymous && record.residentId && record.telegramId !== null
          ? await deps.households.findByTelegramId(Number(record.telegramId))
          : null;
      const resident =
        household && household.resident.id === record.residentId
          ? {
              name: household.resident.name,
              phoneMasked: maskPhone(cipher.decrypt(household.resident.phoneCipher)),
              idNumberMasked: maskIdNumber(cipher.decrypt(household.resident.idNumberCipher)),
              address: {
                community: household.community.nameZh,
                building: household.building.nameZh,
                unit: household.unit,
                room: household.room,
              },
              communityEn: household.community.nameEn,
              buildingEn: household.building.nameEn,
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
        department: department ?? {
          code: record.departmentCode,
          nameZh: record.departmentCode,
          nameEn: record.departmentCode,
        },
        submittedAt: record.submittedAt.toISOString(),
        dueAt: record.dueAt.toISOString(),
        overdue: isOverdue(record.status, record.dueAt, at),
        assignee: record.assigneeId ? (names.get(record.assigneeId) ?? null) : null,
        mine,
        answers,
        resident,
        attachments: attachments.length,
        history: events.map((e) => ({
          at: e.at.toISOString(),
          kind: e.kind,
          actorKind: e.actorKind,
          actor: e.actorKind === 'staff' && e.actorId ? (names.get(e.actorId) ?? null) : null,
          note: e.noteCipher ? cipher.decrypt(e.noteCipher) : null,
          internal: !e.visibleToResident,
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
      if (record.anonymous || !record.residentId || record.telegramId === null) {
        await deny(telegramId, 'reveal', record.anonymous ? 'anonymous' : 'no_identity', record.id);
        return fail('not_allowed');
      }
      const household = await deps.households.findByTelegramId(Number(record.telegramId));
      if (!household || household.resident.id !== record.residentId) return fail('not_allowed');
      const stored = storedAnswers(record.answersCipher);
      const service = deps.catalogue.get(record.serviceCode);
      const people: RevealedIdentity['people'] = [
        {
          name: household.resident.name,
          idNumber: cipher.decrypt(household.resident.idNumberCipher),
          role: 'resident',
        },
      ];
      const phones = new Set([cipher.decrypt(household.resident.phoneCipher)]);
      const subjects = [`resident:${household.resident.id}`];
      for (const step of service?.steps ?? []) {
        const value = stored.answers[step.id]?.value;
        if (!value) continue;
        if (step.kind === 'person') {
          const m = household.members.find((x) => x.id === value);
          if (m) {
            people.push({
              name: m.name,
              idNumber: m.idNumberCipher ? cipher.decrypt(m.idNumberCipher) : null,
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

    /** Whether the caller may start `change` on the case now (checked again when it is carried out). */
    async canChange(
      telegramId: number,
      caseId: string,
      kind: CaseChange,
    ): Promise<Result<{ number: string }, StaffError>> {
      const a = await access(telegramId, caseId, kind);
      if (!a.ok) return a;
      return mayChange(a.value, kind) ? ok({ number: a.value.record.number }) : fail('not_allowed');
    },

    /** Whether the caller may leave an internal note on the case (any staff member of its department). */
    async canNote(telegramId: number, caseId: string): Promise<Result<{ number: string }, StaffError>> {
      const a = await access(telegramId, caseId, 'note');
      return a.ok ? ok({ number: a.value.record.number }) : a;
    },

    reply: (telegramId: number, caseId: string, text: string) => change(telegramId, caseId, 'reply', text),
    askInfo: (telegramId: number, caseId: string, question: string) =>
      change(telegramId, caseId, 'ask_info', question),
    resolve: (telegramId: number, caseId: string, answer: string) =>
      change(telegramId, caseId, 'resolve', answer),
    reject: (telegramId: number, caseId: string, reason: string) =>
      change(telegramId, caseId, 'reject', reason),
    release: (telegramId: number, caseId: string) => change(telegramId, caseId, 'release', null),
    transfer: (telegramId: number, caseId: string, departmentCode: string, reason: string) =>
      change(telegramId, caseId, 'transfer', reason, { departmentCode }),

    /** An internal note (never shown to the resident): any staff member of the department may leave one. */
    async note(
      telegramId: number,
      caseId: string,
      text: string,
    ): Promise<Result<{ number: string }, StaffError>> {
      const a = await access(telegramId, caseId, 'note');
      if (!a.ok) return a;
      const note = noteSchema.safeParse(text);
      if (!note.success) return fail('invalid');
      const outcome = await staffCases.addNote(
        a.value.record.id,
        a.value.me.id,
        cipher.encrypt(note.data),
        now(),
        {
          actorTelegramId: telegramId,
          action: 'case.note',
          detail: { staffId: a.value.me.id },
        },
      );
      return outcome === 'ok' ? ok({ number: a.value.record.number }) : fail('not_found');
    },

    /** Departments of the same district a case may be transferred to. */
    async transferTargets(
      telegramId: number,
      caseId: string,
    ): Promise<Result<{ code: string; nameZh: string; nameEn: string }[], StaffError>> {
      const a = await access(telegramId, caseId, 'transfer');
      if (!a.ok) return a;
      if (!mayChange(a.value, 'transfer')) return fail('not_allowed');
      const own = await staff.department(a.value.record.departmentCode);
      const all = await staff.departments();
      return ok(
        all
          .filter((d) => d.code !== a.value.record.departmentCode && d.districtCode === own?.districtCode)
          .map(({ code, nameZh, nameEn }) => ({ code, nameZh, nameEn })),
      );
    },

    async cannedReplies(telegramId: number): Promise<Result<{ id: string; title: string }[], 'not_found'>> {
      const me = await member(telegramId);
      if (!me?.departmentCode) {
        await deny(telegramId, 'canned', 'not_staff', null);
        return fail('not_found');
      }
      return ok((await staff.cannedReplies(me.departmentCode)).map(({ id, title }) => ({ id, title })));
    },

    /** A canned reply's text, only from the caller's own department. */
    async cannedReply(telegramId: number, id: string): Promise<Result<string, 'not_found'>> {
      const me = await member(telegramId);
      const reply = isUuid(id) ? await staff.cannedReply(id) : null;
      if (!me || !reply || reply.departmentCode !== me.departmentCode) {
        await deny(telegramId, 'canned', !me ? 'not_staff' : 'other_department', null, `canned:${id}`);
        return fail('not_found');
      }
      return ok(reply.text);
    },

    async dutyStatus(telegramId: number): Promise<Result<boolean, 'not_found'>> {
      const me = await member(telegramId);
      if (!me) {
        await deny(telegramId, 'duty', 'not_staff', null);
        return fail('not_found');
      }
      return ok(me.onDuty);
    },

    /** A staff button whose data matches nothing the bot makes (forged, or from an old version). */
    async forgedButton(telegramId: number, data: string): Promise<void> {
      await staff.audit(null, {
        actorTelegramId: telegramId,
        action: 'access.denied',
        subject: `button:${data.slice(0, 64)}`,
        detail: { attempted: 'button', reason: 'forged' },
      });
    },

    /** On duty: alerted at once about urgent cases. */
    async setOnDuty(telegramId: number, onDuty: boolean): Promise<Result<boolean, 'not_found'>> {
      const me = await member(telegramId);
      if (!me) {
        await deny(telegramId, 'duty', 'not_staff', null);
        return fail('not_found');
      }
      await staff.setOnDuty(me.id, onDuty);
      await staff.audit(null, {
        actorTelegramId: telegramId,
        action: 'staff.duty',
        subject: `staff:${me.id}`,
        detail: { onDuty },
      });
      return ok(onDuty);
    },
  };
}

export type StaffService = ReturnType<typeof createStaffService>;
