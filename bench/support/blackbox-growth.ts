// The state-growth part of the black-box benchmark (bench/blackbox.ts), in-process like bench/forms.ts: the
// bot built as main.ts builds it (bench/support/our-bot.ts) with a fake `fetch`, residents taken to the
// registration's ID-number step, then wrong answers piling up there; at 0, 50 and 150 of them, the CPU of a
// few more, the stored form state, and where a few more spend their time under the profiler.
import { loadReference, ourBot } from './our-bot.ts';
import type { BenchDatabase } from './postgres.ts';
import { query } from './postgres.ts';
import { type ProfileSummary, profile } from './profile.ts';
import { fakeBotApi, idNumberFor, REGISTERED_TEXT, registrationSteps, walk } from './residents.ts';
import type { BenchContext } from './runner.ts';
import { ms, percentile, pool } from './stats.ts';

export const GROWTH_POINTS = [0, 50, 150];
/** Wrong answers measured at each point, per resident; and profiled after them. */
export const GROWTH_MEASURED = 10;
export const GROWTH_PROFILED = 5;
export const NONSENSE = '这不是身份证号'.repeat(30).slice(0, 200);
/** Index of the ID-number step in the registration script. */
const ID_STEP = registrationSteps('ID').findIndex((step) => 'text' in step && step.text === 'ID');

export interface GrowthPoint {
  wrong: number;
  cpuMs: number;
  p50: number;
  /** Stored form state per resident (encrypted), at that point. */
  stateBytes: number;
  /** The largest self times of a few more wrong answers there, under the profiler. */
  profile: ProfileSummary;
  profiledUpdates: number;
}

/** In-process: the CPU of a wrong answer at the ID-number step, as wrong answers pile up in the form's state. */
export async function stateGrowth(
  ctx: BenchContext,
  database: BenchDatabase,
  residents: number,
): Promise<{ points: GrowthPoint[]; finished: number }> {
  const api = fakeBotApi();
  // The flood limit (60 updates a minute) lifted: a resident would need minutes for 150 wrong answers.
  const bot = ourBot(database.url, api, { flood: { limit: 1_000_000, windowMs: 60_000 } });
  try {
    await loadReference(bot.db);
    const handle = (u: Parameters<typeof bot.gate.process>[0]) => bot.gate.process(u);
    const users = Array.from({ length: residents }, (_, i) => 60_000_000 + i);
    const idFor = (id: number) => idNumberFor(500_000 + id - 60_000_000);
    ctx.log(`blackbox: state growth, ${residents} residents to the ID-number step`);
    await pool(users, users.length, (id) =>
      walk(id, registrationSteps(idFor(id)).slice(0, ID_STEP), api, handle, []),
    );
    const wrong = (count: number, latencies: number[]) =>
      pool(users, users.length, (id) =>
        walk(
          id,
          Array.from({ length: count }, () => ({ text: NONSENSE })),
          api,
          handle,
          latencies,
        ),
      );
    const stateBytes = async () =>
      Number(
        (
          await query(
            database.url,
            'select coalesce(avg(octet_length(data)), 0)::int as b from conversation_state',
          )
        ).rows[0].b,
      );
    const points: GrowthPoint[] = [];
    let sent = 0;
    for (const point of GROWTH_POINTS) {
      await wrong(point - sent, []);
      const bytes = await stateBytes();
      const latencies: number[] = [];
      const cpu = process.cpuUsage();
      await wrong(GROWTH_MEASURED, latencies);
      const used = process.cpuUsage(cpu);
      const profiled = await profile(() => wrong(GROWTH_PROFILED, []));
      sent = point + GROWTH_MEASURED + GROWTH_PROFILED;
      points.push({
        wrong: point,
        cpuMs: (used.user + used.system) / 1000 / latencies.length,
        p50: percentile(latencies, 50),
        stateBytes: bytes,
        profile: profiled.summary,
        profiledUpdates: GROWTH_PROFILED * users.length,
      });
      ctx.log(`blackbox: after ${point} wrong answers, ${ms(points.at(-1)?.cpuMs ?? 0, 2)} CPU per update`);
    }
    await pool(users, users.length, (id) =>
      walk(id, registrationSteps(idFor(id)).slice(ID_STEP), api, handle, []),
    );
    const finished = users.filter((id) => api.chats.get(id)?.lastText.includes(REGISTERED_TEXT)).length;
    return { points, finished };
  } finally {
    await bot.close();
  }
}
