// The reference lists the forms offer: communities and their buildings (registration, a notice's audience),
// a district's schools and hospitals (service requests). Read-only here; an admin reloads the reference
// file (src/db/reference-data.ts), after which `invalidate()` drops the kept lists.
import { beijingDateString } from '../domain/beijing-time.ts';
import type { DepartmentKind } from '../domain/catalogue/index.ts';
import { type CourseInfo, offeredCourses } from '../domain/course.ts';
import { type OpeningState, openingState, type WeekHours } from '../domain/opening-hours.ts';
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

/** A community service centre as the reference file describes it. */
export interface ServiceCentreInfo extends NamedOption {
  addressZh: string;
  addressEn: string;
  phone: string;
  hours: WeekHours;
  /** The communities it serves. */
  communities: NamedOption[];
}

/** A centre, with whether it is open now and when it opens next. */
export interface CentreContact extends ServiceCentreInfo {
  opening: OpeningState;
}

/** Where a resident goes and whom they call: their community's centre and, for a service, its window. */
export interface CommunityContact {
  community: NamedOption;
  /** Null when the reference file lists no centre for the community. */
  centre: CentreContact | null;
  /** The department's window at the centre (for a service), null when none is asked or none exists. */
  window: (NamedOption & { windowNo: string }) | null;
  /** Every department's window at the centre, by window number. */
  windows: { windowNo: string; kind: DepartmentKind }[];
}

/** Communities and buildings (src/db/repositories/reference.ts implements it, with a short cache). */
export interface ReferenceStore extends ReferenceLookup {
  /** The active service centres, with the communities each serves. */
  serviceCentres(): Promise<ServiceCentreInfo[]>;
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
  /** The district's skills-training courses (started or not, full or not), with their seats taken. */
  courses(districtCode: string): Promise<CourseInfo[]>;
}

/** What the contact look-ups need besides the reference lists (src/db/repositories: routing, households). */
export interface ContactLookup {
  /** The resident's community, or null when the Telegram user has no household file. */
  communityOf(telegramId: number): Promise<{ code: string; districtCode: string } | null>;
  department(
    districtCode: string,
    kind: DepartmentKind,
  ): Promise<{ code: string; nameZh: string; nameEn: string; windowNo: string } | null>;
  calendarExceptions(): Promise<ReadonlyMap<string, 'holiday' | 'workday'>>;
  /** The district's active departments and their window numbers. */
  windows(districtCode: string): Promise<{ windowNo: string; kind: DepartmentKind }[]>;
}

export function createReferenceService(deps: {
  reference: ReferenceStore;
  facilities: FacilityStore;
  contacts: ContactLookup;
  now: () => Date;
}) {
  const { reference, facilities, contacts, now } = deps;

  async function withOpening(centres: ServiceCentreInfo[]): Promise<CentreContact[]> {
    const calendar = { exceptions: await contacts.calendarExceptions() };
    const at = now();
    return centres.map((c) => ({ ...c, opening: openingState(c.hours, at, calendar) }));
  }

  /** contactFor, for a community (also a resident without Telegram, filed for at the window). */
  async function contactOfCommunity(
    place: { code: string; districtCode: string },
    kind: DepartmentKind | null,
  ): Promise<CommunityContact> {
    const [communities, centres] = await Promise.all([
      reference.listCommunities(),
      reference.serviceCentres(),
    ]);
    const community = communities.find((c) => c.code === place.code);
    const own = centres.find((c) => c.communities.some((m) => m.code === place.code));
    const department = kind ? await contacts.department(place.districtCode, kind) : null;
    const byNumber = new Intl.Collator('zh-CN', { numeric: true });
    const windows = (await contacts.windows(place.districtCode)).sort((a, b) =>
      byNumber.compare(a.windowNo, b.windowNo),
    );
    return {
      community: community
        ? { code: community.code, nameZh: community.nameZh, nameEn: community.nameEn }
        : { code: place.code, nameZh: place.code, nameEn: place.code },
      centre: own ? ((await withOpening([own]))[0] ?? null) : null,
      window: department
        ? {
            code: department.code,
            nameZh: department.nameZh,
            nameEn: department.nameEn,
            windowNo: department.windowNo,
          }
        : null,
      windows,
    };
  }

  return {
    /**
     * The resident's centre (open now? next opening?) and, when `kind` is given, the department's window;
     * null when they have no household file.
     */
    async contactFor(telegramId: number, kind: DepartmentKind | null): Promise<CommunityContact | null> {
      const place = await contacts.communityOf(telegramId);
      return place ? contactOfCommunity(place, kind) : null;
    },

    contactOfCommunity,
    /** Every active centre (for someone not registered yet). */
    allCentres: async (): Promise<CentreContact[]> => withOpening(await reference.serviceCentres()),
    listCommunities: () => reference.listCommunities(),
    listBuildings: (communityCode: string) => reference.listBuildings(communityCode),
    schools: (districtCode: string, stage: SchoolStage) => facilities.schools(districtCode, stage),
    hospitals: (districtCode: string) => facilities.hospitals(districtCode),
    /** The courses a resident of the district may sign up for now: not started, with a seat left. */
    offeredCourses: async (districtCode: string): Promise<CourseInfo[]> =>
      offeredCourses(await facilities.courses(districtCode), beijingDateString(now())),
  };
}

export type ReferenceService = ReturnType<typeof createReferenceService>;
