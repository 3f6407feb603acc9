// Scenes the bot tests share: a registered resident (through the real registration conversation), and
// household members added through the use case.
import { expect } from 'vitest';
import type { Harness, SimUser } from './bot-harness.ts';
import { makeIdNumber } from './fixtures.ts';
import { type Registrant, registrationScript, type Step } from './registration-script.ts';

let seq = 100;

/** Takes `steps` in `u`'s chat, one after the other. */
export async function takeSteps(u: SimUser, steps: Step[]): Promise<void> {
  for (const step of steps) {
    if ('text' in step) await u.text(step.text);
    else await u.tap(step.tap);
  }
}

/**
 * Registers `u` through /start (test/support/registration-script.ts); returns the ID number used (made up,
 * valid checksum, unless `idNumber` is given).
 */
export async function registerResident(
  u: SimUser,
  opts: Registrant & { birthDate?: string; idNumber?: string } = {},
): Promise<string> {
  const idNumber = opts.idNumber ?? makeIdNumber({ birthDate: opts.birthDate ?? '1982-04-04', seq: seq++ });
  await takeSteps(u, registrationScript(idNumber, opts));
  expect(u.lastText()).toContain('登记好了');
  return idNumber;
}

export async function addMember(
  h: Harness,
  telegramId: number,
  member: {
    name: string;
    relation: string;
    birthDate: string;
    sex?: 'male' | 'female';
    idNumber?: string | null;
  },
): Promise<string> {
  const r = await h.deps.households.addMember(telegramId, { sex: 'female', idNumber: null, ...member });
  if (!r.ok) throw new Error(`addMember failed: ${r.error}`);
  return r.value.memberId;
}

/**
 * Files the job-seeking service (reference/services/5-job_seeking.json) in Chinese from `/services` for
 * `person` (a name on a button): one skill, no more words, a factory job, full-time, no training, right away.
 */
export async function fileJobSeeking(u: SimUser, person: string): Promise<void> {
  await takeSteps(u, [
    { text: '/services' },
    { tap: '👷 求职登记' },
    { tap: person },
    { tap: '开车' },
    { tap: '✅ 选好了' },
    { tap: '跳过' },
    { tap: '园区工厂' },
    { tap: '全天上班' },
    { tap: '不参加' },
    { tap: '马上就能' },
    { tap: '✅ 对的，提交' },
  ]);
}
