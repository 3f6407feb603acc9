import { describe, expect, it } from 'vitest';
import { relationAgeProblem } from '../../src/domain/household.ts';

// 1 December 2026, Beijing time; the resident was born on 10 May 1970.
const today = new Date('2026-12-01T04:00:00Z');
const resident = '1970-05-10';

describe('relationAgeProblem', () => {
  it.each([
    ['spouse', '1972-01-01'],
    ['spouse', '1950-01-01'],
    ['spouse', '2008-11-30'], // 18 the day before
    ['child', '1995-06-01'],
    ['child', '1982-05-10'], // exactly 12 years younger
    ['grandchild', '2019-02-01'],
    ['grandchild', '1994-05-10'], // exactly 24 years younger
    ['parent', '1945-03-01'],
    ['parent', '1958-05-10'], // exactly 12 years older
    ['grandparent', '1920-01-01'],
    ['grandparent', '1946-05-10'],
    ['sibling', '2019-01-01'],
    ['sibling', '1940-01-01'],
    ['other', '2024-01-01'],
  ])('%s born %s is accepted', (relation, birthDate) => {
    expect(relationAgeProblem(relation, birthDate, resident, today)).toBeNull();
  });

  it.each([
    ['spouse', '2019-03-01', 'spouse_too_young'],
    ['spouse', '2008-12-02', 'spouse_too_young'], // 18 tomorrow
    ['child', '1960-01-01', 'child_too_old'], // older than the resident
    ['child', '1970-05-10', 'child_too_old'], // same day
    ['child', '1982-05-09', 'child_too_old'], // a day short of 12 years
    ['grandchild', '1985-01-01', 'grandchild_too_old'],
    ['parent', '1990-01-01', 'parent_too_young'], // younger than the resident
    ['parent', '1958-05-11', 'parent_too_young'],
    ['grandparent', '1950-01-01', 'grandparent_too_young'],
  ])('%s born %s is refused: %s', (relation, birthDate, problem) => {
    expect(relationAgeProblem(relation, birthDate, resident, today)).toBe(problem);
  });

  it('a resident born on 29 February: the generation gap ends on 1 March', () => {
    expect(relationAgeProblem('child', '1992-02-29', '1980-02-29', today)).toBeNull();
    expect(relationAgeProblem('child', '1992-02-28', '1980-02-29', today)).toBe('child_too_old');
  });
});
