// The policy's red line ("at least one person employed in every household with labour") and the fields of a
// recommended job, as rules without storage.
import { describe, expect, it } from 'vitest';
import { DEFAULT_SERVICES } from '../../src/domain/catalogue/index.ts';
import {
  belowRedLine,
  type EmploymentStatus,
  isJobSeekingService,
  isLabour,
  parseJobField,
} from '../../src/domain/employment.ts';

// Monday 7 December 2026 in Beijing.
const today = new Date('2026-12-07T10:00:00+08:00');
const p = (birthDate: string, employment: EmploymentStatus | null = null) => ({ birthDate, employment });

describe('who counts as labour', () => {
  it('is 16 to 60 on the day, both birthdays included', () => {
    expect(isLabour(p('2010-12-07'), today)).toBe(true); // 16 today
    expect(isLabour(p('2010-12-08'), today)).toBe(false); // 16 tomorrow
    expect(isLabour(p('1965-12-08'), today)).toBe(true); // 60, turns 61 tomorrow
    expect(isLabour(p('1965-12-07'), today)).toBe(false); // 61 today
  });

  it('leaves out students and people out of the labour force, and counts everyone else of working age', () => {
    expect(isLabour(p('2005-01-01', 'student'), today)).toBe(false);
    expect(isLabour(p('1980-01-01', 'not_in_labour_force'), today)).toBe(false);
    for (const s of ['employed_local', 'employed_away', 'looking', null] as const)
      expect(isLabour(p('1980-01-01', s), today)).toBe(true);
  });
});

describe('the red line', () => {
  it('a household with labour and nobody employed is below it; one employed person lifts it', () => {
    expect(belowRedLine([p('1980-01-01')], today)).toBe(true);
    expect(belowRedLine([p('1980-01-01', 'looking')], today)).toBe(true);
    expect(belowRedLine([p('1980-01-01', 'looking'), p('1982-01-01', 'employed_away')], today)).toBe(false);
    expect(belowRedLine([p('1980-01-01'), p('2000-01-01', 'employed_local')], today)).toBe(false);
  });

  it('a household without labour is not below it (the elderly, children, students, the ill)', () => {
    expect(belowRedLine([p('1950-01-01'), p('2015-01-01')], today)).toBe(false);
    expect(belowRedLine([p('1990-01-01', 'not_in_labour_force'), p('2006-03-01', 'student')], today)).toBe(
      false,
    );
    expect(belowRedLine([], today)).toBe(false);
  });

  it('someone over 60 who works still counts as someone employed', () => {
    expect(belowRedLine([p('1980-01-01'), p('1955-01-01', 'employed_local')], today)).toBe(false);
  });
});

describe('a recommended job', () => {
  it('tidies each field and refuses an empty or over-long one', () => {
    expect(parseJobField('employer', '  万山  电子厂 ')).toEqual({ ok: true, value: '万山 电子厂' });
    expect(parseJobField('pay', '  ')).toEqual({ ok: false, error: 'empty' });
    expect(parseJobField('place', '地'.repeat(61))).toEqual({ ok: false, error: 'too_long' });
    expect(parseJobField('contact', '李经理 13800000000')).toEqual({ ok: true, value: '李经理 13800000000' });
    expect(parseJobField('employer', 'x'.repeat(5000))).toEqual({ ok: false, error: 'too_long' });
  });

  it('only a service that declares recommendations is answered with jobs', () => {
    const get = (code: string) => DEFAULT_SERVICES.find((s) => s.code === code);
    expect(isJobSeekingService(get('job_seeking'))).toBe(true);
    expect(get('job_seeking')?.setsEmployment).toEqual({ step: 'person', status: 'looking' });
    expect(isJobSeekingService(get('suggestion'))).toBe(false);
    expect(get('suggestion')?.setsEmployment).toBeUndefined();
    expect(isJobSeekingService(undefined)).toBe(false);
  });
});
