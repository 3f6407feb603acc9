// Answers for the window's generic filing form (src/app/filing.ts), read from what the form offers: each
// step not given in `preset` answered with its first offer (not a "stop" one), a text or a sum made up;
// "continue" until no new step appears (a `when` opened by an answer). Shared by the filing and walk-in tests.
import type { FilingService } from '../../src/app/filing.ts';
import { type FormWords, fieldName, type RawForm } from '../../src/app/filing-form.ts';

export const formWords: FormWords = {
  option: (step, o) => `${step.id}:${o}`,
  money: (yuan) => `${yuan} 元`,
  place: (p) => p.nameZh,
  registeredPhone: (masked) => `登记的 ${masked}`,
};

/** `preset`: answers by step id, kept as they are. */
export async function answerEveryStep(
  filing: FilingService,
  who: number,
  residentId: string,
  serviceCode: string,
  preset: Record<string, string> = {},
): Promise<RawForm> {
  let raw: RawForm = Object.fromEntries(Object.entries(preset).map(([id, v]) => [fieldName(id), v]));
  for (let round = 0; round < 5; round++) {
    const got = await filing.form(who, residentId, serviceCode, raw, formWords, false);
    if (!got.ok) throw new Error(`no form for ${serviceCode}`);
    const next: RawForm = { ...raw };
    for (const f of got.value.form.fields) {
      const name = fieldName(f.step.id);
      if (next[name] !== undefined) continue;
      const step = f.step;
      const offered = f.options
        .map((o) => o.value)
        .filter((v) => step.kind !== 'choice' || !step.stopOn?.includes(v));
      const min = 'multiple' in step && step.multiple ? step.multiple.min : 1;
      if (step.kind === 'text') next[name] = '说明一下';
      else if (step.kind === 'money') next[name] = '100';
      else if (offered.length > 0) next[name] = min > 1 ? offered.slice(0, min) : (offered[0] as string);
    }
    if (JSON.stringify(next) === JSON.stringify(raw)) break;
    raw = next;
  }
  return raw;
}
