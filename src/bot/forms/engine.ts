// A small form engine on top of @grammyjs/conversations: one question at a time, buttons for finite
// choices, a re-ask in plain words on wrong input, "back", a summary to confirm, and "change one answer".
// Forms (registration, a household member, later the service requests) are lists of steps; this file is
// the only place that knows how a step is asked and answered.
//
// Everything here runs inside a conversation and is replayed on each update: it must be deterministic.
// Data from the database comes through `conversation.external` (stored in the replay log), time through
// `conversation.now()`. Answers end up in the conversation state, which is stored encrypted.
import type { InlineKeyboardButton, Message } from 'grammy/types';
import type { Locale } from '../../config.ts';
import type { BotContext, BotConversation, FormContext } from '../context.ts';
import type { TFunction } from '../i18n.ts';

export interface Choice {
  value: string;
  label: string;
}

export type TextResult =
  | { ok: true; value: string; label?: string }
  | { ok: false; error: string; params?: Record<string, string> };

/** What a step put into the answers: the value, and how to show it back to the resident. */
export interface Answer {
  value: string | null;
  label: string;
}

export type Answers = Record<string, Answer | undefined>;

export interface FormStep {
  id: string;
  /** Ask this step only when it returns true (default: always). */
  when?: (a: Answers) => boolean;
  prompt: (t: TFunction, a: Answers, today: Date) => string;
  /** Finite choices shown as buttons. Runs outside the replay (may read the database). */
  choices?: (ctx: BotContext, a: Answers, locale: Locale) => Choice[] | Promise<Choice[]>;
  columns?: number;
  /** Free-text answer; `today` is the conversation's clock. */
  text?: (input: string, a: Answers, today: Date) => TextResult;
  /** Offer Telegram's "share my phone number" button and accept the resident's own contact. */
  contact?: boolean;
  /** Offer "skip" (the answer becomes null). */
  optional?: (a: Answers, today: Date) => boolean;
  /** Offer "keep it as it is" (editing an existing record): the current answer stays. */
  keepable?: (a: Answers) => boolean;
  /** The typed answer is sensitive: delete the resident's message and confirm with this (masked) text. */
  sensitiveEcho?: (t: TFunction, answer: Answer) => string;
  /** Steps to ask again when this one is changed from the summary (e.g. building after community). */
  resets?: string[];
  /** Whether the step appears in the summary's "change" list (default true). */
  editable?: boolean;
}

export interface FormSpec {
  /**
   * Prefix of this form's locale keys, e.g. `registration:` or `household:member.`: field names are
   * `<keys>fields.<id>`, errors `<keys>errors.<id>.<code>`. Prompts are the steps' own.
   */
  keys: string;
  steps: FormStep[];
  initial?: Answers;
  /** Show a summary to confirm before returning (default true). */
  summary?: boolean;
}

export type FormOutcome = { status: 'done'; answers: Answers } | { status: 'cancelled' };

const PAGE_SIZE = 24;
const MAX_LABEL = 40;

type Callback =
  | { seq: number; action: 'choose'; n: number }
  | { seq: number; action: 'page'; n: number }
  | { seq: number; action: 'edit'; n: number }
  | { seq: number; action: 'back' | 'skip' | 'keep' | 'confirm' | 'change' | 'cancel' | 'summary' };

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
  sm: 'summary',
} as const;
type ActionCode = keyof typeof ACTIONS;

function data(seq: number, code: ActionCode, n?: number): string {
  return n === undefined ? `f:${seq}:${code}` : `f:${seq}:${code}:${n}`;
}

/** Callback data is written by the client: anything that does not parse is treated as a stale button. */
export function parseFormCallback(raw: string | undefined): Callback | null {
  const m = /^f:(\d{1,6}):([a-z]{1,2})(?::(\d{1,4}))?$/.exec(raw ?? '');
  if (!m) return null;
  const action = ACTIONS[m[2] as ActionCode];
  if (!action) return null;
  const seq = Number(m[1]);
  const withNumber = action === 'choose' || action === 'page' || action === 'edit';
  if (withNumber !== (m[3] !== undefined)) return null;
  return withNumber ? { seq, action, n: Number(m[3]) } : ({ seq, action } as Callback);
}

