// Which skills-training courses a sign-up offers (src/domain/course.ts): not started on the day (Beijing
// date), with a seat left, soonest first.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ReferenceDataError, readReferenceData } from '../../src/db/reference-data.ts';
import { type CourseInfo, courseStarted, offeredCourses, seatsLeft } from '../../src/domain/course.ts';

const course = (code: string, start: string, seats: number, taken: number): CourseInfo => ({
  code,
  nameZh: code,
  nameEn: code,
  placeZh: '培训中心',
  placeEn: 'Training centre',
  start,
  end: '2027-02-01',
  seats,
  taken,
});

describe('offered courses', () => {
  it('leaves out courses that started (on the day itself too) and full ones; soonest first', () => {
    const list = [
      course('later', '2027-01-18', 20, 3),
      course('full', '2027-01-04', 10, 10),
      course('over-full', '2027-01-04', 10, 12),
      course('today', '2026-12-07', 10, 0),
      course('started', '2026-11-23', 10, 0),
      course('soon', '2026-12-08', 1, 0),
    ];
    expect(offeredCourses(list, '2026-12-07').map((c) => c.code)).toEqual(['soon', 'later']);
    expect(courseStarted(course('x', '2026-12-07', 1, 0), '2026-12-07')).toBe(true);
    expect(courseStarted(course('x', '2026-12-08', 1, 0), '2026-12-07')).toBe(false);
    expect(seatsLeft(course('x', '2027-01-01', 10, 12))).toBe(0);
    expect(seatsLeft(course('x', '2027-01-01', 10, 4))).toBe(6);
    expect(offeredCourses([], '2026-12-07')).toEqual([]);
  });
});

describe('courses in the reference file', () => {
  it('the demo file has them; an unknown district, an end before the start or no seat is named by its path', async () => {
    const demo = path.resolve(import.meta.dirname, '../../reference/tongren.json');
    expect((await readReferenceData(demo)).courses.map((c) => c.code)).toContain('wanshan-sewing-2701');
    const data = JSON.parse(readFileSync(demo, 'utf8'));
    data.courses[0].districts = ['nowhere'];
    data.courses[1].end = '2020-01-01';
    data.courses[2].seats = 0;
    const dir = mkdtempSync(path.join(tmpdir(), 'courses-'));
    const file = path.join(dir, 'reference.json');
    writeFileSync(file, JSON.stringify(data));
    try {
      const err = await readReferenceData(file).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ReferenceDataError);
      expect((err as ReferenceDataError).places).toEqual(
        expect.arrayContaining(['courses.0.districts.0', 'courses.1.end', 'courses.2.seats']),
      );
      expect((err as Error).message).toContain('the course ends before it starts');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
