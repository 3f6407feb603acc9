// Simulated residents for the black-box benchmark: each walks the registration (test/support/
// registration-script.ts) against a bot process through the fake Telegram (fake-telegram.ts), sending its
// next update as soon as the bot's reply to the previous one has reached the fake Bot API — the message or
// edit that makes the next button or question available. Taps use the buttons the bot really sent (their
// callback data and message id). Two ways to drive them:
// - closed loop: every resident at once, each at its own pace (the next update when the reply came);
// - open loop: updates offered at a fixed total rate, each by a resident whose reply has come (the one
//   waiting longest), or by a new resident when none is waiting, so the rate does not depend on the bot.
// For each update: when it was offered (queued for getUpdates, or handed to the webhook deliverer), when it
// reached the bot (returned by getUpdates, or POSTed), when the bot made its first Bot API call for that chat
// after that (the first thing the resident sees: a spinner stopped, a message), and when the reply that lets
// the resident go on arrived.
import type { Update } from 'grammy/types';
import { registrationScript, type Step } from '../../test/support/registration-script.ts';
import type { ApiCall, Button, FakeTelegram } from './fake-telegram.ts';

/** What the bot's answer to a step must carry for the resident to take the next step. */
export type Reply = { button: string } | { text: string };

/**
 * Words of the questions that follow the registration's typed steps, in the script's order (room, name,
 * phone, ID number), and of the last message: both bots (Bianmin, the naive peer) ask in these words.
 */
export const QUESTIONS = ['门牌号', '名字', '手机号', '身份证号'];
export const DONE_TEXT = '登记好了';

export interface ScriptStep {
  step: Step;
  /** The reply to wait for before the next step. */
  reply: Reply;
}

/** The registration, each step with the reply that lets the resident go on. */
export function residentScript(idNumber: string, steps: Step[] = registrationScript(idNumber)): ScriptStep[] {
  let question = 0;
  return steps.map((step, i) => {
    const next = steps[i + 1];
    if (!next) return { step, reply: { text: DONE_TEXT } };
    if ('tap' in next) return { step, reply: { button: next.tap } };
    const text = QUESTIONS[question++];
    if (!text) throw new Error(`the registration script has more typed answers than QUESTIONS knows`);
    return { step, reply: { text } };
  });
}

export function answers(reply: Reply): (call: ApiCall) => boolean {
  if ('button' in reply) return (call) => call.buttons?.some((b) => b.text === reply.button) ?? false;
  return (call) => call.text?.includes(reply.text) ?? false;
}

export interface Sample {
  offeredAt: number;
  /** When it reached the bot: returned by getUpdates, or first POSTed. */
  deliveredAt: number;
  /** The bot's first Bot API call for the chat after the update reached it. */
  firstAt: number;
  /** The call that carried the reply. */
  readyAt: number;
}

let nextCallback = 1;

export class Resident {
  private nextStep = 0;
  private nextMessageId = 1;
  stalled = false;
  /** The reply waited for in vain, and what the bot had said last (for the report). */
  stalledAt?: { step: number; lastText: string };

  constructor(
    private readonly tg: FakeTelegram,
    readonly id: number,
    private readonly script: ScriptStep[],
  ) {}

  get finished(): boolean {
    return this.nextStep >= this.script.length;
  }

  get steps(): number {
    return this.nextStep;
  }

  private get from() {
    return { id: this.id, is_bot: false, first_name: '三丰', language_code: 'zh-hans' };
  }

  private get chat() {
    return { id: this.id, type: 'private' as const, first_name: '三丰' };
  }

  /** The newest button with this label the bot sent to the chat. */
  private button(label: string): Button {
    const calls = this.tg.calls(this.id);
    for (let i = calls.length - 1; i >= 0; i--) {
      const found = calls[i]?.buttons?.find((b) => b.text === label);
      if (found) return found;
    }
    throw new Error(`resident ${this.id}: no button "${label}"; the bot last said: ${this.lastText()}`);
  }

  lastText(): string {
    return (
      this.tg
        .calls(this.id)
        .findLast((c) => c.text !== undefined)
        ?.text?.replaceAll('\n', ' ⏎ ')
        .slice(0, 120) ?? '(nothing)'
    );
  }

