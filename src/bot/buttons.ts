// The one codec for inline-button data. Every kind of button the bot makes is defined once, below the
// machinery, with `button(head, fields)`: the keyboard that makes a button calls `kind.pack(values)`, the
// handler that reads it is registered with `onButton(composer, kind, handler)` and receives the typed
// values. Nothing else in src/bot writes or parses callback data by hand (test/unit/buttons.test.ts checks).
//
// Grammar: `head` is one or two short words joined by ':' (`mc:open`, `st:act`); the fields follow in the
// order they are declared, each ':'-separated. A field is a UUID, a small non-negative integer, a code
// (a lowercase word such as a service or department code), a day (`20260131`), or one of a fixed set of
// words. Two kinds may share a head when their fields differ (`ad:inv:staff`, `ad:inv:d:<code>`). Where
// one kind's data also matches another's pattern (`svc:menu` and `svc:<service>`), the handler registered
// first wins; the definitions below say so where it happens. Telegram allows
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
import { EMPLOYMENT_STATUSES } from '../domain/employment.ts';
import { QUEUE_FILTERS } from '../domain/staff-work.ts';
import type { BotContext } from './context.ts';

export const UUID_PATTERN = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';

const PATTERNS = {
  uuid: UUID_PATTERN,
  int: '\\d{1,6}',
  /** Service, department and community codes (the reference data's grammar, at most 41 characters). */
  code: '[a-z0-9][a-z0-9_-]{0,40}',
  /** A Beijing calendar day, compact: `20260131`. */
  day: '\\d{8}',
  /** A database row id (a bigint, kept as its digits). */
  id: '\\d{1,19}',
} as const;
const WIDEST = {
  uuid: '00000000-0000-0000-0000-000000000000',
  int: '999999',
  code: 'a'.repeat(41),
  day: '20261231',
  id: '9'.repeat(19),
} as const;

export type FieldKind = keyof typeof PATTERNS | readonly [string, ...string[]];
type FieldValue<K> = K extends 'int' ? number : K extends readonly (infer W)[] ? W : string;
export type ButtonValues<F extends Record<string, FieldKind>> = { [N in keyof F]: FieldValue<F[N]> };

export interface ButtonKind<F extends Record<string, FieldKind>> {
  readonly head: string;
  /** Matches exactly this kind's data; for `composer.callbackQuery`. */
  readonly pattern: RegExp;
  pack(values: ButtonValues<F>): string;
  /** The typed values, or undefined when the data is not this kind's (forged, stale, another kind). */
  unpack(data: string | undefined): ButtonValues<F> | undefined;
  /** Whether the data is this kind's (for a conversation that waits for a press). */
  is(data: string | undefined): boolean;
  /** The longest data this kind can make (for the 64-byte test). */
  widest(): string;
}
/** The values a kind carries: `ValuesOf<typeof staffButtons.act>['action']`. */
export type ValuesOf<K> = K extends ButtonKind<infer F> ? ButtonValues<F> : never;

const MAX_BYTES = 64;
const HEAD = /^[a-z]{1,4}(:[a-z]{1,8})?$/;
const defined = new Map<string, ButtonKind<Record<string, FieldKind>>>();

const escapeRegExp = (word: string) => word.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const patternOf = (kind: FieldKind) =>
  typeof kind === 'string' ? PATTERNS[kind] : `(?:${kind.map(escapeRegExp).join('|')})`;
const widestOf = (kind: FieldKind) =>
  typeof kind === 'string' ? WIDEST[kind] : kind.reduce((a, b) => (b.length > a.length ? b : a));

/** Defines a kind of button once. A second definition of the same head and fields is a programming error. */
export function button<const F extends Record<string, FieldKind>>(head: string, fields: F): ButtonKind<F> {
  if (!HEAD.test(head)) throw new Error(`button head "${head}" does not follow the grammar`);
  const names = Object.keys(fields) as (keyof F & string)[];
  const source = [escapeRegExp(head), ...names.map((n) => `(${patternOf(fields[n] as FieldKind)})`)].join(
    ':',
  );
  if (defined.has(source)) throw new Error(`button "${head}" is defined twice`);
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
      const m = pattern.exec(data ?? '');
      if (!m) return undefined;
      const values: Record<string, string | number> = {};
      names.forEach((n, i) => {
        const raw = m[i + 1] as string;
        values[n] = fields[n] === 'int' ? Number(raw) : raw;
      });
      return values as ButtonValues<F>;
    },
    is: (data) => pattern.test(data ?? ''),
    widest: () => [head, ...names.map((n) => widestOf(fields[n] as FieldKind))].join(':'),
  };
  defined.set(source, kind as unknown as ButtonKind<Record<string, FieldKind>>);
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

