// Where a message outside a form goes (src/domain/inbound.ts): the case chosen, and the plain words.
import { describe, expect, it } from 'vitest';
import { readLocaleResources } from '../../src/bot/i18n.ts';
import {
  CONTINUE_MINUTES,
  type InboundCandidate,
  matchServiceWords,
  normalizeWords,
  pickInboundCase,
  STAFF_CONTACT_DAYS,
  wordList,
} from '../../src/domain/inbound.ts';

const NOW = new Date('2026-12-10T08:00:00Z');
const ago = (ms: number) => new Date(NOW.getTime() - ms);
const DAY = 86_400_000;
const MIN = 60_000;

function candidate(over: Partial<InboundCandidate>): InboundCandidate {
  return {
    caseId: over.number ?? 'x',
    number: 'SUG-2026-000001',
    serviceCode: 'suggestion',
    status: 'in_progress',
    lastStaffAt: null,
    lastResidentAt: null,
    ...over,
  };
}

describe('pickInboundCase', () => {
  it('takes the open case with the most recent staff message within the window', () => {
    const a = candidate({ number: 'A', lastStaffAt: ago(3 * DAY) });
    const b = candidate({ number: 'B', lastStaffAt: ago(1 * DAY), status: 'waiting_resident' });
    expect(pickInboundCase([a, b], NOW)?.number).toBe('B');
  });

  it('ignores closed cases, cases nobody wrote to, and staff messages older than the window', () => {
    expect(
      pickInboundCase(
        [
          candidate({ number: 'closed', status: 'resolved', lastStaffAt: ago(MIN) }),
          candidate({ number: 'withdrawn', status: 'withdrawn', lastStaffAt: ago(MIN) }),
          candidate({ number: 'silent', lastStaffAt: null }),
          candidate({ number: 'old', lastStaffAt: ago(STAFF_CONTACT_DAYS * DAY + MIN) }),
        ],
        NOW,
      ),
    ).toBeNull();
    expect(
      pickInboundCase([candidate({ number: 'edge', lastStaffAt: ago(STAFF_CONTACT_DAYS * DAY) })], NOW)
        ?.number,
    ).toBe('edge');
  });

  it('keeps a case the resident just added to, over an older staff message elsewhere', () => {
    const a = candidate({ number: 'A', lastStaffAt: ago(2 * 60 * MIN) });
    const b = candidate({ number: 'B', lastStaffAt: ago(3 * DAY), lastResidentAt: ago(5 * MIN) });
    expect(pickInboundCase([a, b], NOW)?.number).toBe('B');
    // Added to long ago: the staff message wins again.
    const stale = { ...b, lastResidentAt: ago((CONTINUE_MINUTES + 1) * MIN) };
    expect(pickInboundCase([a, stale], NOW)?.number).toBe('A');
    // A case only the resident wrote to (no staff message) is kept for a while, then not.
    const own = candidate({ number: 'C', lastResidentAt: ago(MIN) });
    expect(pickInboundCase([own], NOW)?.number).toBe('C');
    expect(pickInboundCase([{ ...own, lastResidentAt: ago(DAY) }], NOW)).toBeNull();
  });

  it('is stable on a tie', () => {
    const at = ago(DAY);
    const a = candidate({ number: 'SUG-1', lastStaffAt: at });
    const b = candidate({ number: 'SUG-2', lastStaffAt: at });
    expect(pickInboundCase([a, b], NOW)?.number).toBe('SUG-2');
    expect(pickInboundCase([b, a], NOW)?.number).toBe('SUG-2');
  });
});

const resources = readLocaleResources();
const words: Record<string, string[]> = {};
for (const lang of ['zh-CN', 'en'] as const) {
  const list = (resources[lang].inbound as { words: Record<string, string> }).words;
  for (const [code, text] of Object.entries(list)) words[code] = [...(words[code] ?? []), ...wordList(text)];
}

describe('matchServiceWords (the words in the locales)', () => {
  it.each([
    ['上学', 'school_enrolment'],
    ['孩子要读书', 'school_enrolment'],
    ['入学！', 'school_enrolment'],
    ['看 病', 'medical_green_channel'],
    ['我要住院。', 'medical_green_channel'],
    ['医院', 'medical_green_channel'],
    ['低保', 'dibao'],
    ['  低保？？', 'dibao'],
    ['意见', 'suggestion'],
    ['我要投诉', 'suggestion'],
    ['建议', 'suggestion'],
    ['School', 'school_enrolment'],
    ['I need a doctor', 'medical_green_channel'],
    ['HOSPITAL!', 'medical_green_channel'],
    ['dibao', 'dibao'],
    ['living allowance?', 'dibao'],
    ['complaint', 'suggestion'],
    ['a suggestion', 'suggestion'],
    // Full-width letters and punctuation are folded.
    ['ｄｏｃｔｏｒ！', 'medical_green_channel'],
    ['【低保】', 'dibao'],
  ])('%s → %s', (text, code) => {
    expect(matchServiceWords(text, words)).toBe(code);
  });

  it.each([
    ['你好'],
    [''],
    ['   '],
    ['😀'],
    // Words of two services: not guessed.
    ['投诉医院'],
    // A long message is something to read, not a word.
    ['我们楼下的路灯坏了好几天了晚上看病回来很黑'],
    ['The lift in our building has been broken for a week and my mother cannot go to the hospital'],
    // English words count as whole words only.
    ['preschooler'],
    ['doctorate'],
  ])('%s → nothing', (text) => {
    expect(matchServiceWords(text, words)).toBeNull();
  });

  it('normalizes full-width text, case, spaces and punctuation', () => {
    expect(normalizeWords('  Ｈｅｌｌｏ，  World！ ')).toBe('hello world');
    expect(wordList('上学, 读书，入学 ,, ')).toEqual(['上学', '读书', '入学']);
  });
});
