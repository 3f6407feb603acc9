// A half-filled form never blocks anything. While a form waits, a command (/services, /mycases …), a button
// that is not one of the form's own (a notification's "answer the staff", "rate", "open this case"), or a
// main-menu label puts the form aside: one line says so and how to come back, the form's answers are kept as
// a draft where the form can be resumed (./drafts.ts), and the update goes on as if no form had been open
// (`conversation.halt({ next: true })`), so what was asked happens. /cancel keeps meaning "quit and drop".
//
// Each conversation says at its start what it is (`declareForm`): its name for the resident, its way back
// in, and — for forms that can be resumed — what to enter again. The answers kept are those of the form
// that declared `draft` (forms/engine.ts registers them): a sub-form (adding a child on the spot) is left
// and asked again when the main form goes on.
import type { Context } from 'grammy';
import { definedButtons, formButton, mainMenuButton, registerButton } from '../buttons.ts';
import type { BotConversation, FormContext } from '../context.ts';
import type { TFunction } from '../i18n.ts';
import { mainMenuKeyboard, menuEntryOf } from '../menu-labels.ts';
import type { Answers } from './types.ts';

export interface FormFrame {
  /** The conversation's id and the arguments it was entered with (what resuming enters again). */
  form: string;
  args: string[];
  /** The form's name for the resident (《申请低保》), already in their language. */
  name: string;
  /** The command that leads back to the form (said when it is put aside). */
  wayBack: string;
  /** Whether a put-aside form is kept as a draft to go on with (else it is dropped: start again). */
  keepDraft: boolean;
  /** Before registration: a stopped form offers registration, not the main menu. */
  unregistered?: boolean;
  /** Buttons of the conversation's own besides the form engine's (`f:`). */
  ownButton?: (data: string) => boolean;
  /** The answers of the main form so far (set by the engine for the form whose spec has `draft`). */
  answers?: () => Answers;
}

// Keyed by the conversation handle: one per run of the conversation function (a replay makes a new one,
// and declares the frame again in its first lines).
const frames = new WeakMap<BotConversation, FormFrame>();

export function declareForm(conversation: BotConversation, frame: FormFrame): void {
  frames.set(conversation, frame);
}

export function frameOf(conversation: BotConversation): FormFrame | undefined {
  return frames.get(conversation);
}

/** A form's name without the emoji the services' names start with: "💰 申请低保" → "申请低保". */
export function plainName(name: string): string {
  return name.replace(/^[^\p{L}\p{N}]+/u, '').trim() || name;
}

/**
 * The bot's commands (those the features answer; /cancel, /help, /language, /mydata and /deleteme are
 * answered before any form sees them). Something else that starts with '/' stays with the form, which
 * says it is not an answer.
 */
const COMMANDS = new Set([
  'start',
  'register',
  'services',
  'mycases',
  'case',
  'household',
  'notices',
  'notice',
  'reload',
  'join',
  'queue',
  'next',
  'open',
  'duty',
  'invite',
  'staff',
  'canned',
  'stats',
  'export',
  'conflicts',
  'labour',
]);
const COMMAND = /^\/([A-Za-z0-9_]{1,32})(?:@\w+)?(?:\s|$)/;
const isCommand = (text: string) => COMMANDS.has(COMMAND.exec(text)?.[1]?.toLowerCase() ?? '');

/**
 * Whether an update that reached a waiting form is meant for something else: a command, a main-menu
 * label, or a press on a button the bot makes that is not the form's (a forged or unknown data is not:
 * it stays with the form, which calls it stale).
 */
export function isInterruption(u: Context, ownButton?: (data: string) => boolean): boolean {
  const text = u.message?.text;
  if (text !== undefined) return isCommand(text) || menuEntryOf(text) !== undefined;
  const data = u.callbackQuery?.data;
  if (data === undefined || formButton.is(data) || ownButton?.(data)) return false;
  return definedButtons().some((kind) => kind.is(data));
}

/** The "🏠 main menu" button, alone under a message. */
export function backToMenu(t: TFunction) {
  return { inline_keyboard: [[{ text: t('aside:menu.back'), callback_data: mainMenuButton.pack({}) }]] };
}

/** Puts the conversation's form aside (see the top of this file) and hands the update on. */
export async function putAside(conversation: BotConversation, u: FormContext, t: TFunction): Promise<never> {
  const frame = frameOf(conversation);
  const name = frame?.name ?? t('aside:forms.other');
  const answers = frame?.answers?.() ?? {};
  const kept = frame?.keepDraft === true && Object.keys(answers).length > 0;
  if (kept && frame) {
    const savedAt = await conversation.now();
    const draft = { form: frame.form, args: frame.args, answers, savedAt };
    await conversation.external(async (outer) => {
      if (outer.chat) await outer.drafts.save(outer.chat.id, draft);
    });
  }
  await u.reply(
    t(kept ? 'aside:put_aside' : 'aside:put_aside_dropped', {
      form: name,
      command: frame?.wayBack ?? '/start',
    }),
    { reply_markup: backToMenu(t) },
  );
  return conversation.halt({ next: true });
}

/** The next update for a form: one meant for something else puts the form aside instead. */
export async function waitInForm(conversation: BotConversation, t: TFunction): Promise<FormContext> {
  const u = await conversation.wait();
  if (isInterruption(u, frameOf(conversation)?.ownButton)) return putAside(conversation, u, t);
  return u;
}

/** "Stop" on the stale-draft question: the form ends, nothing of it is kept, the main menu is shown. */
export async function stopForm(conversation: BotConversation, u: FormContext, t: TFunction): Promise<never> {
  const frame = frameOf(conversation);
  const name = frame?.name ?? t('aside:forms.other');
  await u.reply(t('aside:stopped', { form: name }), {
    reply_markup: frame?.unregistered
      ? {
          inline_keyboard: [
            [{ text: t('common:start.register_button'), callback_data: registerButton.pack({}) }],
          ],
        }
      : mainMenuKeyboard(t),
  });
  return conversation.halt();
}
