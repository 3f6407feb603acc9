import { DEFAULT_SERVICES_DIR, loadServiceDir } from './load.ts';
import type { ServiceDefinition } from './types.ts';

export {
  DefinitionError,
  type DefinitionProblem,
  definitionHash,
  evaluate,
  parseServiceFile,
} from './definition.ts';
export { DEFAULT_SERVICES_DIR, loadServiceDir } from './load.ts';
export type * from './types.ts';
export { courseStep, REFERENCE_SOURCES, takesVoice } from './types.ts';

export interface Catalogue {
  /** Every definition known, earlier versions first (their texts, for cases filed under them). */
  all(): readonly ServiceDefinition[];
  /** A new catalogue in place of this one (a /reload that passed every check). */
  replace(services: readonly ServiceDefinition[], earlier?: readonly ServiceDefinition[]): void;
  /** The services offered, in menu order (retired ones left out). */
  list(): readonly ServiceDefinition[];
  /** A service still offered (not retired), by code: what a menu button, a draft or a word may open. */
  offered(code: string): ServiceDefinition | undefined;
  /** A service by code, retired or not (its open cases go on). */
  get(code: string): ServiceDefinition | undefined;
  /** The definition a case was filed under (its hash), else the current one. */
  version(code: string, hash: string | null | undefined): ServiceDefinition | undefined;
}

/**
 * `services` are the current definitions; `earlier` are definitions cases were filed under before (kept by
 * the database at each load): a service whose file was removed is still known through them, as retired.
 */
export function createCatalogue(
  services: readonly ServiceDefinition[],
  earlier: readonly ServiceDefinition[] = [],
): Catalogue {
  let current = build(services, earlier);
  return {
    all: () => current.all,
    list: () => current.offered,
    get: (code) => current.get(code),
    offered: (code) => {
      const s = current.get(code);
      return s && !s.retired ? s : undefined;
    },
    version: (code, hash) => current.version(code, hash),
    replace(next, nextEarlier = []) {
      current = build(next, nextEarlier);
    },
  };
}

function build(services: readonly ServiceDefinition[], earlier: readonly ServiceDefinition[]) {
  const byCode = new Map(services.map((s) => [s.code, s]));
  if (byCode.size !== services.length) throw new Error('service codes must be unique');
  for (const s of services) {
    if (!/^[a-z][a-z0-9_]{1,40}$/.test(s.code)) throw new Error(`bad service code "${s.code}"`);
    const ids = new Set(s.steps.map((st) => st.id));
    if (ids.size !== s.steps.length) throw new Error(`service ${s.code}: step ids must be unique`);
  }
  const byHash = new Map<string, ServiceDefinition>();
  for (const s of [...earlier, ...services]) byHash.set(`${s.code}:${s.hash}`, s);
  // A service known only from earlier cases: the latest version, retired.
  const gone = new Map<string, ServiceDefinition>();
  for (const s of earlier) {
    if (byCode.has(s.code)) continue;
    const seen = gone.get(s.code);
    if (!seen || seen.version <= s.version) gone.set(s.code, { ...s, retired: true });
  }
  return {
    all: [...earlier, ...services],
    offered: services.filter((s) => !s.retired),
    get: (code: string) => byCode.get(code) ?? gone.get(code),
    version: (code: string, hash: string | null | undefined) =>
      (hash ? byHash.get(`${code}:${hash}`) : undefined) ?? byCode.get(code) ?? gone.get(code),
  };
}

/**
 * The services of the one-stop window (reference/services), in menu order, as the files say at import
 * (their texts are checked when the program is composed: src/compose.ts).
 */
export const DEFAULT_SERVICES: readonly ServiceDefinition[] = lazyList(() =>
  loadServiceDir(DEFAULT_SERVICES_DIR),
);

/** A list read on first use (a broken file is then reported where it is read, not at import). */
function lazyList<T>(read: () => T[]): readonly T[] {
  let list: T[] | undefined;
  const get = () => {
    list ??= read();
    return list;
  };
  return new Proxy([] as T[], {
    get: (_t, key) => {
      const l = get();
      const v = Reflect.get(l, key, l);
      return typeof v === 'function' ? v.bind(l) : v;
    },
    has: (_t, key) => Reflect.has(get(), key),
    ownKeys: () => Reflect.ownKeys(get()),
    getOwnPropertyDescriptor: (_t, key) => Reflect.getOwnPropertyDescriptor(get(), key),
  });
}
