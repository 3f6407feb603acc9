/**
 * Made-up people for tests. Names, ID numbers and phone numbers are invented; the default area code
 * 522201 (Bijiang district, Tongren) only makes the numbers look local.
 */

import { beijingDate } from '../../src/domain/beijing-time.ts';
import { formatDate, idCheckChar, type Sex } from '../../src/domain/id-number.ts';

export interface MakeIdNumberOptions {
  /** 6-digit area code; default 522201. */
  area?: string;
  /** YYYY-MM-DD */
  birthDate: string;
  /** 3-digit sequence 0-999; default 101. Its parity is adjusted when `sex` is given. */
  seq?: number;
  sex?: Sex;
}

/** A valid-checksum 18-character ID number for a made-up person. */
export function makeIdNumber({ area = '522201', birthDate, seq = 101, sex }: MakeIdNumberOptions): string {
  if (!/^\d{6}$/.test(area)) throw new RangeError(`area must be 6 digits: ${area}`);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(birthDate))
    throw new RangeError(`birthDate must be YYYY-MM-DD: ${birthDate}`);
  if (!Number.isInteger(seq) || seq < 0 || seq > 999) throw new RangeError(`seq must be 0-999: ${seq}`);
  const wantOdd = sex === undefined ? seq % 2 === 1 : sex === 'male';
  const sequence = (seq % 2 === 1) === wantOdd ? seq : seq ^ 1;
  const first17 = `${area}${birthDate.replace(/-/g, '')}${String(sequence).padStart(3, '0')}`;
  return first17 + idCheckChar(first17);
}

/** A birth date that makes someone `age` full years old on `today` (Asia/Shanghai), ~2 months past a birthday. */
export function birthDateForAge(age: number, today: Date = new Date()): string {
  const now = beijingDate(today);
  let month = now.month - 2;
  let year = now.year - age;
  if (month < 1) {
    month += 12;
    year -= 1;
  }
  return formatDate({ year, month, day: Math.min(now.day, 28) });
}

export interface PersonFixture {
  name: string;
  birthDate: string;
  sex: Sex;
  idNumber: string;
  phone: string;
}

function person(name: string, birthDate: string, sex: Sex, seq: number, phone: string): PersonFixture {
  return { name, birthDate, sex, idNumber: makeIdNumber({ birthDate, sex, seq }), phone };
}

export const adultMan = person('张三丰', '1985-03-08', 'male', 123, '13800000001');
export const adultWoman = person('王小梅', '1990-11-20', 'female', 246, '13900000002');
/** Six years old whenever the tests run: no ID number required. */
export const child = person('张小宝', birthDateForAge(6), 'male', 357, '13700000003');
export const elder = person('刘桂芬', '1948-05-16', 'female', 468, '15800000004');
/** A minority name written with the middle dot. */
export const minorityName = '阿依古丽·买买提';
