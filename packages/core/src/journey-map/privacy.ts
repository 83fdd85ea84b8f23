import type { JourneyMap, PainPoint } from './api.js';
import type { Funnel } from './stats.js';
import { suppressCount, suppressPartition } from './suppression.js';
import type { JourneyMapStage } from './taxonomy.js';

/** The journey map before suppression: every count known. */
export interface RawJourneyMap {
  asOf: string;
  patients: number;
  touchpoints: number;
  stages: JourneyMapStage[];
  sankey: {
    nodes: { id: string; stage: string; position: number }[];
    links: { source: string; target: string; patients: number }[];
  };
  transitions: {
    from: string;
    to: string;
    patients: number;
    medianDays: number | null;
    p90Days: number | null;
  }[];
  channelMix: { stage: string; channels: { channel: string; count: number }[] }[];
  funnel: (Funnel & { definition: string; name: string }) | null;
  painPoints: (Omit<PainPoint, 'patients'> & { patients: number })[];
}

/**
 * The map as a reader sees it. With `suppress` (roles without clinical access), every count
 * of 1..threshold-1 is hidden, partitions get complementary suppression, and whatever derives
 * from a hidden count (rates, medians, cumulative funnel counts) is hidden with it.
 */
export function journeyMapFor(
  raw: RawJourneyMap,
  opts: { suppress: boolean; threshold: number; mayDrillDown: boolean },
): JourneyMap {
  const t = opts.suppress ? opts.threshold : 0;
  const count = (n: number) => suppressCount(n, t);
  const transitions = raw.transitions.map((x) => {
    const patients = count(x.patients);
    return {
      ...x,
      patients,
      medianDays: patients === null ? null : x.medianDays,
      p90Days: patients === null ? null : x.p90Days,
    };
  });
  const channelMix = raw.channelMix.map((row) => {
    const cells = suppressPartition(
      row.channels.map((c) => ({ key: c.channel, count: c.count })),
      t,
    );
    return {
      stage: row.stage,
      total: count(row.channels.reduce((s, c) => s + c.count, 0)),
      channels: cells.map((c) => ({ channel: c.key, count: c.count })),
    };
  });
  const painPoints = raw.painPoints.map((p) => {
    const patients = count(p.patients);
    return { ...p, patients, measure: patients === null ? null : p.measure };
  });
  return {
    asOf: raw.asOf,
    threshold: opts.threshold,
    suppressed: opts.suppress,
    mayDrillDown: opts.mayDrillDown,
    patients: count(raw.patients),
    touchpoints: count(raw.touchpoints),
    stages: raw.stages,
    sankey: {
      nodes: raw.sankey.nodes,
      links: raw.sankey.links.map((l) => ({ ...l, patients: count(l.patients) })),
    },
    transitions,
    channelMix,
    funnel: raw.funnel ? funnelFor(raw.funnel, t) : null,
    painPoints,
  };
}

/**
 * The funnel is a partition of those who entered: stopped at each step, or completed. Its
 * cells get complementary suppression; a step's "reached" count is the entered total minus
 * those who stopped before it, so it is shown only when every one of those is.
 */
function funnelFor(
  f: NonNullable<RawJourneyMap['funnel']>,
  t: number,
): NonNullable<JourneyMap['funnel']> {
  const cells = suppressPartition(
    [
      ...f.steps.slice(0, -1).map((s) => ({ key: s.key, count: s.stoppedHere })),
      { key: '__completed', count: f.steps[f.steps.length - 1]?.reached ?? 0 },
    ],
    t,
  );
  const entered = suppressCount(f.entered, t);
  let derivable = entered !== null;
  const steps = f.steps.map((s, i) => {
    const reached = derivable && suppressCount(s.reached, t) !== null ? s.reached : null;
    const stopped = i < f.steps.length - 1 ? (cells[i]?.count ?? null) : 0;
    if (stopped === null) derivable = false;
    const shown = reached !== null && stopped !== null;
    return {
      key: s.key,
      label: s.label,
      reached,
      stoppedHere: stopped,
      dropOffRate: shown ? s.dropOffRate : null,
      medianDays: reached === null ? null : s.medianDays,
      p90Days: reached === null ? null : s.p90Days,
      late: reached === null ? null : suppressCount(s.late, t),
    };
  });
  const statuses = suppressPartition(
    [
      { key: 'completed', count: f.completed },
      { key: 'onTrack', count: f.onTrack },
      { key: 'late', count: f.late },
      { key: 'dropped', count: f.dropped },
    ],
    t,
  );
  const status = (key: string) => statuses.find((c) => c.key === key)?.count ?? null;
  return {
    definition: f.definition,
    name: f.name,
    entered,
    completed: status('completed'),
    onTrack: status('onTrack'),
    late: status('late'),
    dropped: status('dropped'),
    steps,
  };
}

/** A survey's or feedback's sentiment from its outcome (`nps:0`..`nps:10`). */
export function sentimentOf(outcome: string | null): 'positive' | 'neutral' | 'negative' | null {
  const match = outcome ? /^nps:(\d{1,2})$/.exec(outcome) : null;
  if (!match) return null;
  const score = Number(match[1]);
  if (score >= 9) return 'positive';
  if (score >= 7) return 'neutral';
  return 'negative';
}
