// Which skills-training courses a sign-up offers (src/domain/course.ts): not started on the day (Beijing
// date), with a seat left, soonest first.
import { describe, expect, it } from 'vitest';
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
