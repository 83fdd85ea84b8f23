import { mkdtemp, rm } from 'node:fs/promises';
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
    for (const name of ['start', 'migrate', 'seed', 'user add', 'audit verify']) {
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
});
