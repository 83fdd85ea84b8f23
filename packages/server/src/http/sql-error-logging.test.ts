import { Writable } from 'node:stream';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type BuiltApp, buildApp } from '../app.js';
import { Output } from '../cli/output.js';
import { loggerOptions } from '../logger.js';
import { createTestApp, type TestApp } from '../test/app.js';
import { describeEachDatabase } from '../test/databases.js';

/** Values a failing query carries as parameters, and one its error message quotes. */
const MARKERS = ['zqmelissa', 'zqgoldberg', 'zq1951-09-17'];

const sink = () => {
  const stream = Object.assign(
    new Writable({
      write(chunk, _enc, done) {
        stream.text += String(chunk);
        done();
      },
    }),
    { text: '' },
  );
  return stream;
};

describeEachDatabase('a failed query in the logs', (kind) => {
  let t: TestApp;
  let logged: BuiltApp['app'];
  const output = sink();
  /** Fails in PostgreSQL with all markers as parameters; the error message quotes the first. */
  const failingQuery = () =>
    t.database.db.execute(
      sql`select ${MARKERS[0]}::text::regclass, ${MARKERS[1]}::text, ${MARKERS[2]}::text`,
    );

  beforeAll(async () => {
    t = await createTestApp(kind);
    const built = await buildApp(t.services, {
      logger: loggerOptions('debug', output),
      serveWeb: false,
    });
    logged = built.app;
    logged.get('/api/test/failing-query', { config: { policy: { public: true } } }, async () => {
      await failingQuery();
      return {};
    });
    await logged.ready();
  });
  afterAll(async () => {
    await logged.close();
    await t.close();
  });

  it('is a 500 logged with its SQLSTATE and stack, without its parameters or message', async () => {
    const error = await failingQuery().then(
      () => null,
      (e: unknown) => e,
    );
    // The driver's error does carry them: what reaches the log must not.
    expect(String(error)).toContain(MARKERS[1]);
    const res = await logged.inject({ method: 'GET', url: '/api/test/failing-query' });
    expect(res.statusCode).toBe(500);
    expect(output.text).toContain('unhandled error');
    for (const marker of MARKERS) expect(output.text, marker).not.toContain(marker);
    expect(output.text).toContain('"sqlState":"42P01"');
    expect(output.text).toContain('regclass');
  });

  it('reaches a command line’s error output without its parameters or message', async () => {
    const error = await failingQuery().then(
      () => null,
      (e: unknown) => e,
    );
    for (const json of [false, true]) {
      const stdout = sink();
      const stderr = sink();
      const code = new Output({ env: {}, stdout, stderr }, json).fail(error);
      expect(code).toBe(1);
      const text = stdout.text + stderr.text;
      expect(text).toContain('Failed query');
      for (const marker of MARKERS) expect(text, marker).not.toContain(marker);
    }
  });
});