// lang, reg — /language's choice, and the way into registration (features/basics.ts; offered by many)
export const languageButton = button('lang', { locale: ['zh-CN', 'en'] });
export const registerButton = button('reg:start', {});

// menu, dr — "🏠 back to the main menu" under a final message, and a form put aside: go on with it, or start
// it again (features/main-menu.ts, forms/aside.ts)
export const mainMenuButton = button('menu', {});
export const draftButtons = {
  resume: button('dr:go', {}),
  restart: button('dr:new', {}),
};

// svc — the services menu (features/cases.ts). `svc:menu` also matches `svc:<service>`: its handler is
// registered first.
export const serviceButtons = {
  menu: button('svc:menu', {}),
  service: button('svc', { service: 'code' }),
};

// mc — a resident's own cases (features/cases.ts; notifications to residents and a filed case link here)
export const myCaseButtons = {
  page: button('mc:page', { page: 'int' }),
  open: button('mc:open', { caseId: 'uuid' }),
  answer: button('mc:ans', { caseId: 'uuid' }),
  rate: button('mc:rate', { caseId: 'uuid' }),
  reopen: button('mc:reopen', { caseId: 'uuid' }),
  withdraw: button('mc:wd', { caseId: 'uuid' }),
  withdrawConfirmed: button('mc:wdok', { caseId: 'uuid' }),
  /** Sends again the n-th voice message or photo staff sent on the case (app/cases.ts `staffFiles`). */
  replay: button('mc:play', { caseId: 'uuid', n: 'int' }),
  keep: button('mc:keep', {}),
  /** The medical green channel's hospital card, shown again. */
  card: button('mc:card', { caseId: 'uuid' }),
  /** "Add documents" to an open case (features/cases.ts, conversations/case-documents.ts). */
  documents: button('mc:docs', { caseId: 'uuid' }),
};

// ib — what a resident sends outside a form (features/inbound.ts): the offer's "file it as a suggestion"
// (the words are the message the offer replies to), the main menu, and "not this case" on an addition
// (its event id): the other cases to move it to, or a suggestion instead.
export const inboundButtons = {
  suggest: button('ib:sg', {}),
  notThis: button('ib:not', { eventId: 'id' }),
  moveTo: button('ib:mv', { eventId: 'id', caseId: 'uuid' }),
  suggestInstead: button('ib:sgx', { eventId: 'id' }),
};

// st, sq — a staff member's case card and queue (features/staff.ts; staff notifications link here too)
export const staffButtons = {
  next: button('st:next', {}),
  open: button('st:open', { caseId: 'uuid' }),
  take: button('st:take', { caseId: 'uuid' }),
  reveal: button('st:id', { caseId: 'uuid' }),
  files: button('st:files', { caseId: 'uuid' }),
  full: button('st:full', { caseId: 'uuid' }),
  /** Starts a guided step (conversations/staff-action.ts). */
  act: button('st:act', {
    action: ['reply', 'ask', 'note', 'resolve', 'reject', 'transfer'],
    caseId: 'uuid',
  }),
  release: button('st:rel', { caseId: 'uuid' }),
  releaseConfirmed: button('st:relok', { caseId: 'uuid' }),
  duty: button('st:duty', { turn: ['on', 'off'] }),
};
export const queueButton = button('sq', { filter: QUEUE_FILTERS, page: 'int' });

// sa — the choices inside a staff member's guided step (conversations/staff-action.ts)
export const staffStepButtons = {
  department: button('sa:dept', { department: 'code' }),
  canned: button('sa:canned', { cannedId: 'uuid' }),
  send: button('sa:send', {}),
  rewrite: button('sa:rewrite', {}),
  cancel: button('sa:cancel', {}),
};

// gp — a department group's post (features/staff-group.ts; posted through the notification outbox)
export const groupButtons = {
  take: button('gp:take', { caseId: 'uuid' }),
};

