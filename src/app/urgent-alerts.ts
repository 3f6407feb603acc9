// Telling the resident truthfully who has their urgent case. At submission they are only told that the
// on-duty staff and the department's group are being alerted (or that nobody can be). Then, as the
// notification dispatcher records each alert's outcome, this follow-up decides:
// - one alert was actually sent (an on-duty staff member, the group, or the 15-minute escalation): the
//   resident is told once "the staff on duty have it";
// - none was sent and none is still likely to go soon (each failed for good, or failed URGENT_TRIES_BEFORE_
//   TELLING times): the resident is told once that nobody could be reached yet, and what to do meanwhile.
//   Should an alert still arrive later, "the staff on duty have it" follows.
// Each message is written at most once per case, whatever the number of dispatchers.
import { type CasePriority, type CaseStatus, isOpen } from '../domain/case-status.ts';
import type { ClaimedNotification } from './jobs/notification-dispatcher.ts';

/** Notifications that alert someone about an urgent case (a group post counts only for an urgent case). */
export const URGENT_ALERT_KINDS = [
  'staff.urgent_case',
  'staff.urgent_unclaimed',
  'group.new_case',
  'group.urgent_unclaimed',
] as const;

export const URGENT_RECEIVED_KIND = 'resident.urgent_received';
export const URGENT_UNREACHED_KIND = 'resident.urgent_unreached';

/** Failed tries of an alert (about a minute with the dispatcher's backoff) before the resident is told. */
export const URGENT_TRIES_BEFORE_TELLING = 3;

export interface AlertState {
  status: 'pending' | 'sent' | 'failed' | 'unreachable';
  attempts: number;
}

/** What the resident should hear now, given the case's alerts. */
export function urgentAlertOutcome(alerts: readonly AlertState[]): 'received' | 'unreached' | null {
  if (alerts.some((a) => a.status === 'sent')) return 'received';
  const stuck = alerts.every((a) => a.status !== 'pending' || a.attempts >= URGENT_TRIES_BEFORE_TELLING);
  return alerts.length > 0 && stuck ? 'unreached' : null;
}

/** The outbox as this follow-up needs it (src/db/repositories/notifications.ts implements it). */
export interface UrgentAlertStore {
  /** The case's priority and status, and its notifications of `kinds`; null when the case is gone. */
  urgentAlerts(
    caseId: string,
    kinds: readonly string[],
  ): Promise<{ priority: CasePriority; status: CaseStatus; alerts: AlertState[] } | null>;
  /**
   * Queues `kind` to the case's resident unless the case already has a notification of `kind` or of one of
   * `unless` (checked with the case row locked: two dispatchers cannot both write it). True if queued.
   */
  tellResidentOnce(caseId: string, kind: string, unless: readonly string[]): Promise<boolean>;
}

/** Runs after the dispatcher recorded an outcome; true when a message to the resident was queued. */
export function createUrgentAlertFollowUp(store: UrgentAlertStore) {
  return async (n: Pick<ClaimedNotification, 'kind' | 'caseId'>): Promise<boolean> => {
    if (!n.caseId || !(URGENT_ALERT_KINDS as readonly string[]).includes(n.kind)) return false;
    const c = await store.urgentAlerts(n.caseId, URGENT_ALERT_KINDS);
    // A case that is no longer open (withdrawn, answered) needs no word about who was alerted.
    if (c?.priority !== 'urgent' || !isOpen(c.status)) return false;
    const outcome = urgentAlertOutcome(c.alerts);
    if (outcome === 'received') return store.tellResidentOnce(n.caseId, URGENT_RECEIVED_KIND, []);
    if (outcome === 'unreached')
      return store.tellResidentOnce(n.caseId, URGENT_UNREACHED_KIND, [URGENT_RECEIVED_KIND]);
    return false;
  };
}
