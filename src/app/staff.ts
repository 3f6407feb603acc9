// The department staff's work on cases: the queue, taking the next case, the case card, and every action on
// it (reply, ask for more, internal note, transfer, resolve, reject, release), each with its notification to
// the resident and its audit row in the same transaction as the change. One service, put together from:
//   staff/access.ts        who may do what: the caller looked up each time, refusals audited ('not_found')
//   staff/desk.ts          whoami, the queue, next/take, a case by number, canned replies, duty
//   staff/case-views.ts    the case card, the full identity, the files (each look audited)
//   staff/case-actions.ts  the changes of a held case, and internal notes
//   staff/bulk.ts          bulk take and transfer (the console's queue), each case through the one-case use case
//   staff/ports.ts         StaffStore and StaffCaseStore, the storage they need (cases: ../case-store.ts)
import { createStaffAccess, type StaffDeps } from './staff/access.ts';
import { createBulkActions } from './staff/bulk.ts';
import { createCaseActions } from './staff/case-actions.ts';
import { createCaseViews } from './staff/case-views.ts';
import { createStaffDesk } from './staff/desk.ts';

export type { CaseChange, StaffAction, StaffDeps, StaffError } from './staff/access.ts';
export type { BulkAction, BulkError, BulkResult } from './staff/bulk.ts';
export type { StaffFile } from './staff/case-actions.ts';
export type { CardAnswer, CardPerson, OtherCase, RevealedIdentity, StaffCard } from './staff/case-views.ts';
export type { QueueItem, QueueNarrow, QueuePage } from './staff/desk.ts';

export function createStaffService(deps: StaffDeps) {
  const gate = createStaffAccess(deps);
  const desk = createStaffDesk(deps, gate);
  const actions = createCaseActions(deps, gate);
  return {
    ...desk,
    ...createCaseViews(deps, gate),
    ...actions,
    ...createBulkActions(deps, gate, { take: desk.take, transfer: actions.transfer }),
  };
}

export type StaffService = ReturnType<typeof createStaffService>;
