// A case's life: submitted → accepted → in progress ⇄ waiting for the resident → resolved | rejected
// → closed. A resident may withdraw an open case and reopen a resolved one within REOPEN_DAYS.
export const CASE_STATUSES = [
  'submitted',
  'accepted',
  'in_progress',
  'waiting_resident',
  'resolved',
  'rejected',
  'closed',
  'withdrawn',
] as const;
export type CaseStatus = (typeof CASE_STATUSES)[number];
export type CasePriority = 'normal' | 'urgent';

/** What names a case wherever it is shown: a notification, a staff queue, a group post. */
export interface CaseHeading {
  id: string;
  number: string;
  serviceCode: string;
  status: CaseStatus;
  priority: CasePriority;
}

export const CASE_ACTIONS = [
  'take', // staff takes it (from the queue, /next, a group's button)
  'release', // staff puts it back in the queue
  'reply', // staff answers without closing
  'ask_info', // staff asks the resident for more
  'answer_info', // the resident answers
  'transfer', // to another department: back to the queue there
  'resolve',
  'reject',
  'close',
  'withdraw', // the resident
  'reopen', // the resident, within REOPEN_DAYS of resolution
] as const;
export type CaseAction = (typeof CASE_ACTIONS)[number];

export const OPEN_STATUSES: readonly CaseStatus[] = [
  'submitted',
  'accepted',
  'in_progress',
  'waiting_resident',
];
export const REOPEN_DAYS = 7;

const TRANSITIONS: Record<CaseAction, Partial<Record<CaseStatus, CaseStatus>>> = {
  take: { submitted: 'accepted' },
  release: { accepted: 'submitted', in_progress: 'submitted', waiting_resident: 'submitted' },
  reply: { accepted: 'in_progress', in_progress: 'in_progress', waiting_resident: 'in_progress' },
  ask_info: {
    accepted: 'waiting_resident',
    in_progress: 'waiting_resident',
    waiting_resident: 'waiting_resident',
  },
  answer_info: { waiting_resident: 'in_progress' },
  transfer: {
    submitted: 'submitted',
    accepted: 'submitted',
    in_progress: 'submitted',
    waiting_resident: 'submitted',
  },
  resolve: { accepted: 'resolved', in_progress: 'resolved', waiting_resident: 'resolved' },
  reject: {
    submitted: 'rejected',
    accepted: 'rejected',
    in_progress: 'rejected',
    waiting_resident: 'rejected',
  },
  close: { resolved: 'closed', rejected: 'closed' },
  withdraw: {
    submitted: 'withdrawn',
    accepted: 'withdrawn',
    in_progress: 'withdrawn',
    waiting_resident: 'withdrawn',
  },
  reopen: { resolved: 'in_progress' },
};

/** The status after `action`, or null when the action is not allowed from `from`. */
export function nextStatus(from: CaseStatus, action: CaseAction): CaseStatus | null {
  return TRANSITIONS[action][from] ?? null;
}

export function isOpen(status: CaseStatus): boolean {
  return OPEN_STATUSES.includes(status);
}

/** A resolved case may be reopened by its resident for REOPEN_DAYS days after it was resolved. */
export function canReopen(status: CaseStatus, resolvedAt: Date | null, now: Date): boolean {
  if (status !== 'resolved' || !resolvedAt) return false;
  return now.getTime() - resolvedAt.getTime() <= REOPEN_DAYS * 86_400_000;
}
