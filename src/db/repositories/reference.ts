import type { BuildingOption, NamedOption, ReferenceStore, ServiceCentreInfo } from '../../app/reference.ts';
import { weekHoursSchema } from '../../domain/opening-hours.ts';
import type { Db } from '../client.ts';

// Building codes are mostly numbers ("1", "2", … "36"): sorted as people count. One collator for all:
// `localeCompare` with options builds a new one at every comparison.
const byCode = new Intl.Collator('zh-CN', { numeric: true });

/** How long the lists a form offers (communities, buildings) are kept before they are read again. */
export const REFERENCE_CACHE_MS = 60_000;

interface Cached<T> {
  until: number;
  value: Promise<T>;
}

/**
 * Reference data: the lists every registration offers are kept in memory for `cacheMs` (they change only
 * when an admin reloads the reference file: `invalidate()` is called then, and other instances see the
 * change within `cacheMs`). Callers must not change the arrays they get.
 */
export function createReferenceRepository(
  db: Db,
  opts: { cacheMs?: number; now?: () => number } = {},
): ReferenceStore {
  const cacheMs = opts.cacheMs ?? REFERENCE_CACHE_MS;
  const now = opts.now ?? Date.now;
  const cache = new Map<string, Cached<unknown>>();
  function cached<T>(key: string, load: () => Promise<T>): Promise<T> {
    const hit = cache.get(key) as Cached<T> | undefined;
    if (hit && hit.until > now()) return hit.value;
    const value = load();
    cache.set(key, { until: now() + cacheMs, value });
    // A failed read is not kept: the next caller tries again.
    value.catch(() => {
      if (cache.get(key)?.value === value) cache.delete(key);
    });
    return value;
  }
  return {
    listCommunities(): Promise<(NamedOption & { districtCode: string })[]> {
      return cached('communities', () =>
        db.community.findMany({
          where: { active: true },
          select: { code: true, nameZh: true, nameEn: true, districtCode: true },
          orderBy: [{ districtCode: 'asc' }, { code: 'asc' }],
        }),
      );
    },

    listBuildings(communityCode: string): Promise<BuildingOption[]> {
      return cached(`buildings:${communityCode}`, async () => {
        const rows = await db.building.findMany({
          where: { communityCode, active: true },
          select: { id: true, code: true, nameZh: true, nameEn: true, units: true },
        });
        return rows.sort((a, b) => byCode.compare(a.code, b.code));
      });
    },

    /** The active service centres with the active communities each serves (hours checked as read back). */
    serviceCentres(): Promise<ServiceCentreInfo[]> {
      return cached('centres', async () => {
        const rows = await db.serviceCentre.findMany({
          where: { active: true },
          select: {
            code: true,
            nameZh: true,
            nameEn: true,
            addressZh: true,
            addressEn: true,
            phone: true,
            hours: true,
            communities: {
              where: { active: true },
              select: { code: true, nameZh: true, nameEn: true },
              orderBy: { code: 'asc' },
            },
          },
          orderBy: { code: 'asc' },
        });
        return rows.map((r) => ({ ...r, hours: weekHoursSchema.parse(r.hours) }));
      });
    },

    /** Forgets the kept lists (after the reference data was loaded again). */
    invalidate(): void {
      cache.clear();
    },

    async findBuilding(communityCode: string, buildingId: string): Promise<BuildingOption | null> {
      return db.building.findFirst({
        where: { id: buildingId, communityCode, active: true },
        select: { id: true, code: true, nameZh: true, nameEn: true, units: true },
      });
    },
  };
}
