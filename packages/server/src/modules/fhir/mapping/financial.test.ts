import { describe, expect, it } from 'vitest';
import { servicePeriod } from './financial.js';

const service = { text: 'Office visit' };

describe('servicePeriod', () => {
  it('runs from the earliest item to the latest', () => {
    expect(
      servicePeriod(
        [
          { sequence: 1, productOrService: service, servicedDate: '2024-03-05' },
          {
            sequence: 2,
            productOrService: service,
            servicedPeriod: { start: '2024-03-01', end: '2024-03-09' },
          },
          { sequence: 3, productOrService: service, servicedDate: '2024-03-07' },
        ],
        { start: '2020-01-01', end: '2020-01-02' },
      ),
    ).toEqual({ start: new Date('2024-03-01'), end: new Date('2024-03-09') });
  });

  it('falls back to the billable period when no item is dated', () => {
    expect(
      servicePeriod([{ sequence: 1, productOrService: service }], {
        start: '2024-01-02',
        end: '2024-01-03',
      }),
    ).toEqual({
      start: new Date('2024-01-02'),
      end: new Date('2024-01-03'),
    });
  });

  it('takes a claim of 200,000 items', () => {
    const items = Array.from({ length: 200_000 }, (_, i) => ({
      sequence: i + 1,
      productOrService: service,
      servicedDate: `2024-01-${String(1 + (i % 28)).padStart(2, '0')}`,
    }));
    expect(servicePeriod(items, undefined)).toEqual({
      start: new Date('2024-01-01'),
      end: new Date('2024-01-28'),
    });
  });
});
