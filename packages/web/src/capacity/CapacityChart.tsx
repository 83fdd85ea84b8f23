import type { CapacityReport } from '@careloop/core';
import { forwardRef } from 'react';

const W = 720;
const H = 260;
const M = { top: 16, right: 16, bottom: 44, left: 56 };

/**
 * Available and booked hours per week (all locations of the filter) as an SVG bar chart with
 * labelled axes; the element is what the SVG and PNG exports save.
 */
export const CapacityChart = forwardRef<SVGSVGElement, { report: CapacityReport }>(
  function CapacityChart({ report }, ref) {
    const byWeek = new Map<string, { available: number; booked: number }>();
    for (const w of report.weeks) {
      const sum = byWeek.get(w.week) ?? { available: 0, booked: 0 };
      byWeek.set(w.week, {
        available: sum.available + w.availableHours,
        booked: sum.booked + w.bookedHours,
      });
    }
    const weeks = [...byWeek].sort(([a], [b]) => a.localeCompare(b));
    const hi = Math.max(1, ...weeks.flatMap(([, v]) => [v.available, v.booked]));
    const iw = W - M.left - M.right;
    const ih = H - M.top - M.bottom;
    const band = iw / Math.max(1, weeks.length);
    const y = (v: number) => M.top + ih - (v / hi) * ih;
    const labelEvery = Math.max(1, Math.ceil(weeks.length / 8));
    return (
      <svg
        ref={ref}
        xmlns="http://www.w3.org/2000/svg"
        viewBox={`0 0 ${W} ${H}`}
        width="100%"
        role="img"
        aria-label="Available and booked hours by week"
        data-testid="capacity-chart"
        style={{ fontFamily: 'system-ui, sans-serif', fontSize: 11, background: '#fff' }}
      >
        <title>Available and booked hours by week</title>
        <g data-testid="y-axis">
          {[0, hi / 2, hi].map((t) => (
            <g key={t}>
              <line x1={M.left} x2={W - M.right} y1={y(t)} y2={y(t)} stroke="#e9ecef" />
              <text x={M.left - 6} y={y(t) + 4} textAnchor="end" fill="#495057">
                {Math.round(t)}
              </text>
            </g>
          ))}
          <text
            transform={`translate(14 ${M.top + ih / 2}) rotate(-90)`}
            textAnchor="middle"
            fill="#495057"
          >
            Hours
          </text>
        </g>
        {weeks.map(([week, v], i) => {
          const x = M.left + i * band;
          const w = Math.max(2, band / 2 - 3);
          return (
            <g key={week}>
              <rect
                x={x + 2}
                y={y(v.available)}
                width={w}
                height={M.top + ih - y(v.available)}
                fill="#adb5bd"
              >
                <title>{`${week}: ${v.available} h available`}</title>
              </rect>
              <rect
                x={x + 2 + w}
                y={y(v.booked)}
                width={w}
                height={M.top + ih - y(v.booked)}
                fill="#1864ab"
              >
                <title>{`${week}: ${v.booked} h booked`}</title>
              </rect>
            </g>
          );
        })}
        <g data-testid="x-axis">
          <line x1={M.left} x2={W - M.right} y1={M.top + ih} y2={M.top + ih} stroke="#868e96" />
          {weeks.map(([week], i) =>
            i % labelEvery === 0 ? (
              <text
                key={week}
                x={M.left + i * band + band / 2}
                y={M.top + ih + 16}
                textAnchor="middle"
                fill="#495057"
              >
                {week.slice(5)}
              </text>
            ) : null,
          )}
          <text x={M.left + iw / 2} y={H - 6} textAnchor="middle" fill="#495057">
            Week beginning
          </text>
        </g>
        <g>
          <rect x={W - M.right - 170} y={M.top} width={10} height={10} fill="#adb5bd" />
          <text x={W - M.right - 156} y={M.top + 9} fill="#495057">
            Available
          </text>
          <rect x={W - M.right - 90} y={M.top} width={10} height={10} fill="#1864ab" />
          <text x={W - M.right - 76} y={M.top + 9} fill="#495057">
            Booked
          </text>
        </g>
      </svg>
    );
  },
);
