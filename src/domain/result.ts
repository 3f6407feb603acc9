// The one result type of the use cases: a value, or one of a closed set of errors (a string union) — no
// exception hierarchies. `ok` and `fail` build the two sides; a failure passes through unchanged
// (`if (!r.ok) return r;`) because its type does not depend on the value's.
export type Result<T, E> = { ok: true; value: T } | { ok: false; error: E };

export const ok = <T>(value: T): { ok: true; value: T } => ({ ok: true, value });
export const fail = <E>(error: E): { ok: false; error: E } => ({ ok: false, error });
