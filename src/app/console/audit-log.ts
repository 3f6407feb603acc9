// The audit log, read by admins in the console: filterable by person (Telegram id), case (its number) and
// action (the start of its name), newest first, a page at a time. The rows never hold personal data in
// clear by design (src/domain/abuse-limits.ts auditedReference); what the view shows of a row's detail is
// masked once more all the same: any long run of digits (an ID number, a phone) keeps only its ends.
// Anyone else asking is refused and audited; each look is itself audited ('audit.view').
import { MAX_REFUSAL_AUDIT_ROWS_PER_HOUR } from '../../domain/abuse-limits.ts';
import { parseCaseNumber } from '../../domain/case-number.ts';
import { maskIdNumber, maskPhone } from '../../domain/mask.ts';
import { fail, ok, type Result } from '../../domain/result.ts';
import type { StaffStore } from '../staff/ports.ts';
import type { AuditFilter, LookupStore } from './lookup-ports.ts';

export const AUDIT_PAGE_SIZE = 50;
const HOUR_MS = 3600_000;

export interface AuditQuery {
  actor?: string;
  case?: string;
  action?: string;
  /** The last row id of the page before (the next page starts below it). */
  before?: string;
}

export interface AuditEntry {
  id: string;
  at: string;
  actorTelegramId: string | null;
  /** The actor's staff name, when they are staff. */
  actorName: string | null;
  action: string;
  caseNumber: string | null;
  subject: string | null;
  /** The detail's fields as `key: value` pairs (nested values flattened with dots), masked. */
  detail: [string, string][];
}

export interface AuditPage {
  /** The filters as understood (normalised), for the form and the links. */
  filter: { actor: string; case: string; action: string };
  entries: AuditEntry[];
  /** The id to ask for the next (older) page with, or null on the last page. */
  nextBefore: string | null;
  first: boolean;
}

/** invalid: a filter that cannot be one (letters in a Telegram id, not a case number, a strange action). */
export type AuditError = 'forbidden' | 'invalid';

/**
 * Masks runs of 7 or more digits (a phone, an ID number, anything that might be one) outside row ids: an
 * 11-digit run as a phone, others (an ID number) keeping their first 3 and last 2.
 */
export function maskDigitRuns(text: string): string {
  // Row ids (UUIDs) name no one and are left whole.
  return text
    .split(UUID_PART)
    .map((part) =>
      UUID_WHOLE.test(part)
        ? part
        : part.replace(/\d{6,}[\dXx]/g, (run) =>
            run.length === 11 && /^\d+$/.test(run) ? maskPhone(run) : maskIdNumber(run),
          ),
    )
    .join('');
}

const UUID_PART = /([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})/i;
const UUID_WHOLE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function flatten(value: unknown, prefix: string, out: [string, string][]): void {
  if (out.length >= 30) return;
  if (value === null || value === undefined) return;
  if (Array.isArray(value)) {
    out.push([prefix, maskDigitRuns(value.map((v) => (typeof v === 'object' ? '…' : String(v))).join(', '))]);
    return;
  }
  if (typeof value === 'object') {
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      flatten(v, prefix ? `${prefix}.${k}` : k, out);
    }
    return;
  }
  const text = String(value);
  out.push([prefix, maskDigitRuns(text.length > 200 ? `${text.slice(0, 200)}…` : text)]);
}

export interface AuditLogDeps {
  store: Pick<LookupStore, 'auditRows' | 'caseIdByNumber' | 'staffNames'>;
  staff: Pick<StaffStore, 'audit' | 'countAudit'>;
  adminTelegramIds: readonly number[];
  now: () => Date;
}

export function createAuditLogView(deps: AuditLogDeps) {
  const { store, staff, now } = deps;

  return {
    async page(telegramId: number, q: AuditQuery): Promise<Result<AuditPage, AuditError>> {
      if (!deps.adminTelegramIds.includes(telegramId)) {
        const since = new Date(now().getTime() - HOUR_MS);
        if ((await staff.countAudit(telegramId, 'access.denied', since)) < MAX_REFUSAL_AUDIT_ROWS_PER_HOUR) {
          await staff.audit(null, {
            actorTelegramId: telegramId,
            action: 'access.denied',
            detail: { attempted: 'audit_log', reason: 'not_admin' },
          });
        }
        return fail('forbidden');
      }
      const actor = (q.actor ?? '').normalize('NFKC').trim();
      const caseText = (q.case ?? '').trim();
      const action = (q.action ?? '').trim();
      const before = (q.before ?? '').trim();
      if (actor !== '' && !/^\d{1,15}$/.test(actor)) return fail('invalid');
      if (action !== '' && !/^[a-z_.]{1,64}$/.test(action)) return fail('invalid');
      if (before !== '' && !/^\d{1,19}$/.test(before)) return fail('invalid');
      const caseNumber = caseText === '' ? null : parseCaseNumber(caseText);
      if (caseText !== '' && !caseNumber) return fail('invalid');
      const filter: AuditFilter = {};
      if (actor !== '') filter.actorTelegramId = BigInt(actor);
      if (action !== '') filter.actionPrefix = action;
      if (before !== '') filter.beforeId = BigInt(before);
      const shown = { actor, case: caseNumber ?? '', action };
      let rows: Awaited<ReturnType<LookupStore['auditRows']>> = [];
      const caseId = caseNumber ? await store.caseIdByNumber(caseNumber) : null;
      if (!caseNumber || caseId) {
        if (caseId) filter.caseId = caseId;
        rows = await store.auditRows(filter, AUDIT_PAGE_SIZE + 1);
      }
      const pageRows = rows.slice(0, AUDIT_PAGE_SIZE);
      const names = await store.staffNames([
        ...new Set(pageRows.flatMap((r) => (r.actorTelegramId === null ? [] : [r.actorTelegramId]))),
      ]);
      await staff.audit(null, {
        actorTelegramId: telegramId,
        action: 'audit.view',
        detail: {
          filters: Object.entries(shown)
            .filter(([, v]) => v !== '')
            .map(([k]) => k),
          page: before === '' ? 'first' : 'next',
        },
      });
      return ok({
        filter: shown,
        entries: pageRows.map((r) => {
          const detail: [string, string][] = [];
          flatten(r.detail, '', detail);
          return {
            id: r.id.toString(),
            at: r.at.toISOString(),
            actorTelegramId: r.actorTelegramId === null ? null : r.actorTelegramId.toString(),
            actorName: r.actorTelegramId === null ? null : (names.get(r.actorTelegramId) ?? null),
            action: r.action,
            caseNumber: r.caseNumber,
            subject: r.subject === null ? null : maskDigitRuns(r.subject),
            detail,
          };
        }),
        nextBefore:
          rows.length > AUDIT_PAGE_SIZE ? (pageRows[pageRows.length - 1]?.id.toString() ?? null) : null,
        first: before === '',
      });
    },
  };
}

export type AuditLogView = ReturnType<typeof createAuditLogView>;
