import { describe, expect, it } from 'vitest';
import { CareloopError } from '../errors/problem.js';
import { decodeKeysetCursor, encodeCursor, isCalendarDate, isCursorValue } from './cursor.js';

const ID = '0f8fad5b-d9cb-469f-a165-70867728950e';

function refusal(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error instanceof CareloopError ? error.problem : error;
  }
  return null;
}

describe('keyset cursors', () => {
  it('decode what was encoded, each value of its kind', () => {
    const cursor = encodeCursor(['Lopez maria', '2026-12-05', '2026-12-05T10:00:00.123Z', ID]);
    expect(decodeKeysetCursor(cursor, ['text', 'date', 'instant', 'uuid'])).toEqual([
      'Lopez maria',
      '2026-12-05',
      '2026-12-05T10:00:00.123Z',
      ID,
    ]);
    // PostgreSQL's own text for a timestamptz, as the review queue's cursor carries it.
    expect(isCursorValue('instant', '2026-12-05 10:00:00.123456+00')).toBe(true);
  });

  it.each([
    ['a NUL inside a value', ['\u0000', ID], ['text', 'uuid']],
    ['a month 13', ['2020-13-45', ID], ['date', 'uuid']],
    ['year 0', ['0000-01-01', ID], ['date', 'uuid']],
    ['29 February of a common year', ['2021-02-29', ID], ['date', 'uuid']],
    ['an instant at hour 25', ['2026-01-01T25:00:00Z', ID], ['instant', 'uuid']],
    ['a date where an instant goes', ['2026-01-01', ID], ['instant', 'uuid']],
    ['an id that is no UUID', ['x', 'not-a-uuid'], ['text', 'uuid']],
    ['a number where a string goes', [5, ID], ['text', 'uuid']],
    ['the wrong arity', ['x'], ['text', 'uuid']],
  ] as const)('refuse %s with a 400 naming the cursor', (_, values, kinds) => {
    expect(refusal(() => decodeKeysetCursor(encodeCursor([...values]), kinds))).toMatchObject({
      status: 400,
      path: '/query/cursor',
    });
  });

  it('refuse what is not base64url JSON, naming the path given', () => {
    expect(refusal(() => decodeKeysetCursor('%%%', ['text'], '/query/_cursor'))).toMatchObject({
      status: 400,
      path: '/query/_cursor',
    });
  });

  it('know the calendar', () => {
    expect(isCalendarDate('2024-02-29')).toBe(true);
    expect(isCalendarDate('9999-12-31')).toBe(true);
    expect(isCalendarDate('2024-02-30')).toBe(false);
    expect(isCalendarDate('0000')).toBe(false);
  });
});
