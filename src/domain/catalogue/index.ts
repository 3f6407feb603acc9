import { dibao, medicalGreenChannel, schoolEnrolment, suggestion } from './services.ts';
import type { ServiceDefinition } from './types.ts';

export type * from './types.ts';
export { takesVoice } from './types.ts';

export interface Catalogue {
  list(): readonly ServiceDefinition[];
  get(code: string): ServiceDefinition | undefined;
}

export function createCatalogue(services: readonly ServiceDefinition[]): Catalogue {
  const byCode = new Map(services.map((s) => [s.code, s]));
  if (byCode.size !== services.length) throw new Error('service codes must be unique');
  for (const s of services) {
    if (!/^[a-z][a-z0-9_]{1,40}$/.test(s.code)) throw new Error(`bad service code "${s.code}"`);
    const ids = new Set(s.steps.map((st) => st.id));
    if (ids.size !== s.steps.length) throw new Error(`service ${s.code}: step ids must be unique`);
  }
  return { list: () => services, get: (code) => byCode.get(code) };
}

/** The services of the one-stop window, in menu order. */
export const DEFAULT_SERVICES: readonly ServiceDefinition[] = [
  schoolEnrolment,
  medicalGreenChannel,
  dibao,
  suggestion,
];
