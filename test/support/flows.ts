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
