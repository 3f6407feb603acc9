// The registration from /start to consent, one step at a time: a text to send, or the label of a button to
// tap. The one copy of it: the bot tests take it through `registerResident` (flows.ts), the end-to-end tests
// and the benchmarks post it as updates (no imports: the memory benchmark bundles it into the process it
// measures).

/** One step of the registration as the resident takes it. */
export type Step = { text: string } | { tap: string };

/** Who registers, and where (each defaults to the script's usual resident). */
export interface Registrant {
  community?: string;
  building?: string;
  unit?: string;
  room?: string;
  name?: string;
  phone?: string;
}

export function registrationScript(idNumber: string, who: Registrant = {}): Step[] {
  return [
    { text: '/start' },
    { tap: '📝 登记我家' },
    { tap: who.community ?? '旺家社区' },
    { tap: who.building ?? '3栋' },
    { tap: who.unit ?? '2 单元' },
    { text: who.room ?? '302' },
    { text: who.name ?? '杨光明' },
    { text: who.phone ?? '13800001234' },
    { text: idNumber },
    { tap: '✅ 对的，提交' },
    { tap: '✅ 同意' },
  ];
}

/** How many steps come before each question: `script.slice(0, BEFORE.name)` ends at the name question. */
export const BEFORE = { name: 6, idNumber: 8, consent: 10 } as const;
