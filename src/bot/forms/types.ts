// What a form is made of: its steps, the answers, the outcome, and the hooks a form may give the engine.
// How the engine runs them, and why it must be deterministic, is told at the top of ./engine.ts.
import type { Locale } from '../../config.ts';
import type { FileRef } from '../../domain/catalogue/index.ts';
import type { BotContext, FormContext } from '../context.ts';
import type { TFunction } from '../i18n.ts';

export type { FileRef };

export interface Choice {
  value: string;
  label: string;
  /** A line about this choice the question may list (a course's dates and place), beside its short label. */
  detail?: string;
}

export type TextResult =
  | { ok: true; value: string; label?: string }
  | { ok: false; error: string; params?: Record<string, string> };

/** What a step put into the answers: the value, and how to show it back to the resident. */
export interface Answer {
  value: string | null;
  label: string;
  files?: FileRef[];
  /** A multi-choice step's chosen values, in the list's order (`value` is them joined with ','). */
  values?: string[];
}

export type Answers = Record<string, Answer | undefined>;

/** What a step's `after` gives back: the answer (maybe replaced), null to ask again, or an earlier step to ask. */
export type AfterResult = Answer | null | { redo: string };

export interface FormStep {
  id: string;
  /** Ask this step only when it returns true (default: always). */
  when?: (a: Answers) => boolean;
  /** The question; `choices` are the buttons it comes with (a question may list them or say there are none). */
  prompt: (t: TFunction, a: Answers, today: Date, choices?: readonly Choice[]) => string;
  /** Finite choices shown as buttons. Runs outside the replay (may read the database). */
  choices?: (ctx: BotContext, a: Answers, locale: Locale) => Choice[] | Promise<Choice[]>;
  columns?: number;
  /**
   * Several of the choices: each button toggles (✅), a page at a time; "done" takes them once at least
   * `min` are chosen (fewer: the resident is told in plain words, `<keys>errors.<id>.too_few`).
   */
  multi?: {
    min: number;
    /** Buttons per page (default 24). */
    perPage?: number;
    /** What the question becomes once done (default: the question and the chosen labels). */
    chosen?: (t: TFunction, answer: Answer) => string;
  };
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
  /**
   * Runs after an answer, outside the form: may replace the answer (add a member on the spot), ask again
   * (null), or send the resident back to an earlier step (`{ redo: id }`; say why first). `a` holds the
   * answers so far, without this one.
   */
  after?: (answer: Answer, a: Answers) => Promise<AfterResult>;
}

/** The summary a form draws itself (see SummaryHook). Labels default to the engine's own words. */
export interface SummaryView {
  text: string;
  /** The confirm button's label; null leaves it out (the answers cannot be confirmed as they are). */
  confirm?: string | null;
  change?: string;
  cancel?: string;
  /** The question above the list of answers to change. */
  which?: string;
}

/**
 * A form's own summary. `render` may send messages first (a preview); it returns the summary to show,
 * a step to ask again (`{ ask: id }`, having said why), or `{ end: true }` (having said why; the form ends
 * as cancelled). `confirm` runs when the confirm button is pressed: 'done' ends the form, 'again' shows the
 * summary again (e.g. a problem found on sending, already said).
 */
export interface SummaryHook {
  render(c: FormContext, a: Answers): Promise<SummaryView | { ask: string } | { end: true }>;
  confirm?(c: FormContext, a: Answers): Promise<'done' | 'again'>;
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
  /**
   * Steps whose `initial` answer came from outside the form (a resident's message): not asked going
   * forward, shown in the summary and changeable there.
   */
  prefilled?: readonly string[];
  /** These answers are what a put-aside keeps as a draft (the main form of a conversation; ./aside.ts). */
  draft?: boolean;
  /**
   * `initial` is a draft being resumed: the form goes on at its first unanswered step, with the answered
   * ones behind it (so "back" reaches them).
   */
  resume?: boolean;
  /** Show a summary to confirm before returning: the engine's (default, true), none (false), or the form's own. */
  summary?: boolean | SummaryHook;
}

export type FormOutcome =
  | { status: 'done'; answers: Answers }
  /** `ended`: the summary hook ended the form and has said why. */
  | { status: 'cancelled'; ended?: true }
  | { status: 'stopped'; stepId: string; value: string }
  | { status: 'restart' };

/** What asking one step came to. */
export type Asked =
  | { kind: 'answer'; answer: Answer | undefined }
  | { kind: 'back' }
  | { kind: 'stop'; value: string }
  | { kind: 'redo'; stepId: string };
