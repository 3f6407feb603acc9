import type { Db } from '../client.ts';

export interface NamedOption {
  code: string;
  nameZh: string;
  nameEn: string;
}

export interface BuildingOption extends NamedOption {
  id: string;
  units: number;
}

export function createReferenceRepository(db: Db) {
  return {
    async listCommunities(): Promise<(NamedOption & { districtCode: string })[]> {
      return db.community.findMany({
        where: { active: true },
        select: { code: true, nameZh: true, nameEn: true, districtCode: true },
        orderBy: [{ districtCode: 'asc' }, { code: 'asc' }],
      });
    },

    async listBuildings(communityCode: string): Promise<BuildingOption[]> {
      const rows = await db.building.findMany({
        where: { communityCode, active: true },
        select: { id: true, code: true, nameZh: true, nameEn: true, units: true },
      });
      // Building codes are mostly numbers ("1", "2", … "36"): sort them as people count.
      return rows.sort((a, b) => a.code.localeCompare(b.code, 'zh-CN', { numeric: true }));
    },

    async findBuilding(communityCode: string, buildingId: string): Promise<BuildingOption | null> {
      return db.building.findFirst({
        where: { id: buildingId, communityCode, active: true },
        select: { id: true, code: true, nameZh: true, nameEn: true, units: true },
      });
    },
  };
}

export type ReferenceRepository = ReturnType<typeof createReferenceRepository>;