  private update(step: Step): Update {
    const date = Math.floor(Date.now() / 1000);
    if ('text' in step) {
      const entities = step.text.startsWith('/')
        ? [{ type: 'bot_command' as const, offset: 0, length: step.text.length }]
        : undefined;
      return {
        update_id: 0,
        message: {
          message_id: this.nextMessageId++,
          date,
          chat: this.chat,
          from: this.from,
          text: step.text,
          entities,
        },
      };
    }
    const button = this.button(step.tap);
    return {
      update_id: 0,
      callback_query: {
        id: `cq:${this.id}:${nextCallback++}`,
        from: this.from,
        chat_instance: `ci${this.id}`,
        data: button.data,
        message: { message_id: button.messageId, date, chat: this.chat, text: '…' },
      },
    } as Update;
  }

  /** Offers the next step's update and waits for the reply; null when none came within `stallMs`. */
  async step(stallMs: number): Promise<Sample | null> {
    const current = this.script[this.nextStep];
    if (!current || this.stalled) return null;
    const update = this.update(current.step);
    const from = this.tg.calls(this.id).length;
    const offeredAt = performance.now();
    this.tg.offer(update);
    const index = await this.tg.waitFor(this.id, from, answers(current.reply), stallMs);
    if (index === null) {
      this.stalled = true;
      this.stalledAt = { step: this.nextStep, lastText: this.lastText() };
      return null;
    }
    this.nextStep++;
    const calls = this.tg.calls(this.id);
    const delivered = this.tg.delivered(update.update_id);
    // A call between the offer and the delivery is the previous update's last word, not this one's answer.
    const first = Math.min(index, Math.max(from, delivered?.callIndex ?? from));
    return {
      offeredAt,
      deliveredAt: delivered?.at ?? offeredAt,
      firstAt: (calls[first] as ApiCall).at,
      readyAt: (calls[index] as ApiCall).at,
    };
  }
}

export interface Walked {
  samples: Sample[];
  residents: Resident[];
  /** performance.now() of the first offer and of the last reply. */
  startedAt: number;
  endedAt: number;
  /** Updates offered per second over the offering window (open loop). */
  offeredRate?: number;
}

/** Every resident at once, each sending its next update when the reply to the previous one came. */
export async function closedLoop(residents: Resident[], stallMs: number): Promise<Walked> {
  const samples: Sample[] = [];
  const startedAt = performance.now();
  let endedAt = startedAt;
  await Promise.all(
    residents.map(async (r) => {
      while (!r.finished && !r.stalled) {
        const s = await r.step(stallMs);
        if (s) {
          samples.push(s);
          endedAt = Math.max(endedAt, s.readyAt);
        }
      }
    }),
  );
  return { samples, residents, startedAt, endedAt };
}

/**
 * Updates offered at `rate` a second for `durationMs`: each by the resident that has waited longest since
 * its reply came, or by a new resident (`newResident`) when none is waiting. Then waits for the replies to
 * everything offered (a resident still mid-form at the end simply stops there).
 */
export async function openLoop(opts: {
  rate: number;
  durationMs: number;
  stallMs: number;
  newResident: () => Resident;
}): Promise<Walked> {
  const samples: Sample[] = [];
  const residents: Resident[] = [];
  const waiting: Resident[] = [];
  const inFlight = new Set<Promise<void>>();
  const startedAt = performance.now();
  let endedAt = startedAt;
  let offered = 0;
  for (;;) {
    const elapsed = performance.now() - startedAt;
    if (elapsed >= opts.durationMs) break;
    const due = Math.floor((elapsed / 1000) * opts.rate) + 1;
    while (offered < due) {
      let r = waiting.shift();
      if (!r) {
        r = opts.newResident();
        residents.push(r);
      }
      offered++;
      const resident = r;
      const p = resident.step(opts.stallMs).then((s) => {
        if (!s) return;
        samples.push(s);
        endedAt = Math.max(endedAt, s.readyAt);
        if (!resident.finished) waiting.push(resident);
      });
      inFlight.add(p);
      void p.finally(() => inFlight.delete(p));
    }
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
  const offeredRate = offered / ((performance.now() - startedAt) / 1000);
  await Promise.all(inFlight);
  return { samples, residents, startedAt, endedAt, offeredRate };
}