// hh — the household file and its members (features/household.ts)
export const householdButtons = {
  show: button('hh:show', {}),
  add: button('hh:add', {}),
  edit: button('hh:edit', { memberId: 'uuid' }),
  remove: button('hh:del', { memberId: 'uuid' }),
  removeConfirmed: button('hh:delok', { memberId: 'uuid' }),
  keep: button('hh:keep', {}),
  /** Employment (features/employment.ts): whose status to set, that person, and the status chosen. */
  employment: button('hh:job', {}),
  employmentPerson: button('hh:jobp', { personId: 'uuid' }),
  employmentSet: button('hh:jobs', { personId: 'uuid', status: EMPLOYMENT_STATUSES }),
};

// ad — administration: invites, staff, canned replies, export (features/manage.ts)
export const adminButtons = {
  inviteRole: button('ad:inv', { role: ['staff', 'worker'] }),
  /** `d`: staff of a department, `c`: a worker of a community. */
  inviteUnit: button('ad:inv', { unit: ['d', 'c'], code: 'code' }),
  /** On the message that shows a new code: withdraw it while nobody has used it. */
  inviteRevoke: button('ad:invx', { inviteId: 'uuid' }),
  removeStaff: button('ad:rm', { staffId: 'uuid' }),
  removeStaffConfirmed: button('ad:rmok', { staffId: 'uuid' }),
  keep: button('ad:keep', {}),
  canned: button('ad:cn', { department: 'code' }),
  cannedAdd: button('ad:cnadd', { department: 'code' }),
  /** Sent by /export before the export with personal data moved to the console: kept for buttons still in chats. */
  export: button('ad:exp', { kind: ['plain', 'pii'], from: 'day', to: 'day' }),
  cannedDelete: button('ad:cndel', { cannedId: 'uuid' }),
  /** The period is [from, to) in Beijing days. */
};

// rc — registration conflicts: an administrator moves a registration after the window's ID-card check, or
// dismisses the conflict, each after a confirmation (features/conflicts.ts)
export const conflictButtons = {
  move: button('rc:mv', { conflictId: 'uuid' }),
  moveConfirmed: button('rc:mvok', { conflictId: 'uuid' }),
  dismiss: button('rc:no', { conflictId: 'uuid' }),
  dismissConfirmed: button('rc:nook', { conflictId: 'uuid' }),
  keep: button('rc:keep', {}),
};

// nt — community notices: a resident's read receipt and a preview's button (notice-render.ts), the list,
// cancelling a scheduled notice, a resident's preference (features/notices.ts)
export const communityNoticeButtons = {
  read: button('nt:read', { noticeId: 'uuid' }),
  preview: button('nt:pv', {}),
  page: button('nt:page', { page: 'int' }),
  cancel: button('nt:cx', { noticeId: 'uuid' }),
  cancelConfirmed: button('nt:cxok', { noticeId: 'uuid' }),
  keep: button('nt:keep', {}),
  preference: button('nt', { turn: ['off', 'on'] }),
};

// jb — job recommendations (features/job-offers.ts): staff start writing them from the case card; the
// resident opens the list (from the notification) and says "I'm interested" in one job
export const jobButtons = {
  write: button('jb:new', { caseId: 'uuid' }),
  list: button('jb:list', { caseId: 'uuid' }),
  interested: button('jb:int', { jobId: 'uuid' }),
};

// lb — /labour's pages: households with labour but nobody employed (features/labour.ts)
export const labourButton = button('lb', { page: 'int' });

// pd — /deleteme's confirmation (features/privacy.ts)
export const privacyButtons = {
  erase: button('pd:erase', {}),
  keep: button('pd:keep', {}),
};

// Forms (src/bot/forms)
/**
 * Every button of a form: `f:<seq>:<action>:<n>`. `seq` is the question the button belongs to (see
 * forms/session.ts); `n` is a choice's place in the whole list (`c`), a page (`p`) or a step to change
 * (`e`), and 0 for the other actions. The actions are spelled out in forms/keyboards.ts.
 */
export const formButton = button('f', {
  seq: 'int',
  action: ['c', 'p', 'e', 'b', 's', 'k', 'ok', 'ch', 'x', 'd', 'w', 'go', 'rs', 'st'],
  n: 'int',
});
