// A resident's own case: the one look-up every follow-up makes first (the answer to staff, rating, reopening,
// documents added later, a message routed to the case). Someone else's case, an id that is not a UUID and a
// case that does not exist are all "not found": nobody learns whether another person's case exists.
import { z } from 'zod';
import { fail, ok, type Result } from '../domain/result.ts';
import type { CaseRecord, CaseStore } from './case-store.ts';
import type { HouseholdRecord } from './households.ts';

export interface OwnCase {
  record: CaseRecord;
  household: HouseholdRecord;
}

export async function findOwnCase(
  deps: {
    households: { findByTelegramId(telegramId: number): Promise<HouseholdRecord | null> };
    cases: Pick<CaseStore, 'findById'>;
  },
  telegramId: number,
  caseId: string,
): Promise<Result<OwnCase, 'not_registered' | 'not_found'>> {
  const household = await deps.households.findByTelegramId(telegramId);
  if (!household) return fail('not_registered');
  if (!z.uuid().safeParse(caseId).success) return fail('not_found');
  const record = await deps.cases.findById(caseId);
  if (!record || record.residentId !== household.resident.id) return fail('not_found');
  return ok({ record, household });
}
