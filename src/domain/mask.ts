/**
 * Masks for personal data shown on screen (to staff, in summaries, in logs). The output keeps the
 * input's length so a reader can still tell what kind of value it was.
 */

/** `522201198503081234` → `522*************34` (first 3 and last 2 kept). Short inputs: all `*`. */
export function maskIdNumber(id: string): string {
  return keepEnds(id, 3, 2);
}

/** `13812345678` → `138****5678` (first 3 and last 4 kept). Short inputs: all `*`. */
export function maskPhone(phone: string): string {
  return keepEnds(phone, 3, 4);
}

/**
 * Keeps the family name and hides every other letter, keeping separators: `张三` → `张*`,
 * `张三丰` → `张**`, `欧阳娜娜` → `欧阳**`, `阿依古丽·买买提` → `阿***·***`, `Li Wei` → `L* ***`.
 * A one-character name is shown as `*`.
 */
export function maskName(name: string): string {
  const chars = [...name.trim()];
  if (chars.length <= 1) return '*'.repeat(chars.length);
  const twoChars = chars.slice(0, 2).join('');
  const keep = chars.length > 2 && COMPOUND_SURNAMES.has(twoChars) ? 2 : 1;
  return chars.map((c, i) => (i < keep || SEPARATORS.has(c) ? c : '*')).join('');
}

const SEPARATORS = new Set([' ', '·', '-']);

/** Two-character Han family names, so that 欧阳娜娜 keeps 欧阳 rather than 欧. */
const COMPOUND_SURNAMES = new Set([
  '欧阳',
  '司马',
  '上官',
  '诸葛',
  '东方',
  '皇甫',
  '尉迟',
  '公孙',
  '慕容',
  '长孙',
  '宇文',
  '司徒',
  '司空',
  '夏侯',
  '轩辕',
  '令狐',
  '端木',
  '独孤',
  '南宫',
  '西门',
  '百里',
  '呼延',
  '万俟',
  '澹台',
  '公冶',
  '太史',
  '申屠',
  '闻人',
  '赫连',
  '拓跋',
  '钟离',
  '宗政',
  '濮阳',
  '淳于',
  '单于',
  '太叔',
  '仲孙',
  '第五',
  '东郭',
  '公羊',
  '左丘',
  '梁丘',
  '巫马',
  '亓官',
  '羊舌',
  '微生',
  '谷梁',
]);

function keepEnds(value: string, head: number, tail: number): string {
  const chars = [...value];
  if (chars.length <= head + tail) return '*'.repeat(chars.length);
  return chars.map((c, i) => (i < head || i >= chars.length - tail ? c : '*')).join('');
}
