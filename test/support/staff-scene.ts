// Scenes the staff tests share: staff members (made directly, or through an invite and /join), cases filed
// through the residents' use case, presses in a department group, and the case workers (the notification
// dispatcher and the deadline watcher) over the harness's database and fake Bot API.
import { Api } from 'grammy';
import type { Update } from 'grammy/types';
import { composeCaseWorkers } from '../../src/compose.ts';
import {
  type ApiCall,
  BOT_INFO,
  type FailCall,
  fakeTelegram,
  type Harness,
  type SimUser,
  TEST_TOKEN,
} from './bot-harness.ts';

let updateId = 9_000_000;
let submission = 0;

export async function makeStaff(
  h: Harness,
  telegramId: number,
  departmentCode: string,
  opts: { displayName?: string; onDuty?: boolean } = {},
): Promise<string> {
  const row = await h.db.staffMember.create({
    data: {
      telegramId: BigInt(telegramId),
      role: 'staff',
      departmentCode,
      displayName: opts.displayName ?? `工作人员${telegramId}`,
      onDuty: opts.onDuty ?? true,
    },
    select: { id: true },
  });
  return row.id;
}

/** A suggestion filed through the residents' use case (the resident side has its own form tests). */
export async function fileSuggestion(
  h: Harness,
  u: SimUser,
  opts: { text?: string; anonymous?: boolean } = {},
): Promise<{ caseId: string; number: string }> {
  const text = opts.text ?? '楼道的灯坏了，晚上看不见';
  const r = await h.deps.cases.submit(
    u.id,
    'suggestion',
    {
      topic: { value: 'safety', label: '安全' },
      content: { value: text, label: text },
      anonymous: opts.anonymous
        ? { value: 'anonymous', label: '匿名' }
        : { value: 'named', label: '写上我的名字' },
    },
    `staff-test:${u.id}:${submission++}`,
  );
  if (!r.ok) throw new Error(`submit failed: ${r.error}`);
  return { caseId: r.value.caseId, number: r.value.number };
}

/** A button press in a department group (a supergroup) by `from`. */
export function groupPress(h: Harness, from: SimUser, chatId: number, data: string, messageId: number) {
  const start = h.calls.length;
  const update = {
    update_id: updateId++,
    callback_query: {
      id: `gq${updateId}`,
      from: from.from,
      chat_instance: `g${chatId}`,
      data,
      message: {
        message_id: messageId,
        date: Math.floor(Date.now() / 1000),
        chat: { id: chatId, type: 'supergroup', title: '部门工作群' },
        from: BOT_INFO,
        text: '…',
      },
    },
  } as Update;
  return h.bot.handleUpdate(update).then(() => h.calls.slice(start));
}

/** A my_chat_member update: the user blocked ("kicked") or unblocked ("member") the bot. */
export function chatMember(h: Harness, u: SimUser, status: 'kicked' | 'member') {
  const update = {
    update_id: updateId++,
    my_chat_member: {
      chat: u.chat,
      from: u.from,
      date: Math.floor(Date.now() / 1000),
      old_chat_member: { status: status === 'member' ? 'kicked' : 'member', user: BOT_INFO },
      new_chat_member: { status, user: BOT_INFO, ...(status === 'kicked' ? { until_date: 0 } : {}) },
    },
  } as unknown as Update;
  return h.bot.handleUpdate(update);
}

export interface CaseWorkers {
  dispatcher: ReturnType<typeof composeCaseWorkers>['dispatcher'];
  watcher: ReturnType<typeof composeCaseWorkers>['watcher'];
  /** The Bot API calls the dispatcher made (its own fake Telegram). */
  calls: ApiCall[];
  /** Runs the dispatcher until nothing is due. */
  drain(): Promise<number>;
}

/**
 * The case workers over the harness's database. By default they send through the harness's own fake Bot API
 * (so `u.texts()` sees notifications); with `fail`, through a fake of their own that injects errors.
 */
export function caseWorkers(
  h: Harness,
  opts: {
    now?: () => Date;
    fail?: FailCall;
    leaseMs?: number;
    maxAttempts?: number;
  } = {},
): CaseWorkers {
  const own = opts.fail ? fakeTelegram({ fail: opts.fail }) : null;
  const api = own ? new Api(TEST_TOKEN, { fetch: own.fetch }) : h.bot.api;
  const workers = composeCaseWorkers({
    db: h.db,
    cipher: h.cipher,
    deps: h.deps,
    api,
    now: opts.now,
    dispatcher: { minIntervalMs: 0, pollMs: 20, leaseMs: opts.leaseMs, maxAttempts: opts.maxAttempts },
  });
  return {
    ...workers,
    calls: own ? own.calls : h.calls,
    async drain() {
      let sent = 0;
      for (let i = 0; i < 100; i++) {
        const r = await workers.dispatcher.runOnce();
        sent += r.sent;
        if (r.claimed === 0) return sent;
      }
      throw new Error('the dispatcher did not run dry in 100 batches');
    },
  };
}

/** Texts sent to one chat among `calls`. */
export function textsTo(calls: ApiCall[], chatId: number): string[] {
  return calls
    .filter(
      (c) =>
        (c.method === 'sendMessage' || c.method === 'editMessageText') &&
        Number(c.payload.chat_id) === chatId,
    )
    .map((c) => String(c.payload.text));
}
