import type { JourneyMap } from '@careloop/core';
import { sankey, sankeyLinkHorizontal } from 'd3-sankey';
import { forwardRef, useMemo } from 'react';

const WIDTH = 960;
const HEIGHT = 420;
const PALETTE = [
  '#4263eb',
  '#0ca678',
  '#f59f00',
  '#ae3ec9',
  '#1098ad',
  '#e8590c',
  '#5c940d',
  '#d6336c',
];

interface Node {
  id: string;
  stage: string;
  position: number;
}
interface Link {
  source: string;
  target: string;
  value: number;
}

/**
 * Flows between stages as a Sankey: a column per step of the journey (the first, second, …
 * stage each patient entered), so cycles (visit → follow-up → visit) unroll left to right.
 * Suppressed links (null) are not drawn.
 */
export const SankeyChart = forwardRef<SVGSVGElement, { map: JourneyMap; title: string }>(
  function SankeyChart({ map, title }, ref) {
    const label = (stage: string) => map.stages.find((s) => s.key === stage)?.label ?? stage;
    const color = (stage: string) => {
      const i = map.stages.findIndex((s) => s.key === stage);
      return PALETTE[(i < 0 ? 0 : i) % PALETTE.length] ?? '#868e96';
    };
    const graph = useMemo(() => {
      const links: Link[] = map.sankey.links.flatMap((l) =>
        l.patients === null ? [] : [{ source: l.source, target: l.target, value: l.patients }],
      );
      const used = new Set(links.flatMap((l) => [l.source, l.target]));
      const nodes: Node[] = map.sankey.nodes.filter((n) => used.has(n.id)).map((n) => ({ ...n }));
      if (links.length === 0) return null;
      return sankey<Node, Link>()
        .nodeId((n) => n.id)
        .nodeWidth(14)
        .nodePadding(14)
        .extent([
          [8, 24],
          [WIDTH - 8, HEIGHT - 8],
        ])({ nodes, links });
    }, [map]);

    return (
      <svg
        ref={ref}
        viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
        width="100%"
        role="img"
        aria-label={title}
        data-testid="journey-sankey"
        style={{ maxWidth: WIDTH, background: '#fff' }}
      >
        <title>{title}</title>
        <text x={8} y={14} fontSize={13} fontWeight={600} fill="#212529">
          {title}
        </text>
        {graph === null ? (
          <text x={WIDTH / 2} y={HEIGHT / 2} textAnchor="middle" fontSize={14} fill="#868e96">
            {map.suppressed
              ? `No flow of ${map.threshold} patients or more`
              : 'No flows in this cohort'}
          </text>
        ) : (
          <>
            <g fill="none">
              {graph.links.map((l) => {
                const source = l.source as Node;
                const target = l.target as Node;
                return (
                  <path
                    key={`${source.id}>${target.id}`}
                    d={sankeyLinkHorizontal()(l) ?? ''}
                    stroke={color(source.stage)}
                    strokeOpacity={0.35}
                    strokeWidth={Math.max(1, l.width ?? 1)}
                  >
                    <title>{`${label(source.stage)} → ${label(target.stage)}: ${l.value} patients`}</title>
                  </path>
                );
              })}
            </g>
            {graph.nodes.map((n) => (
              <g key={n.id} data-stage={n.stage}>
                <rect
                  x={n.x0}
                  y={n.y0}
                  width={(n.x1 ?? 0) - (n.x0 ?? 0)}
                  height={Math.max(1, (n.y1 ?? 0) - (n.y0 ?? 0))}
                  fill={color(n.stage)}
                />
                <text
                  x={(n.x1 ?? 0) > WIDTH - 200 ? (n.x0 ?? 0) - 4 : (n.x1 ?? 0) + 4}
                  textAnchor={(n.x1 ?? 0) > WIDTH - 200 ? 'end' : 'start'}
                  y={((n.y0 ?? 0) + (n.y1 ?? 0)) / 2}
                  dy="0.35em"
                  fontSize={11}
                  fill="#212529"
                >
                  {`${label(n.stage)} (${n.value ?? 0})`}
                </text>
              </g>
            ))}
          </>
        )}
      </svg>
    );
  },
);
