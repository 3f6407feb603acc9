// Charts drawn on the server as SVG: no script, no library, the same picture with JavaScript off. Each chart
// has a <title> and a <desc> (its accessible name and summary), each bar a link to the cases behind it with
// its own <title> (a tooltip) and label; the page puts the same numbers in a table beside it. Colours are
// presentation attributes (the console's CSP allows no inline style) and keep 3:1 against the background.
import type { FC } from 'hono/jsx';

export interface Bar {
  value: number;
  /** What the bar says in words: its tooltip and its link's name ("11月23日这周收到 5 件"). */
  label: string;
  href: string | null;
}

export interface Series {
  name: string;
  /** One of the palette's classes: a, b. */
  tone: 'a' | 'b';
}

const COLOURS = { a: '#0b5cad', b: '#b5570b' } as const;

const W = 640;
const H = 260;
const PAD = { top: 16, right: 12, bottom: 44, left: 48 };

/** A round top for the axis: 1, 2, 5 × 10ⁿ at or above the largest value. */
export function niceMax(max: number): number {
  if (max <= 0) return 1;
  const p = 10 ** Math.floor(Math.log10(max));
  for (const m of [1, 2, 5, 10]) if (m * p >= max) return m * p;
  return 10 * p;
}

const fmt = (n: number) => (Number.isInteger(n) ? String(n) : n.toFixed(1));

/**
 * Vertical bars in groups (a week: received, resolved), a legend for the series, a y axis with four steps.
 * `groups[i].bars[j]` is series j of group i.
 */
export const GroupedBars: FC<{
  id: string;
  title: string;
  desc: string;
  series: Series[];
  groups: { label: string; bars: Bar[] }[];
  /** Written after the axis' numbers (%, h), if any. */
  unit?: string;
  fixedMax?: number;
}> = ({ id, title, desc, series, groups, unit = '', fixedMax }) => {
  const max = fixedMax ?? niceMax(Math.max(0, ...groups.flatMap((g) => g.bars.map((b) => b.value))));
  const plotW = W - PAD.left - PAD.right;
  const plotH = H - PAD.top - PAD.bottom;
  const groupW = plotW / Math.max(1, groups.length);
  const barW = Math.max(2, (groupW * 0.8) / Math.max(1, series.length));
  const y = (v: number) => PAD.top + plotH - (Math.min(v, max) / max) * plotH;
  const steps = [0, 0.25, 0.5, 0.75, 1].map((f) => f * max);
  return (
    <svg
      xmlns="http://www.w3.org/2000/svg"
      viewBox={`0 0 ${W} ${H + 24}`}
      class="chart"
      aria-labelledby={`${id}-title ${id}-desc`}
      id={id}
    >
      <title id={`${id}-title`}>{title}</title>
      <desc id={`${id}-desc`}>{desc}</desc>
      <g class="axis">
        {steps.map((s) => (
          <>
            <line x1={PAD.left} x2={W - PAD.right} y1={y(s)} y2={y(s)} stroke="#c9d1d9" stroke-width="1" />
            <text x={PAD.left - 6} y={y(s) + 4} text-anchor="end" font-size="11" fill="#4f5963">
              {`${fmt(s)}${unit}`}
            </text>
          </>
        ))}
      </g>
      {groups.map((g, i) => {
        const x0 = PAD.left + i * groupW + groupW * 0.1;
        return (
          <g class="group">
            {g.bars.map((b, j) => {
              const tone = series[j]?.tone ?? 'a';
              const top = y(b.value);
              const rect = (
                <rect
                  x={x0 + j * barW}
                  y={top}
                  width={barW - 1}
                  height={Math.max(0, PAD.top + plotH - top)}
                  fill={COLOURS[tone]}
                  class={`bar tone-${tone}`}
                  data-value={String(b.value)}
                >
                  <title>{b.label}</title>
                </rect>
              );
              return b.href ? (
                <a href={b.href} aria-label={b.label} class="bar-link">
                  {rect}
                </a>
              ) : (
                rect
              );
            })}
            <text
              x={x0 + (barW * g.bars.length) / 2}
              y={H - PAD.bottom + 16}
              text-anchor="middle"
              font-size="11"
              fill="#1b1f24"
            >
              {g.label}
            </text>
          </g>
        );
      })}
      <g class="legend">
        {series.map((s, j) => (
          <>
            <rect x={PAD.left + j * 160} y={H + 4} width="12" height="12" fill={COLOURS[s.tone]} />
            <text x={PAD.left + j * 160 + 18} y={H + 14} font-size="12" fill="#1b1f24">
              {s.name}
            </text>
          </>
        ))}
      </g>
    </svg>
  );
};

/** Horizontal bars, one a row (a service: its on-time share), the value written at the bar's end. */
export const RowBars: FC<{
  id: string;
  title: string;
  desc: string;
  rows: { label: string; bar: Bar; text: string }[];
  max: number;
}> = ({ id, title, desc, rows, max }) => {
  const rowH = 30;
  const labelW = 170;
  const plotW = W - labelW - 70;
  const height = Math.max(1, rows.length) * rowH + 10;
  return (
    <svg
      xmlns="http://www.w3.org/2000/svg"
      viewBox={`0 0 ${W} ${height}`}
      class="chart"
      aria-labelledby={`${id}-title ${id}-desc`}
      id={id}
    >
      <title id={`${id}-title`}>{title}</title>
      <desc id={`${id}-desc`}>{desc}</desc>
      {rows.map((r, i) => {
        const w = max > 0 ? (Math.min(r.bar.value, max) / max) * plotW : 0;
        const rect = (
          <rect
            x={labelW}
            y={i * rowH + 6}
            width={Math.max(1, w)}
            height={rowH - 10}
            fill={COLOURS.a}
            class="bar tone-a"
            data-value={String(r.bar.value)}
          >
            <title>{r.bar.label}</title>
          </rect>
        );
        return (
          <g class="row">
            <text x={labelW - 8} y={i * rowH + 25} text-anchor="end" font-size="13" fill="#1b1f24">
              {r.label}
            </text>
            {r.bar.href ? (
              <a href={r.bar.href} aria-label={r.bar.label} class="bar-link">
                {rect}
              </a>
            ) : (
              rect
            )}
            <text x={labelW + w + 6} y={i * rowH + 25} font-size="13" fill="#1b1f24">
              {r.text}
            </text>
          </g>
        );
      })}
    </svg>
  );
};
