// Limits against misuse by one person (a resident or anyone who writes to the bot). Each is small enough
// to stop a flood and large enough that nobody acting in good faith meets it; whoever meets one is told
// kindly what to do instead (locales: services:common.failed.*).
import { parseCaseNumber } from './case-number.ts';

/**
 * Open cases (submitted, in progress, waiting for the resident) one resident may have of one service at a
 * time. A fourth request of the same service while three are still open is refused; closed, withdrawn and
 * resolved cases do not count.
 */
export const MAX_OPEN_CASES_PER_SERVICE = 3;

/**
 * Urgent medical cases one resident may submit per Beijing calendar day. Each one pages every on-duty staff
 * member of the department at once; beyond this the resident is told to call 120 or the community.
 */
export const MAX_URGENT_CASES_PER_DAY = 2;

/**
 * Refusal rows ('access.denied') the audit log takes from one sender per hour. Further refusals are still
 * refused, only not written: a flood of forged buttons or `/open` commands cannot fill the append-only log.
 */
export const MAX_REFUSAL_AUDIT_ROWS_PER_HOUR = 30;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * What the audit log keeps of a reference someone typed or sent (after `/open`, in a button): the case
 * number when it parses as one, an internal id (a UUID) as it is, a button's family ('st', 'ad' …) — else
 * only the length. Never the text itself: it may hold a name, a phone or an ID number.
 */
export function auditedReference(
  kind: 'case' | 'canned' | 'button',
  raw: string,
): { subject: string | null; detail: { typedLength?: number } } {
  if (kind === 'button') {
    const family = /^([a-z]{1,8}):/.exec(raw)?.[1];
    return { subject: family ? `button:${family}` : null, detail: { typedLength: raw.length } };
  }
  const number = kind === 'case' ? parseCaseNumber(raw) : null;
  if (number) return { subject: `case:${number}`, detail: {} };
  if (UUID.test(raw)) return { subject: `${kind}:${raw.toLowerCase()}`, detail: {} };
  return { subject: null, detail: { typedLength: raw.length } };
}
