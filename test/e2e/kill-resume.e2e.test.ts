// kill -9 of the real bot process (long polling, against the telegram-test-api emulator) in the middle of a
// registration, then a restart: the resident goes on from the question they were at, the answers given
// before the kill are still there (the form's state is in PostgreSQL, encrypted), and the household is
// stored once at the end.
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { makeIdNumber } from '../support/fixtures.ts';
import { useEmulatorScene } from './scene.ts';
import { BotProcess, hasButton, SimulatedUser } from './support.ts';

const TOKEN = '123456789:AAe2e-token-for-the-kill-resume-test';
const USER_ID = 434343;

const scene = useEmulatorScene();
const { processes } = scene;

async function startBot(): Promise<BotProcess> {
  const p = new BotProcess({
    BOT_TOKEN: TOKEN,
    TELEGRAM_API_ROOT: scene.emulator.apiRoot,
    DATABASE_URL: scene.db.url,
    PII_KEY: 'c3'.repeat(32),
    LOG_LEVEL: 'info',
  });
  processes.push(p);
  await p.waitForLog('long polling started', 60_000);
  return p;
}

describe('kill -9 in the middle of a registration', () => {
  it('after a restart the resident goes on where they were', async () => {
    const idNumber = makeIdNumber({ birthDate: '1979-09-09', seq: 17 });
    const first = await startBot();
    const u = new SimulatedUser(scene.emulator, TOKEN, USER_ID);
    await u.command('/start', hasButton('📝 登记我家'));
    await u.tap('📝 登记我家', hasButton('旺家社区'));
    await u.tap('旺家社区', hasButton('3栋'));
    await u.tap('3栋', hasButton('2 单元'));
    await u.tap('2 单元', '门牌号');
    await u.text('302', '名字');

    first.child.kill('SIGKILL');
    expect((await first.exited).signal).toBe('SIGKILL');

    await startBot();
    // The name question was open when the process died: the name is taken as its answer.
    await u.text('杨光明', '手机号');
    await u.text('13800001234', '身份证号');
    const summary = await u.text(idNumber, hasButton('✅ 对的，提交'));
    // The answers from before the kill are in the summary.
    expect(summary.text).toContain('旺家社区');
    expect(summary.text).toContain('302');
    expect(summary.text).toContain('杨光明');
    await u.tap('✅ 对的，提交', hasButton('✅ 同意'));
    await u.tap('✅ 同意', '登记好了');

    const client = new pg.Client({ connectionString: scene.db.url });
    await client.connect();
    try {
      const { rows } = await client.query<{ room: string; unit: string; name: string; n: number }>(
        `select h.room, h.unit, r.name, count(*) over ()::int as n
           from household h join resident r on r.household_id = h.id where r.telegram_id = $1`,
        [USER_ID],
      );
      expect(rows).toEqual([{ room: '302', unit: '2', name: '杨光明', n: 1 }]);
      const state = await client.query('select 1 from conversation_state');
      expect(state.rows).toEqual([]); // the finished form's state is gone
    } finally {
      await client.end();
    }
  }, 120_000);
});