function truncate(label: string): string {
  return label.length > MAX_LABEL ? `${label.slice(0, MAX_LABEL - 1)}…` : label;
}

function rows(buttons: InlineKeyboardButton[], columns: number): InlineKeyboardButton[][] {
  const out: InlineKeyboardButton[][] = [];
  for (let i = 0; i < buttons.length; i += columns) out.push(buttons.slice(i, i + columns));
  return out;
}

export async function runForm(
  conversation: BotConversation,
  ctx: FormContext,
  spec: FormSpec,
  t: TFunction,
  locale: Locale,
): Promise<FormOutcome> {
  const { steps, keys } = spec;
  const today = new Date(await conversation.now());
  let answers: Answers = { ...(spec.initial ?? {}) };
  let seq = 0;
  const visible = (i: number) => steps[i]?.when?.(answers) ?? true;

  const reply = (c: FormContext, text: string, extra?: Parameters<FormContext['reply']>[1]) =>
    c.reply(text, extra);

  /** Asks one step until it gets a valid answer (or "back"). */
  async function ask(
    index: number,
    canGoBack: boolean,
  ): Promise<{ kind: 'answer'; answer: Answer | undefined } | { kind: 'back' }> {
    const step = steps[index] as FormStep;
    seq++;
    const mySeq = seq;
    const choices = step.choices
      ? await conversation.external((outer) =>
          (step.choices as NonNullable<FormStep['choices']>)(outer, answers, locale),
        )
      : [];
    const visibleIdx = steps.map((_, i) => i).filter(visible);
    const position = visibleIdx.indexOf(index) + 1;
    const counter = t('form:step', { n: position, total: visibleIdx.length });
    const promptText = `${step.prompt(t, answers, today)}\n${counter}`;
    const optional = step.optional?.(answers, today) ?? false;
    const keepable = (step.keepable?.(answers) ?? false) && answers[step.id] !== undefined;

    const keyboard = (page: number) => {
      const pageCount = Math.max(1, Math.ceil(choices.length / PAGE_SIZE));
      const start = page * PAGE_SIZE;
      const buttons = choices
        .slice(start, start + PAGE_SIZE)
        .map((c, i) => ({ text: truncate(c.label), callback_data: data(mySeq, 'c', start + i) }));
      const kb = rows(buttons, step.columns ?? 1);
      const nav: InlineKeyboardButton[] = [];
      if (page > 0) nav.push({ text: t('form:previous_page'), callback_data: data(mySeq, 'p', page - 1) });
      if (page < pageCount - 1) nav.push({ text: t('form:more'), callback_data: data(mySeq, 'p', page + 1) });
      if (nav.length) kb.push(nav);
      const extra: InlineKeyboardButton[] = [];
      if (keepable) extra.push({ text: t('form:keep'), callback_data: data(mySeq, 'k') });
      if (optional) extra.push({ text: t('form:skip'), callback_data: data(mySeq, 's') });
      if (canGoBack) extra.push({ text: t('form:back'), callback_data: data(mySeq, 'b') });
      if (extra.length) kb.push(extra);
      return kb;
    };

    const sendPrompt = async (): Promise<Message.TextMessage> => {
      if (step.contact) {
        // A reply keyboard (share my number) and inline buttons cannot share one message.
        const sent = await reply(ctx, promptText, {
          reply_markup: {
            keyboard: [[{ text: t(`${keys}share_phone`), request_contact: true }]],
            resize_keyboard: true,
            one_time_keyboard: true,
            is_persistent: true,
          },
        });
        const kb = keyboard(0);
        if (kb.length) await reply(ctx, t('form:back_hint'), { reply_markup: { inline_keyboard: kb } });
        return sent;
      }
      const kb = keyboard(0);
      return reply(ctx, promptText, kb.length ? { reply_markup: { inline_keyboard: kb } } : undefined);
    };

    const prompt = await sendPrompt();
    const removeReplyKeyboard = async (c: FormContext) => {
      if (step.contact) await reply(c, t('form:received'), { reply_markup: { remove_keyboard: true } });
    };
    /** Replace the prompt's buttons by the chosen answer, so the chat shows what was picked. */
    const markChosen = async (c: FormContext, label: string) => {
      await c.api
        .editMessageText(prompt.chat.id, prompt.message_id, `${step.prompt(t, answers, today)}\n👉 ${label}`)
        .catch(() => undefined);
    };

    for (;;) {
      const u = await conversation.wait();
      const cq = u.callbackQuery;
      if (cq) {
        const cb = parseFormCallback(cq.data);
        if (!cb || cb.seq !== mySeq) {
          await u.answerCallbackQuery({ text: t('common:errors.stale_button') });
          continue;
        }
        if (cb.action === 'choose') {
          const choice = choices[cb.n];
          if (!choice) {
            await u.answerCallbackQuery({ text: t('common:errors.stale_button') });
            continue;
          }
          await u.answerCallbackQuery();
          await markChosen(u, choice.label);
          return { kind: 'answer', answer: { value: choice.value, label: choice.label } };
        }
        if (cb.action === 'page' && cb.n * PAGE_SIZE < choices.length) {
          await u.answerCallbackQuery();
          await u
            .editMessageReplyMarkup({ reply_markup: { inline_keyboard: keyboard(cb.n) } })
            .catch(() => undefined);
          continue;
        }
        if (cb.action === 'back' && canGoBack) {
          await u.answerCallbackQuery();
          await removeReplyKeyboard(u);
          return { kind: 'back' };
        }
        if (cb.action === 'skip' && optional) {
          await u.answerCallbackQuery();
          await removeReplyKeyboard(u);
          await markChosen(u, t('form:skip'));
          return { kind: 'answer', answer: { value: null, label: '—' } };
        }
        if (cb.action === 'keep' && keepable) {
          await u.answerCallbackQuery();
          await removeReplyKeyboard(u);
          await markChosen(u, t('form:keep'));
          return { kind: 'answer', answer: answers[step.id] };
        }
        await u.answerCallbackQuery({ text: t('common:errors.stale_button') });
        continue;
      }

      const msg = u.message;
      if (!msg) continue; // edited messages, reactions …: nothing to answer
      if (msg.contact && step.contact && step.text) {
        if (msg.contact.user_id !== u.from?.id) {
          await reply(u, t(`${keys}contact_not_own`));
          continue;
        }
        const parsed = step.text(msg.contact.phone_number, answers, today);
        if (parsed.ok) {
          await removeReplyKeyboard(u);
          return { kind: 'answer', answer: { value: parsed.value, label: parsed.label ?? parsed.value } };
        }
        await reply(u, t(`${keys}errors.${step.id}.${parsed.error}`, { ...parsed.params }));
        continue;
      }
      if (msg.text !== undefined) {
        if (msg.text.startsWith('/')) {
          await reply(u, t('form:command_in_form'));
          continue;
        }
        if (!step.text) {
          await reply(u, t('form:use_buttons'));
          await sendPrompt();
          continue;
        }
        const parsed = step.text(msg.text, answers, today);
        if (!parsed.ok) {
          await reply(u, t(`${keys}errors.${step.id}.${parsed.error}`, { ...parsed.params }));
          continue;
        }
        const answer = { value: parsed.value, label: parsed.label ?? parsed.value };
        if (step.sensitiveEcho) {
          // Bots may delete incoming messages in private chats; the number should not sit in the history.
          await u.api.deleteMessage(msg.chat.id, msg.message_id).catch(() => undefined);
          await reply(u, step.sensitiveEcho(t, answer));
        }
        await removeReplyKeyboard(u);
        return { kind: 'answer', answer };
      }
      // A sticker, photo, voice message, location, album part …
      await reply(u, step.text ? t('form:no_media') : t('form:use_buttons'));
    }
  }

  /** Shows the summary; resolves to confirm, cancel, or the index of a step to change. */
  async function summary(): Promise<'confirm' | 'cancel' | number> {
    seq++;
    let mySeq = seq;
    const lines = steps
      .map((s, i) => ({ s, i }))
      .filter(({ i }) => visible(i))
      .map(({ s }) => `• ${t(`${keys}fields.${s.id}`)}：${answers[s.id]?.label ?? '—'}`);
    await reply(ctx, `${t('form:summary_title')}\n${lines.join('\n')}`, {
      reply_markup: {
        inline_keyboard: [
          [{ text: t('form:confirm'), callback_data: data(mySeq, 'ok') }],
          [
            { text: t('form:edit'), callback_data: data(mySeq, 'ch') },
            { text: t('form:cancel'), callback_data: data(mySeq, 'x') },
          ],
        ],
      },
    });
    let choosingField = false;
    for (;;) {
      const u = await conversation.wait();
      const cq = u.callbackQuery;
      if (!cq) {
        if (u.message)
          await reply(u, u.message.text?.startsWith('/') ? t('form:command_in_form') : t('form:use_buttons'));
        continue;
      }
      const cb = parseFormCallback(cq.data);
      if (!cb || cb.seq !== mySeq) {
        await u.answerCallbackQuery({ text: t('common:errors.stale_button') });
        continue;
      }
      if (!choosingField && cb.action === 'confirm') {
        await u.answerCallbackQuery();
        await u.editMessageReplyMarkup({ reply_markup: { inline_keyboard: [] } }).catch(() => undefined);
        return 'confirm';
      }
      if (!choosingField && cb.action === 'cancel') {
        await u.answerCallbackQuery();
        await u.editMessageReplyMarkup({ reply_markup: { inline_keyboard: [] } }).catch(() => undefined);
        return 'cancel';
      }
      if (!choosingField && cb.action === 'change') {
        await u.answerCallbackQuery();
        seq++;
        mySeq = seq;
        choosingField = true;
        const editable = steps
          .map((s, i) => ({ s, i }))
          .filter(({ s, i }) => visible(i) && s.editable !== false)
          .map(({ s, i }) => ({ text: t(`${keys}fields.${s.id}`), callback_data: data(mySeq, 'e', i) }));
        await reply(u, t('form:edit_which'), { reply_markup: { inline_keyboard: rows(editable, 2) } });
        continue;
      }
      if (choosingField && cb.action === 'edit' && visible(cb.n) && steps[cb.n]?.editable !== false) {
        await u.answerCallbackQuery();
        return cb.n;
      }
      await u.answerCallbackQuery({ text: t('common:errors.stale_button') });
    }
  }

  const history: number[] = [];
  let index = 0;
  let editQueue: number[] | null = null;
  for (;;) {
    if (editQueue === null) {
      while (index < steps.length && !visible(index)) index++;
    } else {
      editQueue = editQueue.filter(visible);
    }
    const atSummary = editQueue === null ? index >= steps.length : editQueue.length === 0;
    if (atSummary) {
      if (spec.summary === false) return { status: 'done', answers };
      const choice = await summary();
      if (choice === 'confirm') return { status: 'done', answers };
      if (choice === 'cancel') return { status: 'cancelled' };
      const resets = (steps[choice]?.resets ?? []).map((id) => steps.findIndex((s) => s.id === id));
      editQueue = [choice, ...resets.filter((i) => i >= 0)];
      continue;
    }
    const current = editQueue === null ? index : (editQueue[0] as number);
    const outcome = await ask(current, editQueue === null && history.length > 0);
    if (outcome.kind === 'back') {
      index = history.pop() ?? 0;
      continue;
    }
    answers = { ...answers, [(steps[current] as FormStep).id]: outcome.answer };
    if (editQueue !== null) {
      editQueue.shift();
    } else {
      history.push(index);
      index++;
    }
  }
}
