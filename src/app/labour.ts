// "Households with labour but nobody employed" (the policy's red line, src/domain/employment.ts): the list the
// district's human-resources staff and the community's workers work from. Who may see which communities is
// checked against the database at every call (a removed staff member loses it at once); every page shown is
// audited as a view of personal data (`pii.view`, naming each household's resident), and the phone is masked.
import { beijingDateString } from '../domain/beijing-time.ts';
import { maskPhone } from '../domain/mask.ts';
import type { Result } from '../domain/result.ts';
import type { NewAudit } from './case-store.ts';
import { type PiiCipher, piiAt } from './pii-cipher.ts';

export interface LabourHouseholdRow {
  householdId: string;
  communityCode: string;
  building: { nameZh: string; nameEn: string };
  unit: string;
  room: string;
  residentId: string;
  residentName: string;
  phoneCipher: Uint8Array;
  /** Everyone in the file, the resident included. */
  people: number;
  /** Of them, looking for work / without an employment status yet. */
  looking: number;
  unknown: number;
}

/** What the list needs from storage (src/db/repositories/labour.ts, staff.ts). */
export interface LabourStore {
  belowRedLine(
    communityCodes: readonly string[],
    today: string,
    page: number,
    pageSize: number,
  ): Promise<{ total: number; rows: LabourHouseholdRow[] }>;
  /** Whether the household is in one of the communities and below the red line on `today`. */
  isBelowRedLine(householdId: string, communityCodes: readonly string[], today: string): Promise<boolean>;
}

export interface LabourScopeStore {
  /**
   * The communities this person may see: those of the districts where they are active staff of the
   * human-resources department, and those where they are an active community worker.
   */
  labourCommunities(telegramId: number): Promise<string[]>;
  /** Every active community (for admins). */
  allCommunities(): Promise<string[]>;
  audit(audit: NewAudit): Promise<void>;
}

export interface LabourDeps {
  store: LabourStore;
  scope: LabourScopeStore;
  cipher: PiiCipher;
  adminTelegramIds: readonly number[];
  now: () => Date;
}

export const LABOUR_PAGE_SIZE = 8;

export interface LabourPage {
  page: number;
  pages: number;
  total: number;
  rows: (Omit<LabourHouseholdRow, 'phoneCipher'> & { phoneMasked: string })[];
}

export function createLabourService(deps: LabourDeps) {
  const { store, scope, cipher, now } = deps;
  const communitiesOf = async (telegramId: number) =>
    deps.adminTelegramIds.includes(telegramId)
      ? await scope.allCommunities()
      : await scope.labourCommunities(telegramId);
  return {
    /**
     * Whether the person may open this household's file because it is on their list (the console's
     * household page asks; its own access check, masking and audit rows go on as for any file).
     */
    async opensHousehold(telegramId: number, householdId: string): Promise<boolean> {
      const communities = await communitiesOf(telegramId);
      if (communities.length === 0) return false;
      return store.isBelowRedLine(householdId, communities, beijingDateString(now()));
    },

    /** Whether the person may list the households (for their command menu); nothing is audited. */
    async mayList(telegramId: number): Promise<boolean> {
      if (deps.adminTelegramIds.includes(telegramId)) return true;
      return (await scope.labourCommunities(telegramId)).length > 0;
    },

    async belowRedLine(telegramId: number, page: number): Promise<Result<LabourPage, 'not_allowed'>> {
      const communities = await communitiesOf(telegramId);
      if (communities.length === 0) {
        await scope.audit({
          actorTelegramId: telegramId,
          action: 'access.denied',
          detail: { what: 'labour' },
        });
        return { ok: false, error: 'not_allowed' };
      }
      const wanted = Number.isSafeInteger(page) && page >= 0 ? page : 0;
      const today = beijingDateString(now());
      let result = await store.belowRedLine(communities, today, wanted, LABOUR_PAGE_SIZE);
      const pages = Math.max(1, Math.ceil(result.total / LABOUR_PAGE_SIZE));
      const shown = Math.min(wanted, pages - 1);
      if (shown !== wanted) result = await store.belowRedLine(communities, today, shown, LABOUR_PAGE_SIZE);
      if (result.rows.length > 0) {
        await scope.audit({
          actorTelegramId: telegramId,
          action: 'pii.view',
          subject: result.rows.map((r) => `resident:${r.residentId}`).join(','),
          detail: { via: 'labour', page: shown, fields: ['name', 'phone'] },
        });
      }
      return {
        ok: true,
        value: {
          page: shown,
          pages,
          total: result.total,
          rows: result.rows.map(({ phoneCipher, ...r }) => ({
            ...r,
            phoneMasked: maskPhone(cipher.decrypt(phoneCipher, piiAt.residentPhone(r.residentId))),
          })),
        },
      };
    },
  };
}

export type LabourService = ReturnType<typeof createLabourService>;
