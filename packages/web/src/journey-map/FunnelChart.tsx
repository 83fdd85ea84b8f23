import type { JourneyMap } from '@careloop/core';
import { forwardRef } from 'react';

const WIDTH = 960;
const ROW = 34;

type Funnel = NonNullable<JourneyMap['funnel']>;

/** The funnel of a definition: patients reaching each step, with the drop-off after it. */
export const FunnelChart = forwardRef<SVGSVGElement, { funnel: Funnel; title: string }>(
  function FunnelChart({ funnel, title }, ref) {
    const height = 30 + ROW * funnel.steps.length;
    const max = funnel.entered ?? Math.max(1, ...funnel.steps.map((s) => s.reached ?? 0));
    const barMax = WIDTH - 420;
    return (
      <svg
        ref={ref}
        viewBox={`0 0 ${WIDTH} ${height}`}
        width="100%"
        role="img"
        aria-label={title}
        data-testid="journey-funnel"
        style={{ maxWidth: WIDTH, background: '#fff' }}
      >
        <title>{title}</title>
        <text x={8} y={16} fontSize={13} fontWeight={600} fill="#212529">
          {title}
        </text>
        {funnel.steps.map((s, i) => {
          const y = 26 + i * ROW;
          const w = s.reached === null || max === 0 ? 0 : (s.reached / max) * barMax;
          return (
            <g key={s.key}>
              <text x={8} y={y + 18} fontSize={12} fill="#212529">
                {s.label}
              </text>
              <rect
                x={200}
                y={y + 4}
                width={Math.max(2, w)}
                height={ROW - 10}
                fill="#4263eb"
                opacity={s.reached === null ? 0.15 : 0.8}
              />
              <text x={210 + Math.max(2, w)} y={y + 18} fontSize={12} fill="#212529">
                {s.reached === null ? 'suppressed' : `${s.reached}`}
                {s.dropOffRate === null ? '' : ` · ${Math.round(s.dropOffRate * 100)} % stop here`}
              </text>
            </g>
          );
        })}
      </svg>
    );
  },
);
