// The registration from /start to consent, one step at a time: a text to send, or the label of a button to
// tap. Shared by the end-to-end tests and the benchmarks (no imports: the memory benchmark bundles it into the
// process it measures).

/** One step of the registration as the resident takes it. */
export type Step = { text: string } | { tap: string };

export function registrationScript(idNumber: string): Step[] {
  return [
    { text: '/start' },
    { tap: '📝 登记我家' },
    { tap: '旺家社区' },
    { tap: '3栋' },
    { tap: '2 单元' },
    { text: '302' },
    { text: '杨光明' },
    { text: '13800001234' },
    { text: idNumber },
    { tap: '✅ 对的，提交' },
    { tap: '✅ 同意' },
  ];
}
