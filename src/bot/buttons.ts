// The one codec for inline-button data. Every kind of button the bot makes is defined once, below the
// machinery, with `button(head, fields)`: the keyboard that makes a button calls `kind.pack(values)`, the
// handler that reads it is registered with `onButton(composer, kind, handler)` and receives the typed
// values. Nothing else in src/bot writes or parses callback data by hand.
//
// Grammar: `head` is one or two short words joined by ':' (`mc:open`, `st:act`); the fields follow in the
// order they are declared, each ':'-separated. A field is a UUID, a small non-negative integer, a code
// (a lowercase word such as a service or department code), or one of a fixed set of words. Telegram allows
// 64 bytes of callback data: `pack` refuses anything longer or anything that would not match its own
// pattern (a programming error, caught by tests), and `widest` shows the longest data a kind can make so a
// test keeps every kind inside the limit.
//
// The first word of a head is its family (`mc`, `st`, …). A family's catch-all (`family('st')`) answers
// forged or outdated buttons of that family after every real handler had its chance.
//
// Why not a library: grammY's callback-data plugins (`callback-data`, `@grammyjs/menu`) either keep a
// menu's state in the session (our buttons must work after a restart and across instances with no session
// for them) or encode with their own separators without typing the fields; the codec is ~100 lines.
import type { Composer, Filter } from 'grammy';
import type { BotContext } from './context.ts';

export const UUID_PATTERN = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';

const PATTERNS = {
  uuid: UUID_PATTERN,
  int: '\\d{1,6}',
  code: '[a-z][a-z0-9_]{0,40}',
} as const;
const WIDEST = { uuid: '00000000-0000-0000-0000-000000000000', int: '999999', code: 'a'.repeat(41) } as const;

export type FieldKind = keyof typeof PATTERNS | readonly [string, ...string[]];
type FieldValue<K> = K extends 'int' ? number : K extends readonly (infer W)[] ? W : string;
export type ButtonValues<F extends Record<string, FieldKind>> = { [N in keyof F]: FieldValue<F[N]> };

export interface ButtonKind<F extends Record<string, FieldKind>> {
  readonly head: string;
  /** Matches exactly this kind's data; for `composer.callbackQuery`. */
  readonly pattern: RegExp;
  pack(values: ButtonValues<F>): string;
  /** The typed values, or undefined when the data is not this kind's (forged, stale, another kind). */
  unpack(data: string): ButtonValues<F> | undefined;
  /** The longest data this kind can make (for the 64-byte test). */
  widest(): string;
}

const MAX_BYTES = 64;
const HEAD = /^[a-z]{1,4}(:[a-z]{1,8})?$/;
const defined = new Map<string, ButtonKind<Record<string, FieldKind>>>();

const escapeRegExp = (word: string) => word.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const patternOf = (kind: FieldKind) =>
  typeof kind === 'string' ? PATTERNS[kind] : `(?:${kind.map(escapeRegExp).join('|')})`;
const widestOf = (kind: FieldKind) =>
  typeof kind === 'string' ? WIDEST[kind] : kind.reduce((a, b) => (b.length > a.length ? b : a));

/** Defines a kind of button once. A second definition of the same head is a programming error. */
export function button<const F extends Record<string, FieldKind>>(head: string, fields: F): ButtonKind<F> {
  if (!HEAD.test(head)) throw new Error(`button head "${head}" does not follow the grammar`);
  if (defined.has(head)) throw new Error(`button "${head}" is defined twice`);
  const names = Object.keys(fields) as (keyof F & string)[];
  const source = [escapeRegExp(head), ...names.map((n) => `(${patternOf(fields[n] as FieldKind)})`)].join(
    ':',
  );
  const pattern = new RegExp(`^${source}$`);
  const kind: ButtonKind<F> = {
    head,
    pattern,
    pack(values) {
      const data = [head, ...names.map((n) => String(values[n]))].join(':');
      if (!pattern.test(data) || Buffer.byteLength(data) > MAX_BYTES) {
        throw new Error(`button "${head}" cannot carry ${JSON.stringify(values)}`);
      }
      return data;
    },
    unpack(data) {
      const m = pattern.exec(data);
      if (!m) return undefined;
      const values: Record<string, string | number> = {};
      names.forEach((n, i) => {
        const raw = m[i + 1] as string;
        values[n] = fields[n] === 'int' ? Number(raw) : raw;
      });
      return values as ButtonValues<F>;
    },
    widest: () => [head, ...names.map((n) => widestOf(fields[n] as FieldKind))].join(':'),
  };
  defined.set(head, kind as unknown as ButtonKind<Record<string, FieldKind>>);
  return kind;
}

/** Every kind defined so far (for the test that keeps them inside Telegram's 64 bytes). */
export function definedButtons(): ButtonKind<Record<string, FieldKind>>[] {
  return [...defined.values()];
}

/** Registers a handler for one kind; it gets the typed values. */
export function onButton<C extends BotContext, F extends Record<string, FieldKind>>(
  composer: Composer<C>,
  kind: ButtonKind<F>,
  handler: (ctx: Filter<C, 'callback_query:data'>, values: ButtonValues<F>) => unknown,
): void {
  composer.callbackQuery(kind.pattern, async (ctx) => {
    const values = kind.unpack(ctx.callbackQuery.data);
    if (values) await handler(ctx, values);
  });
}

/** Matches any data of a family (`family('st')` → `st:…`), for the catch-all that answers forged buttons. */
export function family(...prefixes: string[]): RegExp {
  return new RegExp(`^(?:${prefixes.map(escapeRegExp).join('|')}):`);
}

// ---------------------------------------------------------------------------------------------------
// The kinds of button. Each is defined here once; the keyboard that makes it and the handler that reads it
// both use the definition. Keep them grouped by family.
// ---------------------------------------------------------------------------------------------------

// Forms (src/bot/forms)
/**
 * Every button of a form: `f:<seq>:<action>:<n>`. `seq` is the question the button belongs to (see
 * forms/session.ts); `n` is a choice's place in the whole list (`c`), a page (`p`) or a step to change
 * (`e`), and 0 for the other actions. The actions are spelled out in forms/keyboards.ts.
 */
export const formButton = button('f', {
  seq: 'int',
  action: ['c', 'p', 'e', 'b', 's', 'k', 'ok', 'ch', 'x', 'd', 'w', 'go', 'rs'],
  n: 'int',
});
