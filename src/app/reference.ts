// The reference lists the forms offer: communities and their buildings (registration, a notice's audience),
// a district's schools and hospitals (service requests). Read-only here; an admin reloads the reference
// file (src/db/reference-data.ts), after which `invalidate()` drops the kept lists.
import type { ReferenceLookup } from './households.ts';

export interface NamedOption {
  code: string;
  nameZh: string;
  nameEn: string;
}

export interface BuildingOption extends NamedOption {
  id: string;
  units: number;
}

/** Communities and buildings (src/db/repositories/reference.ts implements it, with a short cache). */
export interface ReferenceStore extends ReferenceLookup {
  listCommunities(): Promise<(NamedOption & { districtCode: string })[]>;
  listBuildings(communityCode: string): Promise<BuildingOption[]>;
  findBuilding(communityCode: string, buildingId: string): Promise<BuildingOption | null>;
  /** Forgets the kept lists (after the reference data was loaded again). */
  invalidate(): void;
}

export type SchoolStage = 'kindergarten' | 'primary' | 'junior';

/** Schools and hospitals by district (src/db/repositories/routing.ts implements it). */
export interface FacilityStore {
  schools(districtCode: string, stage: SchoolStage): Promise<NamedOption[]>;
  /** The district's designated hospitals first, then the others. */
  hospitals(districtCode: string): Promise<NamedOption[]>;
}

export function createReferenceService(deps: { reference: ReferenceStore; facilities: FacilityStore }) {
  const { reference, facilities } = deps;
  return {
    listCommunities: () => reference.listCommunities(),
    listBuildings: (communityCode: string) => reference.listBuildings(communityCode),
    schools: (districtCode: string, stage: SchoolStage) => facilities.schools(districtCode, stage),
    hospitals: (districtCode: string) => facilities.hospitals(districtCode),
  };
}

export type ReferenceService = ReturnType<typeof createReferenceService>;
