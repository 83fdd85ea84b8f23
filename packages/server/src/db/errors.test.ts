import { describe, expect, it } from 'vitest';
import { isConnectFailure, isDatabaseUnavailable, loggableError, loggableText } from './errors.js';

/** An error shaped as node-postgres reports a server error. */
const serverError = (code: string, message: string) =>
  Object.assign(new Error(message), { code, severity: 'FATAL', detail: 'Key (x)=(zqvalue)' });
/** Drizzle's wrapper of a failed query, as drizzle-orm builds it. */
const failedQuery = (query: string, params: unknown[], cause: unknown) =>
  Object.assign(new Error(`Failed query: ${query}\nparams: ${params.join(',')}`), {
    name: 'DrizzleQueryError',
    query,
    params,
    cause,
  });

describe('isDatabaseUnavailable', () => {
  it('recognises a server shutting down, restarting or terminating the backend', () => {
    for (const code of ['57P01', '57P02', '57P03', '08000', '08003', '08006']) {
      expect(isDatabaseUnavailable(serverError(code, 'terminating connection')), code).toBe(true);
    }
  });

  it('recognises a refused or reset socket, also inside an AggregateError', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), {
      code: 'ECONNREFUSED',
    });
    expect(isDatabaseUnavailable(refused)).toBe(true);
    expect(isDatabaseUnavailable(new AggregateError([refused], ''))).toBe(true);
    expect(isDatabaseUnavailable(Object.assign(new Error('read'), { code: 'ECONNRESET' }))).toBe(
      true,
    );
  });

  it('recognises the driver’s and the pool’s own words for a lost connection', () => {
    for (const message of [
      'Connection terminated unexpectedly',
      'Connection terminated',
      'timeout exceeded when trying to connect',
      'timeout expired',
      'Client has encountered a connection error and is not queryable',
    ]) {
      expect(isDatabaseUnavailable(new Error(message)), message).toBe(true);
    }
  });

  it('looks through Drizzle’s wrapper', () => {
    const cause = serverError('57P01', 'terminating connection due to administrator command');
    expect(isDatabaseUnavailable(failedQuery('select 1', [], cause))).toBe(true);
  });

  it('leaves the request’s own errors and bugs alone', () => {
    expect(isDatabaseUnavailable(serverError('23505', 'duplicate key'))).toBe(false);
    expect(isDatabaseUnavailable(serverError('22P02', 'invalid input syntax'))).toBe(false);
    expect(isDatabaseUnavailable(new TypeError('x is undefined'))).toBe(false);
    expect(isDatabaseUnavailable('Connection terminated')).toBe(false);
    expect(isDatabaseUnavailable(null)).toBe(false);
  });
});

describe('isConnectFailure', () => {
  it('is a connection refused, not granted in time, or not accepted yet', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), {
      code: 'ECONNREFUSED',
    });
    expect(isConnectFailure(new AggregateError([refused], ''))).toBe(true);
    expect(isConnectFailure(new Error('timeout exceeded when trying to connect'))).toBe(true);
    expect(isConnectFailure(new Error('Connection terminated due to connection timeout'))).toBe(
      true,
    );
    expect(isConnectFailure(new Error('timeout expired'))).toBe(true);
    expect(isConnectFailure(serverError('57P03', 'the database system is starting up'))).toBe(true);
  });

  it('is not a connection lost after statements ran on it', () => {
    expect(isConnectFailure(new Error('Connection terminated unexpectedly'))).toBe(false);
    expect(isConnectFailure(serverError('57P01', 'terminating connection'))).toBe(false);
    expect(isConnectFailure(Object.assign(new Error('read'), { code: 'ECONNRESET' }))).toBe(false);
  });
});

describe('loggableError', () => {
  const cause = Object.assign(serverError('42P01', 'relation "zqmelissa" does not exist'), {
    severity: 'ERROR',
    table: 'patients',
    routine: 'RangeVarGetRelidExtended',
  });
  const error = failedQuery(
    "select $1::regclass, $2 where note = 'zqliteral'",
    ['zqmelissa', 'zqgoldberg'],
    cause,
  );

  it('keeps the SQLSTATE, the schema names and the frames, never a parameter, message or detail', () => {
    const safe = loggableError(error);
    const text = JSON.stringify(safe);
    for (const value of ['zqmelissa', 'zqgoldberg', 'zqvalue', 'zqliteral']) {
      expect(text, value).not.toContain(value);
    }
    expect(safe).toMatchObject({
      type: 'DrizzleQueryError',
      message: "Failed query: select $1::regclass, $2 where note = '…'",
      sqlState: '42P01',
      cause: { sqlState: '42P01', table: 'patients', routine: 'RangeVarGetRelidExtended' },
    });
    expect(safe.stack).toMatch(/^DrizzleQueryError\n\s+at /);
    expect(loggableText(error)).toBe(
      "DrizzleQueryError: Failed query: select $1::regclass, $2 where note = '…' (SQLSTATE 42P01)",
    );
  });

  it('keeps other errors whole', () => {
    const safe = loggableError(new TypeError('x is undefined'));
    expect(safe).toMatchObject({ type: 'TypeError', message: 'x is undefined' });
    expect(safe.stack).toContain('x is undefined');
    expect(loggableError('text')).toEqual({ type: 'string', message: 'text', stack: '' });
  });
});
