// Where a message a resident sends outside any form goes (issue 11, point 4): to the open case a staff
// member recently wrote to them about, or — when there is none — to a service its plain words name, or to
// a choice of ways in. Pure rules; the look-ups are the use case's (src/app/inbound.ts).
import type { CaseStatus } from './case-status.ts';
import { isOpen } from './case-status.ts';

/** A staff message (a reply or a question) this recent makes the case the place a resident's message goes. */
export const STAFF_CONTACT_DAYS = 7;
/**
 * A case the resident added to this recently stays the place their next message goes, even when another
 * case has a more recent staff message: several messages in a row go to the same case (also after the
 * resident said "not this one" and picked another).
 */
export const CONTINUE_MINUTES = 30;
/** A message longer than this (in characters, spaces and punctuation left out) is not "a simple word". */
export const KEYWORD_MAX_CHARS = 12;

const DAY_MS = 86_400_000;
const MINUTE_MS = 60_000;

/** One of the resident's cases, with when staff last wrote to them about it and when they last added to it. */
export interface InboundCandidate {
  caseId: string;
  number: string;
  serviceCode: string;
  status: CaseStatus;
  /** The latest staff reply or question shown to the resident. */
  lastStaffAt: Date | null;
  /** The latest addition or answer of the resident. */
  lastResidentAt: Date | null;
}

/**
 * The case a message goes to, or null. Only open cases; among them, those a staff member wrote to within
 * STAFF_CONTACT_DAYS, or that the resident added to within CONTINUE_MINUTES. The most recent of those two
 * moments wins (ties: the case number, so the choice is stable).
 */
export function pickInboundCase<C extends InboundCandidate>(candidates: readonly C[], now: Date): C | null {
  const score = (c: C): number | null => {
    if (!isOpen(c.status)) return null;
    const staff =
      c.lastStaffAt && now.getTime() - c.lastStaffAt.getTime() <= STAFF_CONTACT_DAYS * DAY_MS
        ? c.lastStaffAt.getTime()
        : null;
    const mine =
      c.lastResidentAt && now.getTime() - c.lastResidentAt.getTime() <= CONTINUE_MINUTES * MINUTE_MS
        ? c.lastResidentAt.getTime()
        : null;
    if (staff === null && mine === null) return null;
    return Math.max(staff ?? 0, mine ?? 0);
  };
  let best: C | null = null;
  let bestScore = -1;
  for (const c of candidates) {
    const s = score(c);
    if (s === null) continue;
    if (s > bestScore || (s === bestScore && best !== null && c.number > best.number)) {
      best = c;
      bestScore = s;
    }
  }
  return best;
}

/**
 * A message as words to match: full-width folded (NFKC), lower case, without spaces, punctuation or
 * symbols (emoji included).
 */
export function normalizeWords(text: string): string {
  return text
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[\p{P}\p{S}\p{Z}\s]+/gu, ' ')
    .trim();
}

const HAN = /\p{Script=Han}/u;

/**
 * The service whose simple words a short message says ("上学", "看病 ！", "Doctor?"), or null: no word, a
 * long message (more than KEYWORD_MAX_CHARS letters: that is something to read, not a word), or words
 * of two services. `words` maps a service code to its words (Chinese ones are found inside the message,
 * English ones as whole words).
 */
export function matchServiceWords(
  text: string,
  words: Readonly<Record<string, readonly string[]>>,
): string | null {
  const normalized = normalizeWords(text);
  const compact = normalized.replace(/ /g, '');
  if (compact.length === 0 || compact.length > KEYWORD_MAX_CHARS * (HAN.test(compact) ? 1 : 3)) return null;
  const spaced = ` ${normalized} `;
  const found = new Set<string>();
  for (const [code, list] of Object.entries(words)) {
    for (const raw of list) {
      const word = normalizeWords(raw);
      if (!word) continue;
      const hit = HAN.test(word) ? compact.includes(word.replace(/ /g, '')) : spaced.includes(` ${word} `);
      if (hit) found.add(code);
    }
  }
  return found.size === 1 ? ([...found][0] as string) : null;
}

/** A comma-separated list of words from the locales ("上学, 读书，入学") as a list. */
export function wordList(text: string): string[] {
  return text
    .normalize('NFKC')
    .split(',')
    .map((w) => w.trim())
    .filter((w) => w.length > 0);
}
