import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { and, desc, eq, inArray } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, expect, it, vi } from 'vitest';
import { Database } from '../../db/client.js';
import { createTestApp, type TestApp, TestTenant } from '../../test/app.js';
import { describeEachDatabase } from '../../test/databases.js';
import { AuditAnchor, seesEveryChain } from './anchor.js';
import { CheckpointKey, CheckpointUnavailable } from './checkpoint.js';
import { checkCheckpointFile } from './checkpoint-file.js';
import { auditEvents } from './schema.js';
import { verifyAuditChains } from './service.js';

const at = (minute: number) => new Date(Date.UTC(2026, 11, 5, 12, minute));

describeEachDatabase('audit checkpoints', (kind) => {
  let t: TestApp;
  let dir: string;
  let file: string;
  let anchor: AuditAnchor;
  let first: TestTenant;
  let second: TestTenant;
  const key = CheckpointKey.fromBase64(randomBytes(32).toString('base64'));

  /** The chains checked against the latest trustworthy line of the file. */
  const verify = async () => {
    const { check } = await checkCheckpointFile(file, key);
    const result = await verifyAuditChains(t.database.ownerDb, undefined, check.latest);
    return { findings: check.findings, breaks: result.breaks, latest: check.latest };
  };
  const newest = async (orgId: string, n: number) =>
    (
      await t.database.system((tx) =>
        tx
          .select({ seq: auditEvents.seq })
          .from(auditEvents)
          .where(eq(auditEvents.orgId, orgId))
          .orderBy(desc(auditEvents.seq))
          .limit(n),
      )
    ).map((r) => r.seq);

  beforeAll(async () => {
    t = await createTestApp(kind);
    dir = await mkdtemp(path.join(tmpdir(), 'careloop-anchor-'));
    file = path.join(dir, 'checkpoints', 'audit-checkpoints.jsonl');
    anchor = new AuditAnchor(t.database, key, file);
    first = await TestTenant.create(t);
    second = await TestTenant.create(t);
    for (const tenant of [first, second]) {
      const { id } = await tenant.createPatient();
      await (await tenant.signIn('front-desk')).get(`/api/patients/${id}`);
    }
  });
  afterEach(() => {
    vi.useRealTimers();
  });
  afterAll(async () => {
    await t.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('records every chain head, signed, and finds nothing wrong with untouched chains', async () => {
    const checkpoint = await anchor.checkpoint(at(0));
    expect(checkpoint.line).toBe(1);
    const heads = new Map(checkpoint.chains.map((h) => [h.orgId, h]));
    expect(heads.get(first.orgId)?.seq).toBe((await newest(first.orgId, 1))[0]);
    expect(heads.get(second.orgId)?.count).toBeGreaterThan(2);
    // Events after the checkpoint are fine: chains only grow.
    await (await first.signIn('admin')).get('/api/audit');
    expect(await verify()).toMatchObject({ findings: [], breaks: [], latest: { line: 1 } });
  });

  it('reports a chain whose 3 newest events the table owner deleted, which the app role cannot', async () => {
    await anchor.checkpoint(at(1));
    const doomed = await newest(first.orgId, 3);
    await expect(
      t.database.withTenant(first.orgId, (tx) =>
        tx.delete(auditEvents).where(inArray(auditEvents.seq, doomed)),
      ),
    ).rejects.toThrow();
    await t.database.system((tx) => tx.delete(auditEvents).where(inArray(auditEvents.seq, doomed)));
    // The chain's own links cannot show it: what is left is a valid chain.
    expect((await verifyAuditChains(t.database.ownerDb)).breaks).toEqual([]);
    // Nor can the events written after the cut.
    await (await first.signIn('admin')).get('/api/audit');
    const { breaks } = await verify();
    expect(breaks).toEqual([
      {
        orgId: first.orgId,
        seq: doomed[0],
        problem: 'truncated',
        detail: expect.stringContaining('the event is gone'),
      },
    ]);
  });

  it('reports an organization whose whole chain was deleted as a missing chain', async () => {
    await t.database.system((tx) =>
      tx.delete(auditEvents).where(eq(auditEvents.orgId, second.orgId)),
    );
    const { breaks } = await verify();
    expect(breaks.filter((b) => b.orgId === second.orgId)).toEqual([
      expect.objectContaining({ problem: 'missing-chain' }),
    ]);
  });

  it('reports a chain rewritten from some point on with recomputed hashes', async () => {
    const third = await TestTenant.create(t);
    await third.createPatient();
    await anchor.checkpoint(at(2));
    const [last] = await newest(third.orgId, 1);
    await t.database.system((tx) =>
      tx
        .update(auditEvents)
        .set({ hash: '0'.repeat(64) })
        .where(and(eq(auditEvents.orgId, third.orgId), eq(auditEvents.seq, last ?? 0))),
    );
    const { breaks } = await verify();
    expect(breaks.filter((b) => b.orgId === third.orgId).map((b) => b.problem)).toEqual([
      'hash-mismatch',
      'rewritten',
    ]);
  });

  it('reports a checkpoint line edited after it was written, and falls back to the one before', async () => {
    await anchor.checkpoint(at(3));
    const lines = (await readFile(file, 'utf8')).trimEnd().split('\n');
    expect(lines).toHaveLength(4);
    // One more event counted than there were: the signature no longer matches.
    lines[3] = (lines[3] ?? '').replace(/"count":(\d+)/, (_, n) => `"count":${Number(n) + 1}`);
    await writeFile(file, `${lines.join('\n')}\n`);
    const { findings, latest } = await verify();
    expect(findings).toEqual([{ line: 4, problem: 'bad-signature', detail: expect.any(String) }]);
    expect(latest?.line).toBe(3);
    // A dropped line shows as well.
    await writeFile(file, `${[lines[0], lines[2]].join('\n')}\n`);
    expect((await verify()).findings).toMatchObject([{ line: 2, problem: 'broken-link' }]);
  });

  it.runIf(kind === 'postgres')(
    'refuses to checkpoint through a login role that owns nothing: it would see no chain',
    async () => {
      const appOnly = await Database.open({
        databaseUrl: t.database.pool?.options.connectionString ?? null,
      });
      try {
        expect(await seesEveryChain(appOnly)).toBe(false);
        expect(await seesEveryChain(t.database)).toBe(true);
        const refused = new AuditAnchor(appOnly, key, path.join(dir, 'app-only.jsonl'));
        await expect(refused.checkpoint(at(5))).rejects.toThrow(CheckpointUnavailable);
        expect((await checkCheckpointFile(refused.file, key)).exists).toBe(false);
      } finally {
        await appOnly.close();
      }
    },
  );

  it('takes a checkpoint at once and then on every tick of its schedule, until stopped', async () => {
    const scheduled = new AuditAnchor(t.database, key, path.join(dir, 'scheduled.jsonl'));
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    let minute = 10;
    const errors: unknown[] = [];
    const stop = scheduled.schedule(
      5,
      () => at(minute++),
      (e) => errors.push(e),
    );
    const lines = async () => (await checkCheckpointFile(scheduled.file, key)).check.lines;
    // The checkpoint a tick starts is real I/O: wait for it before the next tick, which would
    // skip while one is still running.
    const written = async (n: number) => {
      for (let i = 0; i < 400 && (await lines()) < n; i++) await sleep(25);
      expect(await lines()).toBe(n);
    };
    await written(1);
    await vi.advanceTimersByTimeAsync(5 * 60_000);
    await written(2);
    await vi.advanceTimersByTimeAsync(5 * 60_000);
    await written(3);
    await stop();
    await vi.advanceTimersByTimeAsync(5 * 60_000);
    const { check } = await checkCheckpointFile(scheduled.file, key);
    expect(errors).toEqual([]);
    expect(check.findings).toEqual([]);
    expect(check.lines).toBe(3);
    expect(check.latest?.at).toBe(at(12).toISOString());
  });
});
