import type { KpiTile } from '@careloop/core';

const number = new Intl.NumberFormat('en-US', { maximumFractionDigits: 1 });
const money = new Intl.NumberFormat('en-US', {
  style: 'currency',
  currency: 'USD',
  maximumFractionDigits: 0,
});

/** A KPI value as shown on a tile and an axis: rates as percent, amounts in dollars. */
export function formatKpi(unit: KpiTile['unit'], value: number | null): string {
  if (value === null) return '—';
  switch (unit) {
    case 'rate':
      return `${number.format(value * 100)}%`;
    case 'currency':
      return money.format(value / 100);
    case 'days':
      return `${number.format(value)} d`;
    case 'score':
    case 'count':
      return number.format(value);
  }
}

/** The change against the previous period: points for rates, percent for counts and amounts. */
export function formatChange(tile: KpiTile): string | null {
  if (tile.change === null) return null;
  const sign = tile.change > 0 ? '+' : tile.change < 0 ? '−' : '±';
  if (tile.unit === 'rate') return `${sign}${number.format(Math.abs(tile.change) * 100)} pts`;
  if (tile.unit === 'score') return `${sign}${number.format(Math.abs(tile.change))}`;
  if (tile.relativeChange !== null)
    return `${sign}${number.format(Math.abs(tile.relativeChange) * 100)}%`;
  return `${sign}${formatKpi(tile.unit, Math.abs(tile.change))}`;
}

/** Whether the change is good news (a falling no-show rate is). */
export function changeTone(tile: KpiTile): 'good' | 'bad' | 'flat' {
  if (tile.change === null || tile.change === 0) return 'flat';
  return tile.change > 0 === tile.higherIsBetter ? 'good' : 'bad';
}
