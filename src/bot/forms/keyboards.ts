// The buttons a form shows: the callback data (through the codec in ../buttons.ts) and the keyboards of a
// question, of a two-way question (stale draft, warning) and of the summary. See ./engine.ts for the whole.
import type { InlineKeyboardButton, InlineKeyboardMarkup } from 'grammy/types';
import { formButton } from '../buttons.ts';
import type { TFunction } from '../i18n.ts';
import type { Choice } from './types.ts';

/** The actions' short codes (the words the codec accepts) and what they mean. */
type ActionCode = Parameters<typeof formButton.pack>[0]['action'];
const ACTIONS = {
  c: 'choose',
  p: 'page',
  e: 'edit',
  b: 'back',
  s: 'skip',
  k: 'keep',
  ok: 'confirm',
  ch: 'change',
  x: 'cancel',
  d: 'done',
  w: 'rechoose',
  go: 'continue',
  rs: 'restart',
  st: 'stop',
} as const satisfies Record<ActionCode, string>;
export type Action = (typeof ACTIONS)[keyof typeof ACTIONS];
export type Callback = { seq: number; action: Action; n: number };

export const PAGE_SIZE = 24;
const MAX_LABEL = 40;

/** The data of a form's button: `n` is a choice, a page or a step (numbered actions), otherwise 0. */
export function data(seq: number, code: ActionCode, n = 0): string {
  return formButton.pack({ seq, action: code, n });
}

/** Callback data is written by the client: anything that does not parse is treated as a stale button. */
export function parseFormCallback(raw: string | undefined): Callback | null {
  const v = raw === undefined ? undefined : formButton.unpack(raw);
  return v ? { seq: v.seq, action: ACTIONS[v.action], n: v.n } : null;
}

export function truncate(label: string, max = MAX_LABEL): string {
  return label.length > max ? `${label.slice(0, max - 1)}…` : label;
}

export function rows(buttons: InlineKeyboardButton[], columns: number): InlineKeyboardButton[][] {
  const out: InlineKeyboardButton[][] = [];
  for (let i = 0; i < buttons.length; i += columns) out.push(buttons.slice(i, i + columns));
  return out;
}

/** Two buttons, one to a row: the two ways out of a question such as "keep it or choose again?". */
export function twoWay(seq: number, first: [string, ActionCode], second: [string, ActionCode]) {
  return oneToARow(seq, [first, second]);
}

/** The ways out of a question, one button to a row (e.g. continue / start over / stop). */
export function oneToARow(seq: number, ways: [string, ActionCode][]) {
  return { inline_keyboard: ways.map(([text, code]) => [{ text, callback_data: data(seq, code) }]) };
}

/** One page of a question's choices, its page buttons, "done" (multi-choice), then keep / skip / back. */
export function choiceKeyboard(o: {
  t: TFunction;
  seq: number;
  choices: Choice[];
  page: number;
  perPage: number;
  columns: number;
  /** Multi-choice: the places chosen so far (marked ✅), and a "done" button. */
  chosen?: ReadonlySet<number>;
  keep: boolean;
  /** The skip button's label, when the step may be skipped. */
  skip: string | null;
  back: boolean;
}): InlineKeyboardButton[][] {
  const { t, seq, choices, page, perPage } = o;
  const pageCount = Math.max(1, Math.ceil(choices.length / perPage));
  const start = page * perPage;
  const buttons = choices.slice(start, start + perPage).map((c, i) => ({
    text: `${o.chosen?.has(start + i) ? '✅ ' : ''}${truncate(c.label)}`,
    callback_data: data(seq, 'c', start + i),
  }));
  const kb = rows(buttons, o.columns);
  const nav: InlineKeyboardButton[] = [];
  if (page > 0) nav.push({ text: t('form:previous_page'), callback_data: data(seq, 'p', page - 1) });
  if (page < pageCount - 1) nav.push({ text: t('form:more'), callback_data: data(seq, 'p', page + 1) });
  if (nav.length) kb.push(nav);
  if (o.chosen) kb.push([{ text: t('form:multi_done'), callback_data: data(seq, 'd') }]);
  const extra: InlineKeyboardButton[] = [];
  if (o.keep) extra.push({ text: t('form:keep'), callback_data: data(seq, 'k') });
  if (o.skip) extra.push({ text: o.skip, callback_data: data(seq, 's') });
  if (o.back) extra.push({ text: t('form:back'), callback_data: data(seq, 'b') });
  if (extra.length) kb.push(extra);
  return kb;
}

/** The summary's buttons: confirm (unless left out), then change and cancel. */
export function summaryKeyboard(
  seq: number,
  labels: { confirm: string | null; change: string; cancel: string },
): InlineKeyboardMarkup {
  const kb: InlineKeyboardButton[][] = [];
  if (labels.confirm !== null) kb.push([{ text: labels.confirm, callback_data: data(seq, 'ok') }]);
  kb.push([
    { text: labels.change, callback_data: data(seq, 'ch') },
    { text: labels.cancel, callback_data: data(seq, 'x') },
  ]);
  return { inline_keyboard: kb };
}

/** The answers that may be changed, two to a row. */
export function changeKeyboard(
  seq: number,
  fields: { label: string; index: number }[],
): InlineKeyboardMarkup {
  return {
    inline_keyboard: rows(
      fields.map((f) => ({ text: f.label, callback_data: data(seq, 'e', f.index) })),
      2,
    ),
  };
}
