import type { TextResult } from '../forms/engine.ts';

/** A domain parser's result as a form step's answer (the label is the value unless `label` makes one). */
export function fromParsed<E extends string>(
  r: { ok: true; value: string } | { ok: false; error: E },
  label?: (v: string) => string,
): TextResult {
  return r.ok
    ? { ok: true, value: r.value, label: label ? label(r.value) : r.value }
    : { ok: false, error: r.error };
}
