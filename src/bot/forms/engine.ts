// A small form engine on top of @grammyjs/conversations: one question at a time, buttons for finite
// choices, a re-ask in plain words on wrong input, "back", a summary to confirm, and "change one answer".
// Forms (registration, a household member, later the service requests) are lists of steps; this file is
// the only place that knows how a step is asked and answered.
//
// Everything here runs inside a conversation and is replayed on each update: it must be deterministic.
// Data from the database comes through `conversation.external` (stored in the replay log), time through
// `conversation.now()`. Answers end up in the conversation state, which is stored encrypted.
//
// A wrong input (a sticker, 4,096 characters where a name is wanted, a stale button) is answered and then
// dropped from the replay log (`discard`): it leaves the form exactly as it was, so it need not be kept,
// and keeping it would make every later step of the form store and replay it again. What the log does
// keep is bounded by the conversation storage (FORM_STATE_LIMITS in ../form-limits.ts).
import type { InlineKeyboardButton, Message } from 'grammy/types';
import type { Locale } from '../../config.ts';
import type { FileRef } from '../../domain/catalogue/index.ts';
import type { BotContext, BotConversation, FormContext } from '../context.ts';
import type { TFunction } from '../i18n.ts';

export interface Choice {
  value: string;
  label: string;
}

export type { FileRef };

export type TextResult =
  | { ok: true; value: string; label?: string }
  | { ok: false; error: string; params?: Record<string, string> };

/** What a step put into the answers: the value, and how to show it back to the resident. */
export interface Answer {
  value: string | null;
  label: string;
  files?: FileRef[];
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
  /** A voice message is also an answer (text steps). */
  voice?: boolean;
  /** Photos and documents are collected (albums too) until the resident taps "done". */
  files?: { max: number };
  /** A gentle warning (already in words) when an answer looks wrong: the resident may keep it or change it. */
  warn?: (answer: Answer, a: Answers, today: Date) => string | null;
  /** Choosing one of these values ends the form (e.g. a consent declined). */
  stopOn?: readonly string[];
  /** Runs after a choice, outside the form: may replace the answer (add a member on the spot) or ask again (null). */
  after?: (answer: Answer) => Promise<Answer | null>;
}

export interface FormSpec {
  /**
   * Prefix of this form's locale keys, e.g. `registration:` or `household:member.`: field names are
   * `<keys>fields.<id>`, errors `<keys>errors.<id>.<code>`. Prompts are the steps' own.
   */
  keys: string;
  /** Where an error without a step-specific text is looked up, e.g. `services:errors.` (+ the code). */
  errorFallback?: string;
  steps: FormStep[];
  initial?: Answers;
  /** Show a summary to confirm before returning (default true). */
  summary?: boolean;
}

export type FormOutcome =
  | { status: 'done'; answers: Answers }
  | { status: 'cancelled' }
  | { status: 'stopped'; stepId: string; value: string }
  | { status: 'restart' };

/** Files Telegram lets a bot download: at most 20 MB. */
export const MAX_FILE_BYTES = 20 * 1024 * 1024;
/** A form left alone this long asks "continue or start over?" when the resident comes back. */
export const STALE_AFTER_MS = 24 * 3600_000;
const SUMMARY_LABEL_MAX = 300;
const DOCUMENT_TYPES = /^(image\/|application\/pdf$)/;

const PAGE_SIZE = 24;
const MAX_LABEL = 40;

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
} as const;
type ActionCode = keyof typeof ACTIONS;
type Action = (typeof ACTIONS)[ActionCode];
type Callback = { seq: number; action: Action; n?: number };
const NUMBERED: readonly Action[] = ['choose', 'page', 'edit'];

function data(seq: number, code: ActionCode, n?: number): string {
  return n === undefined ? `f:${seq}:${code}` : `f:${seq}:${code}:${n}`;
}

