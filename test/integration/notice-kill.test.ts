// The notice sender as a real process (bench/notice-child.ts, built like main.ts builds it), killed
// with SIGKILL in the middle of a notice and started again: nobody reached is sent it twice, nobody is
// skipped, and the delivery table reconciles (delivered + unreachable + failed + uncertain = recipients).
import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeBotApi, startFakeBotApi } from '../support/fake-bot-api.ts';
import {
  ADMIN,
  countsOf,
  createNotice,
  createScene,
  residents,
  type Scene,
  seed,
  waitFor,
} from '../support/notice-scene.ts';

const root = path.resolve(import.meta.dirname, '../..');
const FIRST = 40_001;
const COUNT = 80;

let s: Scene;
let api: FakeBotApi;
const children: ChildProcess[] = [];

beforeAll(async () => {
  s = await createScene();
  await seed(s, residents(s, COUNT, FIRST));
  api = await startFakeBotApi({ blocked: [FIRST + 3] });
});
afterAll(async () => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  await api.close();
  await s.close();
});

function sender(noticeId: string): ChildProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'bench/notice-child.ts')], {
    cwd: root,
    env: {
      ...process.env,
      DATABASE_URL: s.database.url,
      API_ROOT: api.url,
      NOTICE_ID: noticeId,
      // The notice's author (an administrator): the sender checks the author again when it starts a notice.
      ADMIN_TELEGRAM_IDS: String(ADMIN),
      RATE: '25',
      CLAIM_LEASE_MS: '1500',
      SEND_LEASE_MS: '1500',
      LOG_LEVEL: 'silent',
    },
    stdio: 'ignore',
  });
  children.push(child);
  return child;
}

const exit = (child: ChildProcess) =>
  new Promise<number | null>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve(child.exitCode);
    else child.once('exit', (code) => resolve(code));
  });

describe('a sender process killed with SIGKILL half-way', () => {
  it('is resumed by the next one without repeats or gaps', async () => {
    const noticeId = await createNotice(s);
    const residentsReached = () => [...api.accepted.keys()].filter((chat) => chat !== ADMIN).length;
    const first = sender(noticeId);
    await waitFor('half of the recipients', async () => residentsReached() >= COUNT / 2, 60_000);
    first.kill('SIGKILL');
    await exit(first);
    const atKill = await countsOf(s.db, noticeId);
    expect(atKill.pending + atKill.claimed + atKill.sending).toBeGreaterThan(0);

    const second = sender(noticeId);
    expect(await exit(second)).toBe(0);

    const counts = await countsOf(s.db, noticeId);
    const notice = await s.db.notice.findUniqueOrThrow({ where: { id: noticeId } });
    expect(notice.status).toBe('done');
    expect(notice.recipientCount).toBe(COUNT);
    expect(counts.pending + counts.claimed + counts.sending).toBe(0);
    expect(counts.delivered + counts.unreachable + counts.failed + counts.uncertain).toBe(COUNT);
    expect(counts.unreachable).toBe(1);
    expect(counts.failed).toBe(0);
    // Whoever was in flight at the kill is uncertain (at most the requests in flight at once).
    expect(counts.uncertain).toBeLessThanOrEqual(16);

    expect(api.duplicates().filter((chat) => chat !== ADMIN)).toEqual([]);
    const uncertain = await s.db.noticeDelivery.findMany({
      where: { noticeId, status: 'uncertain' },
      select: { telegramId: true },
    });
    const uncertainChats = new Set(uncertain.map((u) => Number(u.telegramId)));
    for (let chat = FIRST; chat < FIRST + COUNT; chat++) {
      if (chat === FIRST + 3) continue; // blocked
      // Everyone got it exactly once, except an uncertain one whose request never reached Telegram.
      if (!uncertainChats.has(chat)) expect(api.accepted.get(chat)?.length, `chat ${chat}`).toBe(1);
    }
    expect(counts.delivered).toBe(
      [...api.accepted.keys()].filter((chat) => chat !== ADMIN && !uncertainChats.has(chat)).length,
    );
  });
});
