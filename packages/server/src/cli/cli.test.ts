import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Database } from '../db/client.js';
import { rowsOf } from '../db/rows.js';
import { runCli } from './run.js';

interface Ran {
  code: number;
  stdout: string;
  stderr: string;
  json<T = Record<string, unknown>>(): T;
}

function collect(): { stream: PassThrough; text: () => string } {
  const stream = new PassThrough();
  const chunks: Buffer[] = [];
  stream.on('data', (c: Buffer) => chunks.push(c));
  return { stream, text: () => Buffer.concat(chunks).toString('utf8') };
}

async function careloop(argv: string[], env: NodeJS.ProcessEnv = {}): Promise<Ran> {
  const out = collect();
  const err = collect();
  const code = await runCli(argv, {
    env: { LOG_LEVEL: 'silent', ...env },
    stdout: out.stream,
    stderr: err.stream,
  });
  const stdout = out.text();
  return { code, stdout, stderr: err.text(), json: <T>() => JSON.parse(stdout) as T };
}

describe('careloop usage', () => {
  it('lists the commands with --help and exits 0', async () => {
    const ran = await careloop(['--help']);
    expect(ran.code).toBe(0);
    for (const name of [
      'start',
      'migrate',
      'seed',
      'user add',
      'audit verify',
      'audit checkpoint',
    ]) {
      expect(ran.stdout).toContain(name);
    }
  });

  it('shows a command’s own help', async () => {
    const ran = await careloop(['seed', '--help']);
    expect(ran.code).toBe(0);
    expect(ran.stdout).toContain('--patients N');
  });

  it('exits 2 on an unknown command, an unknown option, or a malformed value', async () => {
    expect((await careloop(['frobnicate'])).code).toBe(2);
    expect((await careloop(['seed', '--patientz', '5'])).code).toBe(2);
    const ran = await careloop(['seed', '--patients', 'many', '--json']);
    expect(ran.code).toBe(2);
    expect(ran.json()).toEqual({
      ok: false,
      error: { code: 'usage', message: expect.stringContaining('--patients') },
    });
  });

  it('refuses audit checkpoints on a server database without a key, before touching it', async () => {
    const env = { DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none' };
    for (const command of ['checkpoint', 'verify']) {
      const ran = await careloop(['audit', command, '--json'], env);
      expect(ran.code).toBe(1);
      expect(ran.json()).toEqual({
        ok: false,
        error: { code: 'failed', message: expect.stringContaining('CARELOOP_AUDIT_KEY') },
      });
    }
    const short = await careloop(['audit', 'verify'], { CARELOOP_AUDIT_KEY: 'c2hvcnQ=' });
    expect(short.code).toBe(1);
    expect(short.stderr).toContain('CARELOOP_AUDIT_KEY must be 32 random bytes');
  });

  it('refuses a patient user without the patient record, before touching the database', async () => {
    const ran = await careloop([
      'user',
      'add',
      '--email',
      'p@example.org',
      '--role',
      'patient',
      '--org',
      'X',
    ]);
    expect(ran.code).toBe(2);
    expect(ran.stderr).toContain('--patient');
  });
});

describe('careloop on an embedded database', () => {
  let dataDir: string;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'careloop-cli-'));
    env = { CARELOOP_DATA_DIR: dataDir };
  });
  afterAll(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it('migrates, then seeds an organization and reports what it wrote as one JSON object', async () => {
    expect((await careloop(['migrate', '--json'], env)).json()).toEqual({
      ok: true,
      database: 'pglite',
    });
    const ran = await careloop(
      ['seed', '--patients', '30', '--org', 'Harbor Clinic', '--as-of', '2026-03-02', '--json'],
      env,
    );
    expect(ran.code).toBe(0);
    const result = ran.json<{
      organization: { name: string; created: boolean };
      patients: number;
      rows: { touchpoints: number };
    }>();
    expect(result.organization).toMatchObject({ name: 'Harbor Clinic', created: true });
    expect(result.patients).toBe(30);
    expect(result.rows.touchpoints).toBeGreaterThan(30);
  });

  it('adds a user with a generated password shown once, and refuses the same email twice', async () => {
    const args = ['user', 'add', '--email', 'Nurse.Joy@Example.org', '--role', 'clinician'];
    const ran = await careloop([...args, '--org', 'Harbor Clinic'], env);
    expect(ran.code).toBe(0);
    expect(ran.stdout).toMatch(/Created clinician nurse\.joy@example\.org in Harbor Clinic/);
    expect(ran.stdout).toMatch(/Password \(shown once.*\): \S{20}/);
    const again = await careloop([...args, '--org', 'Harbor Clinic', '--json'], env);
    expect(again.code).toBe(1);
    expect(again.json()).toMatchObject({ ok: false, error: { code: 'conflict' } });
    const weak = await careloop(
      [...args, '--org', 'Harbor Clinic', '--password', 'password1234'],
      env,
    );
    expect(weak.code).not.toBe(0);
    expect(weak.stderr).toMatch(/--password: This password is too easy to guess/);
    const missing = await careloop([...args, '--org', 'Nowhere'], env);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('No organization is named "Nowhere"');
  });

  it('names an admin a privacy officer, and refuses the flag for another role', async () => {
    const ran = await careloop(
      ['user', 'add', '--email', 'po@example.org', '--role', 'admin', '--org', 'Harbor Clinic'],
      env,
    );
    expect(ran.code).toBe(0);
    const named = await careloop(
      ['user', 'add', '--email', 'po2@example.org', '--role', 'admin', '--privacy-officer'].concat([
        '--org',
        'Harbor Clinic',
        '--json',
      ]),
      env,
    );
    expect(named.code).toBe(0);
    const database = await Database.open({ databaseUrl: null, dataDir });
    const rows = await database.ownerDb.execute(
      sql`select email, privacy_officer from users where email like 'po%' order by email`,
    );
    await database.close();
    expect(rowsOf(rows)).toEqual([
      { email: 'po2@example.org', privacy_officer: true },
      { email: 'po@example.org', privacy_officer: false },
    ]);
    const refused = await careloop(
      [
        'user',
        'add',
        '--email',
        'c@example.org',
        '--role',
        'clinician',
        '--privacy-officer',
      ].concat(['--org', 'Harbor Clinic']),
      env,
    );
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('--privacy-officer is for admins');
  });

  it('verifies the audit chain, and exits 1 naming the event once one is altered', async () => {
    const intact = await careloop(['audit', 'verify', '--json'], env);
    expect(intact.code).toBe(0);
    expect(intact.json()).toMatchObject({ ok: true, breaks: [] });

    const database = await Database.open({ databaseUrl: null, dataDir });
    await database.ownerDb.execute(
      sql`update audit_events set reason = 'nothing to see' where record_type = 'seed'`,
    );
    await database.close();

    const broken = await careloop(['audit', 'verify'], env);
    expect(broken.code).toBe(1);
    expect(broken.stdout).toMatch(/1 break\(s\):\n {2}organization \S+, event \d+: hash-mismatch/);
  });

  it('writes a signed checkpoint, then exits 1 naming a chain cut below it or a forged line', async () => {
    const taken = await careloop(['audit', 'checkpoint', '--json'], env);
    expect(taken.code).toBe(0);
    const file = path.join(dataDir, 'audit-checkpoints.jsonl');
    expect(taken.json()).toMatchObject({ ok: true, file, line: 1, chains: 1 });

    const database = await Database.open({ databaseUrl: null, dataDir });
    await database.ownerDb.execute(
      sql`delete from audit_events where seq in (select seq from audit_events order by seq desc limit 1)`,
    );
    await database.close();

    const cut = await careloop(['audit', 'verify', '--json'], env);
    expect(cut.code).toBe(1);
    const result = cut.json<{ ok: boolean; breaks: { problem: string }[]; checkpoint: object }>();
    expect(result.ok).toBe(false);
    expect(result.breaks.map((b) => b.problem)).toContain('truncated');
    expect(result.checkpoint).toMatchObject({ exists: true, lines: 1, findings: [] });

    await writeFile(file, (await readFile(file, 'utf8')).replace(/"count":\d+/, '"count":1'));
    const forged = await careloop(['audit', 'verify'], env);
    expect(forged.code).toBe(1);
    expect(forged.stdout).toMatch(/line 1: bad-signature/);
    expect(forged.stdout).toMatch(/No checkpoint in /);
  });
});