/** Callback data is written by the client: anything that does not parse is treated as a stale button. */
export function parseFormCallback(raw: string | undefined): Callback | null {
  const m = /^f:(\d{1,6}):([a-z]{1,2})(?::(\d{1,4}))?$/.exec(raw ?? '');
  if (!m) return null;
  const action = ACTIONS[m[2] as ActionCode];
  if (!action) return null;
  const numbered = NUMBERED.includes(action);
  if (numbered !== (m[3] !== undefined)) return null;
  return numbered ? { seq: Number(m[1]), action, n: Number(m[3]) } : { seq: Number(m[1]), action };
}

function truncate(label: string, max = MAX_LABEL): string {
  return label.length > max ? `${label.slice(0, max - 1)}…` : label;
}

function rows(buttons: InlineKeyboardButton[], columns: number): InlineKeyboardButton[][] {
  const out: InlineKeyboardButton[][] = [];
  for (let i = 0; i < buttons.length; i += columns) out.push(buttons.slice(i, i + columns));
  return out;
}

/** A file in a message, if the step can take it (photos and documents; voice for voice steps). */
function fileOf(msg: Message): FileRef | null {
  if (msg.photo && msg.photo.length > 0) {
    const p = msg.photo[msg.photo.length - 1] as NonNullable<Message['photo']>[number];
    return { kind: 'photo', fileId: p.file_id, fileUniqueId: p.file_unique_id, sizeBytes: p.file_size };
  }
  if (msg.document) {
    const d = msg.document;
    return {
      kind: 'document',
      fileId: d.file_id,
      fileUniqueId: d.file_unique_id,
      mimeType: d.mime_type,
      sizeBytes: d.file_size,
    };
  }
  if (msg.voice) {
    const v = msg.voice;
    return {
      kind: 'voice',
      fileId: v.file_id,
      fileUniqueId: v.file_unique_id,
      mimeType: v.mime_type,
      sizeBytes: v.file_size,
      durationSeconds: v.duration,
    };
  }
  return null;
}

class RestartSignal {}

