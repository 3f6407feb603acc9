// What staff do to a case they hold: reply, ask for more, resolve, reject, release, transfer — each with
// its notification to the resident and its audit row in the same transaction as the change — and the
// internal note any staff member of the department may leave.
import { z } from 'zod';
import { type CaseStatus, nextStatus } from '../../domain/case-status.ts';
import { anyFileTooLarge, anyVoiceTooLong } from '../../domain/file-size.ts';
import { fail, ok, type Result } from '../../domain/result.ts';
import { STAFF_CAPTION_MAX, STAFF_TEXT_MAX } from '../../domain/staff-work.ts';
import { fileRefSchema, newAttachment } from '../case-answers.ts';
import type { NewAudit, NewNotification, NewTell, TransitionInput } from '../case-store.ts';
import { piiAt } from '../pii-cipher.ts';
import type { Access, CaseChange, StaffAccess, StaffDeps, StaffError } from './access.ts';

const noteSchema = z.string().trim().min(1).max(STAFF_TEXT_MAX);
const captionSchema = z.string().trim().min(1).max(STAFF_CAPTION_MAX);
/** What a staff member may send a resident instead of (or with) words: a voice message or a photo. */
const staffFileSchema = fileRefSchema.extend({ kind: z.enum(['voice', 'photo']) });
export type StaffFile = z.infer<typeof staffFileSchema>;

/** How each change is written: its event, the resident's notification, the case's other fields. */
interface ChangeSpec {
  event: string;
  /** The notification kind to the resident; none for a release. */
  notify?: string;
  /** The event is for the staff only. */
  internal?: boolean;
  /** The case leaves the holder (back to the queue, or to another department): edit its group posts. */
  leavesHolder?: boolean;
  patch?: (at: Date) => TransitionInput['patch'];
}

const CHANGES: Record<CaseChange, ChangeSpec> = {
  reply: { event: 'reply', notify: 'resident.reply' },
  ask_info: { event: 'ask_info', notify: 'resident.info_requested' },
  resolve: { event: 'resolved', notify: 'resident.resolved', patch: (at) => ({ resolvedAt: at }) },
  reject: { event: 'rejected', notify: 'resident.rejected' },
  release: { event: 'released', internal: true, leavesHolder: true, patch: () => ({ assigneeId: null }) },
  // The reason is for the receiving department; the resident hears where the case went.
  transfer: { event: 'transferred', notify: 'resident.transferred', internal: true, leavesHolder: true },
};

/** Checks that `me` holds the case and that `change` is allowed from its status. */
function mayChange(a: Access, change: CaseChange): CaseStatus | null {
  if (a.record.assigneeId !== a.me.id) return null;
  return nextStatus(a.record.status, change);
}

function residentNotification(
  record: Access['record'],
  kind: string,
  payload: Record<string, unknown> = {},
): NewNotification[] {
  return record.telegramId === null
    ? []
    : [{ telegramId: record.telegramId, kind, payload, withEventId: true }];
}

/**
 * For a resident without Telegram (registered at the window), what the notification would have said
 * becomes an item to tell them by phone or at the window. Not for an anonymous suggestion: telling it
 * would name its author to the clerk.
 */
export function residentTells(
  record: Pick<Access['record'], 'telegramId' | 'residentId' | 'anonymous'>,
  kind: string,
  params: Record<string, string> = {},
): NewTell[] {
  return record.telegramId === null && record.residentId !== null && !record.anonymous
    ? [{ residentId: record.residentId, kind, params }]
    : [];
}

export function createCaseActions(deps: StaffDeps, gate: StaffAccess) {
  const { staff, staffCases, cases, cipher, now } = deps;
  const { access } = gate;

  /**
   * A transfer's part of the change: the target department (same district, not the case's own), its
   * on-duty staff alerted if the case is urgent, and the audit detail naming both departments. Null when
   * the target is refused.
   */
  async function transferTo(a: Access, departmentCode: string | undefined) {
    const { me, record } = a;
    const target = departmentCode ? await staff.department(departmentCode) : null;
    const own = await staff.department(record.departmentCode);
    if (!target || !own || target.code === record.departmentCode || target.districtCode !== own.districtCode)
      return null;
    const alerts =
      record.priority === 'urgent'
        ? (await deps.onDutyStaff(target.code)).map((id) => ({
            telegramId: id,
            kind: 'staff.urgent_case',
            payload: { serviceCode: record.serviceCode },
          }))
        : [];
    return {
      patch: { assigneeId: null, departmentCode: target.code },
      notificationPayload: { to: target.code },
      alerts,
      detail: { staffId: me.id, from: record.departmentCode, to: target.code },
    };
  }

  async function change(
    telegramId: number,
    caseId: string,
    kind: CaseChange,
    text: string | null,
    extra: { departmentCode?: string; file?: StaffFile } = {},
  ): Promise<Result<{ number: string }, StaffError>> {
    const a = await access(telegramId, caseId, kind);
    if (!a.ok) return a;
    const { me, record } = a.value;
    const to = mayChange(a.value, kind);
    if (!to) return fail('not_allowed');
    // With a voice message or a photo the words are optional (and travel as its caption: shorter).
    const file = extra.file === undefined ? null : staffFileSchema.safeParse(extra.file);
    if (file && (!file.success || anyFileTooLarge([file.data]) || anyVoiceTooLong([file.data])))
      return fail('invalid');
    const note = text === null ? null : (file ? captionSchema : noteSchema).safeParse(text);
    if (note && !note.success) return fail('invalid');
    if (!note && !file && kind !== 'release') return fail('invalid');
    const at = now();
    const spec = CHANGES[kind];
    const transfer = kind === 'transfer' ? await transferTo(a.value, extra.departmentCode) : undefined;
    if (transfer === null) return fail('invalid');
    const audit: NewAudit = {
      actorTelegramId: telegramId,
      action: `case.${kind}`,
      detail: transfer?.detail ?? { staffId: me.id },
    };
    const outcome = await cases.transition({
      caseId: record.id,
      from: [record.status],
      to,
      assigneeId: me.id,
      patch: transfer?.patch ?? spec.patch?.(at),
      event: {
        actorKind: 'staff',
        actorId: me.id,
        kind: spec.event,
        noteCipher: note?.success ? cipher.encrypt(note.data, piiAt.caseEventNote(record.id)) : null,
        ...(spec.internal ? { visibleToResident: false } : {}),
      },
      attachments: file?.success ? [newAttachment(file.data, null)] : [],
      notifications: [
        ...(spec.notify ? residentNotification(record, spec.notify, transfer?.notificationPayload) : []),
        ...(transfer?.alerts ?? []),
      ],
      tells: spec.notify ? residentTells(record, spec.notify, transfer?.notificationPayload) : [],
      refreshGroupPosts: spec.leavesHolder,
      audit,
    });
    return outcome === 'ok' ? ok({ number: record.number }) : fail('conflict');
  }

  return {
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

    /** A reply: words, or a voice message or a photo (with words or not), which the resident gets as such. */
    reply: (telegramId: number, caseId: string, text: string | null, file?: StaffFile) =>
      change(telegramId, caseId, 'reply', text, { file }),
    /** A question to the resident: words, or a voice message or a photo (with words or not). */
    askInfo: (telegramId: number, caseId: string, question: string | null, file?: StaffFile) =>
      change(telegramId, caseId, 'ask_info', question, { file }),
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
        cipher.encrypt(note.data, piiAt.caseEventNote(a.value.record.id)),
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
  };
}
