import { percentileOf } from './columnar.js';
import type { PathStanding } from './definitions.js';

/**
 * The p-th percentile (0..1) with linear interpolation, as PostgreSQL's percentile_cont (by
 * selection: a funnel's waits run to hundreds of thousands).
 */
export function percentile(values: readonly number[], p: number): number | null {
  return percentileOf(Float64Array.from(values), p);
}

export interface FunnelStep {
  key: string;
  label: string;
  /** Patients who reached this step. */
  reached: number;
  /** Of those, how many stopped here (dropped or still waiting for the next step). */
  stoppedHere: number;
  /** Of those who stopped here, how many have dropped (waited past the definition's limit). */
  droppedHere: number;
  /** Share of those reaching the step who did not reach the next one (null for the last). */
  dropOffRate: number | null;
  /** Days from the previous step for those who reached it: median and 90th percentile. */
  medianDays: number | null;
  p90Days: number | null;
  /** Reached this step later than its target. */
  late: number;
}

export interface Funnel {
  entered: number;
  completed: number;
  onTrack: number;
  late: number;
  dropped: number;
  steps: FunnelStep[];
}

/** The funnel of a definition from each patient's standing (those it applies to). */
export function funnelOf(
  stepKeys: readonly { key: string; label: string }[],
  standings: readonly PathStanding[],
): Funnel {
  const applying = standings.filter((s) => s.applies);
  const steps = stepKeys.map((step, i): FunnelStep => {
    const reached = applying.filter((s) => s.reached >= i);
    const stopped = reached.filter((s) => s.reached === i);
    const waits = reached
      .map((s) => s.steps[i]?.waitDays)
      .filter((w): w is number => typeof w === 'number');
    const isLast = i === stepKeys.length - 1;
    return {
      key: step.key,
      label: step.label,
      reached: reached.length,
      stoppedHere: isLast ? 0 : stopped.length,
      droppedHere: isLast ? 0 : stopped.filter((s) => s.status === 'dropped').length,
      dropOffRate: isLast || reached.length === 0 ? null : stopped.length / reached.length,
      medianDays: i === 0 ? null : percentile(waits, 0.5),
      p90Days: i === 0 ? null : percentile(waits, 0.9),
      late: reached.filter((s) => s.steps[i]?.state === 'late').length,
    };
  });
  return {
    entered: applying.length,
    completed: applying.filter((s) => s.status === 'completed').length,
    onTrack: applying.filter((s) => s.status === 'on-track').length,
    late: applying.filter((s) => s.status === 'late').length,
    dropped: applying.filter((s) => s.status === 'dropped').length,
    steps,
  };
}