export async function runForm(
  conversation: BotConversation,
  ctx: FormContext,
  spec: FormSpec,
  t: TFunction,
  locale: Locale,
): Promise<FormOutcome> {
  const { steps, keys } = spec;
  const today = new Date(await conversation.now());
  let lastActivity = today.getTime();
  let answers: Answers = { ...(spec.initial ?? {}) };
  // Buttons carry a sequence number; starting each form at a random point keeps a button of an earlier form
  // in the same conversation from matching a question of this one.
  let seq = 1000 + Math.floor((await conversation.random()) * 90_000);
  const visible = (i: number) => steps[i]?.when?.(answers) ?? true;
  /**
   * Ends the handling of an update that changed nothing in the form (a wrong input, once re-asked): the
   * plugin's `skip` takes it out of the replay log, as if it had never come, and hands it to nobody else.
   * Only where nothing the replay depends on was changed by it; the messages already sent stay sent.
   */
  const discard = (): Promise<never> => conversation.skip({ next: false });

  const reply = (c: FormContext, text: string, extra?: Parameters<FormContext['reply']>[1]) =>
    c.reply(text, extra);
  const errorText = (stepId: string, code: string, params?: Record<string, string>) =>
    t([`${keys}errors.${stepId}.${code}`, ...(spec.errorFallback ? [`${spec.errorFallback}${code}`] : [])], {
      ...params,
    });

  /**
   * The next update. A resident back after a day is first asked whether to go on (then `resume` shows the
   * current question again and the answer after it is returned) or to start again (the form restarts).
   */
  async function next(resume: () => Promise<unknown>): Promise<FormContext> {
    for (;;) {
      const u = await conversation.wait();
      const at = await conversation.now();
      const stale = at - lastActivity > STALE_AFTER_MS;
      lastActivity = at;
      if (!stale) return u;
      if (u.callbackQuery) await u.answerCallbackQuery();
      seq++;
      const mySeq = seq;
      await reply(u, t('form:stale_draft'), {
        reply_markup: {
          inline_keyboard: [
            [{ text: t('form:continue'), callback_data: data(mySeq, 'go') }],
            [{ text: t('form:start_over'), callback_data: data(mySeq, 'rs') }],
          ],
        },
      });
      for (;;) {
        const v = await conversation.wait();
        lastActivity = await conversation.now();
        const cb = v.callbackQuery ? parseFormCallback(v.callbackQuery.data) : null;
        if (cb?.seq === mySeq && (cb.action === 'continue' || cb.action === 'restart')) {
          await v.answerCallbackQuery();
          if (cb.action === 'restart') throw new RestartSignal();
          await resume();
          break;
        }
        if (v.callbackQuery) await v.answerCallbackQuery({ text: t('common:errors.stale_button') });
        else if (v.message) await reply(v, t('form:use_buttons'));
        return discard();
      }
    }
  }

  type Asked =
    | { kind: 'answer'; answer: Answer | undefined }
    | { kind: 'back' }
    | { kind: 'stop'; value: string };

  /** Asks one step until it gets a valid answer (or "back"). */
  async function ask(index: number, canGoBack: boolean): Promise<Asked> {
    const step = steps[index] as FormStep;
    seq++;
    const mySeq = seq;
    const choices = step.choices
      ? await conversation.external((outer) =>
          (step.choices as NonNullable<FormStep['choices']>)(outer, answers, locale),
        )
      : [];
    const visibleIdx = steps.map((_, i) => i).filter(visible);
    const counter = t('form:step', { n: visibleIdx.indexOf(index) + 1, total: visibleIdx.length });
    const promptText = `${step.prompt(t, answers, today)}\n${counter}`;
    const optional = step.optional?.(answers, today) ?? false;
    const keepable = (step.keepable?.(answers) ?? false) && answers[step.id] !== undefined;
    const collected: FileRef[] = [];
    let lastAlbum: string | undefined;

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
      if (optional)
        extra.push({ text: t(step.files ? 'form:no_files' : 'form:skip'), callback_data: data(mySeq, 's') });
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
        .editMessageText(
          prompt.chat.id,
          prompt.message_id,
          `${step.prompt(t, answers, today)}\n👉 ${truncate(label, 200)}`,
        )
        .catch(() => undefined);
    };
    /** A warning the resident may accept ("keep it") or not ("choose again"). */
    const confirmWarning = async (c: FormContext, answer: Answer): Promise<boolean> => {
      const warning = step.warn?.(answer, answers, today);
      if (!warning) return true;
      seq++;
      const warnSeq = seq;
      const sendWarning = () =>
        reply(c, warning, {
          reply_markup: {
            inline_keyboard: [
              [{ text: t('form:keep_anyway'), callback_data: data(warnSeq, 'k') }],
              [{ text: t('form:choose_again'), callback_data: data(warnSeq, 'w') }],
            ],
          },
        });
      await sendWarning();
      for (;;) {
        const v = await next(sendWarning);
        const cb = v.callbackQuery ? parseFormCallback(v.callbackQuery.data) : null;
        if (cb?.seq === warnSeq && (cb.action === 'keep' || cb.action === 'rechoose')) {
          await v.answerCallbackQuery();
          return cb.action === 'keep';
        }
        if (v.callbackQuery) await v.answerCallbackQuery({ text: t('common:errors.stale_button') });
        else if (v.message) await reply(v, t('form:use_buttons'));
        return discard();
      }
    };
    /** Checks, warns, runs the step's follow-up; null means "ask this step again". */
    const settle = async (c: FormContext, answer: Answer): Promise<Asked | null> => {
      if (answer.value !== null && step.stopOn?.includes(answer.value))
        return { kind: 'stop', value: answer.value };
      if (!(await confirmWarning(c, answer))) return null;
      const final = step.after ? await step.after(answer) : answer;
      return final ? { kind: 'answer', answer: final } : null;
    };

    for (;;) {
      const u = await next(sendPrompt);
      const cq = u.callbackQuery;
      if (cq) {
        const cb = parseFormCallback(cq.data);
        if (!cb || cb.seq !== mySeq) {
          await u.answerCallbackQuery({ text: t('common:errors.stale_button') });
          return discard();
        }
        if (cb.action === 'choose') {
          const choice = choices[cb.n ?? -1];
          if (!choice) {
            await u.answerCallbackQuery({ text: t('common:errors.stale_button') });
            return discard();
          }
          await u.answerCallbackQuery();
          await markChosen(u, choice.label);
          const settled = await settle(u, { value: choice.value, label: choice.label });
          if (settled) return settled;
          await sendPrompt();
          continue;
        }
        if (cb.action === 'page' && (cb.n ?? 0) * PAGE_SIZE < choices.length) {
          // Another page of buttons changes the message, not the form (a button's number is its place in
          // the whole list): nothing to keep.
          await u.answerCallbackQuery();
          await u
            .editMessageReplyMarkup({ reply_markup: { inline_keyboard: keyboard(cb.n ?? 0) } })
            .catch(() => undefined);
          return discard();
        }
        if (cb.action === 'back' && canGoBack) {
          await u.answerCallbackQuery();
          await removeReplyKeyboard(u);
          return { kind: 'back' };
        }
        if (cb.action === 'skip' && optional) {
          await u.answerCallbackQuery();
          await removeReplyKeyboard(u);
          await markChosen(u, t(step.files ? 'form:no_files' : 'form:skip'));
          return { kind: 'answer', answer: { value: null, label: '—' } };
        }
        if (cb.action === 'keep' && keepable) {
          await u.answerCallbackQuery();
          await removeReplyKeyboard(u);
          await markChosen(u, t('form:keep'));
          return { kind: 'answer', answer: answers[step.id] };
        }
        if (cb.action === 'done' && step.files && collected.length > 0) {
          await u.answerCallbackQuery();
          return {
            kind: 'answer',
            answer: {
              value: null,
              label: t('form:files_label', { count: collected.length }),
              files: [...collected],
            },
          };
        }
        await u.answerCallbackQuery({ text: t('common:errors.stale_button') });
        return discard();
      }

      const msg = u.message;
      if (!msg) return discard(); // edited messages, reactions …: nothing to answer
      const file = fileOf(msg);
      if (file && (file.sizeBytes ?? 0) > MAX_FILE_BYTES) {
        await reply(u, t('form:file_too_big'));
        return discard();
      }
      if (file && step.files && file.kind !== 'voice') {
        if (file.kind === 'document' && !DOCUMENT_TYPES.test(file.mimeType ?? '')) {
          await reply(u, t('form:file_type'));
          return discard();
        }
        if (collected.length >= step.files.max) {
          // Parts of one album beyond the limit are dropped with one message, not one per photo. Kept in the
          // log: which album was last answered is what makes it one message.
          if (!msg.media_group_id || msg.media_group_id !== lastAlbum)
            await reply(u, t('form:too_many_files', { max: step.files.max }));
          lastAlbum = msg.media_group_id;
          continue;
        }
        collected.push(file);
        const firstOfAlbum = !msg.media_group_id || msg.media_group_id !== lastAlbum;
        lastAlbum = msg.media_group_id;
        if (firstOfAlbum) {
          await reply(u, t('form:file_received'), {
            reply_markup: {
              inline_keyboard: [[{ text: t('form:files_done'), callback_data: data(mySeq, 'd') }]],
            },
          });
        }
        continue;
      }
      if (file?.kind === 'voice' && step.voice) {
        const answer = {
          value: null,
          label: t('form:voice_label', { seconds: file.durationSeconds ?? 0 }),
          files: [file],
        };
        const settled = await settle(u, answer);
        if (settled) return settled;
        continue;
      }
      if (msg.contact && step.contact && step.text) {
        if (msg.contact.user_id !== u.from?.id) {
          await reply(u, t(`${keys}contact_not_own`));
          return discard();
        }
        const parsed = step.text(msg.contact.phone_number, answers, today);
        if (parsed.ok) {
          await removeReplyKeyboard(u);
          return { kind: 'answer', answer: { value: parsed.value, label: parsed.label ?? parsed.value } };
        }
        await reply(u, errorText(step.id, parsed.error, parsed.params));
        return discard();
      }
      if (msg.text !== undefined) {
        if (msg.text.startsWith('/')) {
          await reply(u, t('form:command_in_form'));
          return discard();
        }
        if (!step.text) {
          await reply(u, t(step.files ? 'form:send_files' : 'form:use_buttons'));
          await sendPrompt();
          return discard();
        }
        const parsed = step.text(msg.text, answers, today);
        if (!parsed.ok) {
          await reply(u, errorText(step.id, parsed.error, parsed.params));
          return discard();
        }
        const answer = { value: parsed.value, label: parsed.label ?? parsed.value };
        if (step.sensitiveEcho) {
          // Bots may delete incoming messages in private chats; the number should not sit in the history.
          await u.api.deleteMessage(msg.chat.id, msg.message_id).catch(() => undefined);
          await reply(u, step.sensitiveEcho(t, answer));
        }
        await removeReplyKeyboard(u);
        const settled = await settle(u, answer);
        if (settled) return settled;
        continue;
      }
      // A sticker, a location, a voice message where only text is wanted, an album part on a text step …
      if (step.files) await reply(u, t('form:send_files'));
      else if (step.text) await reply(u, t(step.voice ? 'form:text_or_voice' : 'form:no_media'));
      else await reply(u, t('form:use_buttons'));
      return discard();
    }
  }

  /** Shows the summary; resolves to confirm, cancel, or the index of a step to change. */
  async function summary(): Promise<'confirm' | 'cancel' | number> {
    seq++;
    let mySeq = seq;
    const lines = steps
      .map((s, i) => ({ s, i }))
      .filter(({ i }) => visible(i))
      .map(
        ({ s }) =>
          `• ${t(`${keys}fields.${s.id}`)}：${truncate(answers[s.id]?.label ?? '—', SUMMARY_LABEL_MAX)}`,
      );
    const summaryMarkup = () => ({
      inline_keyboard: [
        [{ text: t('form:confirm'), callback_data: data(mySeq, 'ok') }],
        [
          { text: t('form:edit'), callback_data: data(mySeq, 'ch') },
          { text: t('form:cancel'), callback_data: data(mySeq, 'x') },
        ],
      ],
    });
    let choosingField = false;
    const sendSummary = async (c: FormContext) => {
      choosingField = false;
      await reply(c, `${t('form:summary_title')}\n${lines.join('\n')}`, { reply_markup: summaryMarkup() });
    };
    await sendSummary(ctx);
    for (;;) {
      const u = await next(() => sendSummary(ctx));
      const cq = u.callbackQuery;
      if (!cq) {
        if (u.message)
          await reply(u, u.message.text?.startsWith('/') ? t('form:command_in_form') : t('form:use_buttons'));
        return discard();
      }
      const cb = parseFormCallback(cq.data);
      if (!cb || cb.seq !== mySeq) {
        await u.answerCallbackQuery({ text: t('common:errors.stale_button') });
        return discard();
      }
      if (!choosingField && (cb.action === 'confirm' || cb.action === 'cancel')) {
        await u.answerCallbackQuery();
        await u.editMessageReplyMarkup({ reply_markup: { inline_keyboard: [] } }).catch(() => undefined);
        return cb.action;
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
      if (
        choosingField &&
        cb.action === 'edit' &&
        cb.n !== undefined &&
        visible(cb.n) &&
        steps[cb.n]?.editable !== false
      ) {
        await u.answerCallbackQuery();
        return cb.n;
      }
      await u.answerCallbackQuery({ text: t('common:errors.stale_button') });
      return discard();
    }
  }

  try {
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
      if (outcome.kind === 'stop')
        return { status: 'stopped', stepId: (steps[current] as FormStep).id, value: outcome.value };
      answers = { ...answers, [(steps[current] as FormStep).id]: outcome.answer };
      if (editQueue !== null) {
        editQueue.shift();
      } else {
        history.push(index);
        index++;
      }
    }
  } catch (err) {
    if (err instanceof RestartSignal) return { status: 'restart' };
    throw err;
  }
}

/** runForm, started again from the beginning when the resident chose "start over" on a stale draft. */
export async function runWholeForm(
  conversation: BotConversation,
  ctx: FormContext,
  spec: FormSpec,
  t: TFunction,
  locale: Locale,
): Promise<Exclude<FormOutcome, { status: 'restart' }>> {
  for (;;) {
    const outcome = await runForm(conversation, ctx, spec, t, locale);
    if (outcome.status !== 'restart') return outcome;
    await ctx.reply(t('form:restarting'));
  }
}
