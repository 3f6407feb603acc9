// The four services of the one-stop window are data now (reference/services/*.json); what stays in code
// are the named rules they use (rules.ts), re-exported here for their readers.
export {
  CARE_TYPES,
  type CareType,
  medicalCareType,
  SCHOOL_STAGES,
  schoolStageMatchesAge,
  schoolStageOf,
  usualAges,
} from './rules.ts';

import { DEFAULT_SERVICES_DIR, loadServiceDir } from './load.ts';
import type { ServiceDefinition } from './types.ts';

const shipped = loadServiceDir(DEFAULT_SERVICES_DIR);
const shippedService = (code: string): ServiceDefinition => {
  const s = shipped.find((x) => x.code === code);
  if (!s) throw new Error(`reference/services has no "${code}"`);
  return s;
};

/** The four shipped services, by name (tests and benchmarks read them). */
export const schoolEnrolment = shippedService('school_enrolment');
export const medicalGreenChannel = shippedService('medical_green_channel');
export const dibao = shippedService('dibao');
export const suggestion = shippedService('suggestion');
