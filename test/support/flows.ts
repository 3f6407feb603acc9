// Scenes the bot tests share: a registered resident (through the real registration conversation), and
// household members added through the use case.
import { expect } from 'vitest';
import type { Harness, SimUser } from './bot-harness.ts';
import { makeIdNumber } from './fixtures.ts';

let seq = 100;

/** Registers `u` through /start; returns the ID number used (made up, valid checksum). */
export async function registerResident(
  u: SimUser,
  opts: { community?: string; building?: string; unit?: string; name?: string; birthDate?: string } = {},
): Promise<string> {
  const idNumber = makeIdNumber({ birthDate: opts.birthDate ?? '1982-04-04', seq: seq++ });
  await u.text('/start');
  await u.tap('📝 登记我家');
  await u.tap(opts.community ?? '旺家社区');
  await u.tap(opts.building ?? '3栋');
  await u.tap(opts.unit ?? '2 单元');
  await u.text('302');
  await u.text(opts.name ?? '杨光明');
  await u.text('13800001234');
  await u.text(idNumber);
  await u.tap('✅ 对的，提交');
  await u.tap('✅ 同意');
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
