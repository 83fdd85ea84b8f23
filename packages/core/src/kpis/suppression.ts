/**
 * Small-cell suppression (CMS cell-size policy): a count from 1 to threshold − 1 can point at
 * a person, so roles without clinical access never see it, nor a rate or score computed from
 * it. Zero is shown (nobody to point at). The threshold is the organization's
 * `aggregateSuppressionThreshold` (default 11).
 */
import { DEFAULT_SUPPRESSION_THRESHOLD, isSmallCell } from '../journey-map/suppression.js';

// One small-cell rule for every aggregate (the journey map's): counts 1 to threshold − 1.
export { DEFAULT_SUPPRESSION_THRESHOLD, isSmallCell };

const isSmall = (count: number | null, threshold: number): boolean =>
  count !== null && isSmallCell(count, threshold);

/** A value with the counts behind it, or the same suppressed (every number withheld). */
export interface Cell {
  value: number | null;
  numerator: number | null;
  denominator: number | null;
  suppressed: boolean;
}

/** Suppresses a cell when any count behind it is a small cell. `threshold` ≤ 1 suppresses nothing. */
export function suppressCell(
  cell: { value: number | null; numerator: number | null; denominator: number | null },
  threshold: number,
): Cell {
  if (isSmall(cell.numerator, threshold) || isSmall(cell.denominator, threshold)) {
    return { value: null, numerator: null, denominator: null, suppressed: true };
  }
  return { ...cell, suppressed: false };
}
