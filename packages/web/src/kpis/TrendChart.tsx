import type { KpiTile } from '@careloop/core';
import { forwardRef } from 'react';
import { formatKpi } from './format';

const W = 720;
const H = 260;
const M = { top: 16, right: 36, bottom: 44, left: 64 };

/** Axis ticks: min, middle and max of the values (or 0–1 when empty). */
function scaleOf(values: number[]): { lo: number; hi: number } {
  if (values.length === 0) return { lo: 0, hi: 1 };
  const lo = Math.min(0, ...values);
  const hi = Math.max(...values);
  return hi === lo ? { lo, hi: lo + 1 } : { lo, hi };
}

/**
 * A KPI's trend as a hand-drawn SVG line chart with labelled axes (period on x, the KPI in its
 * unit on y). Suppressed and empty points break the line and are marked on the axis. The
 * element is what the SVG and PNG exports save.
 */
export const TrendChart = forwardRef<SVGSVGElement, { tile: KpiTile; grain: string }>(
  function TrendChart({ tile, grain }, ref) {
    const points = tile.trend;
    const values = points.flatMap((p) => (p.value === null ? [] : [p.value]));
    const { lo, hi } = scaleOf(values);
    const iw = W - M.left - M.right;
    const ih = H - M.top - M.bottom;
    const x = (i: number) =>
      M.left + (points.length <= 1 ? iw / 2 : (i * iw) / (points.length - 1));
    const y = (v: number) => M.top + ih - ((v - lo) / (hi - lo)) * ih;
    const segments: string[] = [];
    let current = '';
    points.forEach((p, i) => {
      if (p.value === null) {
        if (current) segments.push(current);
        current = '';
        return;
      }
      current += `${current ? 'L' : 'M'}${x(i).toFixed(1)},${y(p.value).toFixed(1)}`;
    });
    if (current) segments.push(current);
    const ticks = [lo, (lo + hi) / 2, hi];
    const labelEvery = Math.max(1, Math.ceil(points.length / 8));
    return (
      <svg
        ref={ref}
        xmlns="http://www.w3.org/2000/svg"
        viewBox={`0 0 ${W} ${H}`}
        width="100%"
        role="img"
        aria-label={`${tile.label} by ${grain}`}
        data-testid="kpi-trend-chart"
        style={{ fontFamily: 'system-ui, sans-serif', fontSize: 11, background: '#fff' }}
      >
        <title>{`${tile.label} by ${grain}`}</title>
        <g data-testid="y-axis">
          {ticks.map((t) => (
            <g key={t}>
              <line x1={M.left} x2={W - M.right} y1={y(t)} y2={y(t)} stroke="#e9ecef" />
              <text x={M.left - 6} y={y(t) + 4} textAnchor="end" fill="#495057">
                {formatKpi(tile.unit, t)}
              </text>
            </g>
          ))}
          <text
            transform={`translate(14 ${M.top + ih / 2}) rotate(-90)`}
            textAnchor="middle"
            fill="#212529"
          >
            {tile.label}
          </text>
        </g>
        <g data-testid="x-axis">
          <line x1={M.left} x2={W - M.right} y1={M.top + ih} y2={M.top + ih} stroke="#868e96" />
          {points.map((p, i) =>
            i % labelEvery === 0 ? (
              <text key={p.bucket} x={x(i)} y={M.top + ih + 16} textAnchor="middle" fill="#495057">
                {p.bucket.slice(grain === 'month' ? 0 : 5, grain === 'month' ? 7 : 10)}
              </text>
            ) : null,
          )}
          <text x={M.left + iw / 2} y={H - 6} textAnchor="middle" fill="#212529">
            {`${grain[0]?.toUpperCase() ?? ''}${grain.slice(1)} starting`}
          </text>
        </g>
        {segments.map((d) => (
          <path
            key={d}
            d={d}
            fill="none"
            stroke="#1c7ed6"
            strokeWidth={2}
            data-testid="kpi-trend-line"
          />
        ))}
        {points.map((p, i) =>
          p.value !== null ? (
            <circle key={p.bucket} cx={x(i)} cy={y(p.value)} r={3} fill="#1c7ed6">
              <title>{`${p.bucket}: ${formatKpi(tile.unit, p.value)}`}</title>
            </circle>
          ) : p.suppressed ? (
            <text key={p.bucket} x={x(i)} y={M.top + ih - 4} textAnchor="middle" fill="#6c757d">
              <title>{`${p.bucket}: fewer than the reporting threshold`}</title>•
            </text>
          ) : null,
        )}
      </svg>
    );
  },
);

/** A tile's small trend line (no axes). */
export function Sparkline({ tile }: { tile: KpiTile }) {
  const values = tile.trend.map((p) => p.value);
  const known = values.flatMap((v) => (v === null ? [] : [v]));
  if (known.length < 2) return <svg width={120} height={28} aria-hidden="true" />;
  const { lo, hi } = scaleOf(known);
  const x = (i: number) => (i * 120) / Math.max(1, values.length - 1);
  const y = (v: number) => 26 - ((v - lo) / (hi - lo)) * 24;
  let d = '';
  values.forEach((v, i) => {
    d +=
      v === null
        ? ''
        : `${d && values[i - 1] !== null ? 'L' : 'M'}${x(i).toFixed(1)},${y(v).toFixed(1)}`;
  });
  return (
    <svg width={120} height={28} aria-hidden="true" data-testid="kpi-sparkline">
      <path d={d} fill="none" stroke="#1c7ed6" strokeWidth={1.5} />
    </svg>
  );
}
