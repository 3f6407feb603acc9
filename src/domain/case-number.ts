// Case numbers people can read aloud at a window: department prefix, year, sequence (EDU-2026-000042).
// Buttons and look-ups never use them: they use the case's random internal id.
export function formatCaseNumber(prefix: string, year: number, sequence: number): string {
  return `${prefix}-${year}-${String(sequence).padStart(6, '0')}`;
}

const CASE_NUMBER = /^([A-Z]{2,5})-(\d{4})-(\d{6,})$/;

/** Accepts what a person types: lowercase, spaces, full-width characters, missing dashes' spaces. */
export function parseCaseNumber(input: string): string | null {
  const text = input
    .normalize('NFKC')
    .replace(/[\s_—–]+/g, '-')
    .replace(/-+/g, '-')
    .replace(/^-|-$/g, '')
    .toUpperCase();
  const m = CASE_NUMBER.exec(text);
  return m ? formatCaseNumber(m[1] as string, Number(m[2]), Number(m[3])) : null;
}
