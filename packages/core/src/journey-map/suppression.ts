/**
 * Small-cell suppression of aggregates (CMS's cell-size policy): for roles without clinical
 * access, a count of 1 to threshold-1 patients is never shown, in views or exports.
 *
 * A table whose total is shown would give a single hidden cell away by subtraction, so within
 * each partition (cells that add up to a shown total) a second cell is hidden with it: the
 * smallest shown non-zero cell (complementary suppression). Values derived from a hidden cell
 * (a rate, a median, a cumulative count) are hidden with it by the callers.
 */

export const DEFAULT_SUPPRESSION_THRESHOLD = 11;

export type SuppressionReason = 'small' | 'complementary';

export interface SuppressedCell<K extends string = string> {
  key: K;
  /** null when suppressed. */
  count: number | null;
  suppressed: SuppressionReason | null;
}

/** Is this count too small to show (zero is shown: it discloses no one)? */
export function isSmallCell(count: number, threshold: number): boolean {
  return count > 0 && count < threshold;
}

/** One count on its own (no total derived from it is shown). */
export function suppressCount(count: number, threshold: number): number | null {
  return isSmallCell(count, threshold) ? null : count;
}

/**
 * Cells that add up to a shown total. When exactly one cell is small, the smallest other
 * non-zero cell is hidden too; with two or more hidden, none can be derived from the total.
 */
export function suppressPartition<K extends string>(
  cells: readonly { key: K; count: number }[],
  threshold: number,
): SuppressedCell<K>[] {
  const out: SuppressedCell<K>[] = cells.map((c) =>
    isSmallCell(c.count, threshold)
      ? { key: c.key, count: null, suppressed: 'small' }
      : { key: c.key, count: c.count, suppressed: null },
  );
  const hidden = out.filter((c) => c.suppressed !== null).length;
  if (hidden === 1) {
    let pick = -1;
    cells.forEach((c, i) => {
      const current = out[i];
      if (!current || current.suppressed !== null || c.count === 0) return;
      const best = cells[pick];
      if (pick < 0 || (best && c.count < best.count)) pick = i;
    });
    const cell = out[pick];
    if (cell) {
      cell.count = null;
      cell.suppressed = 'complementary';
    }
  }
  return out;
}
