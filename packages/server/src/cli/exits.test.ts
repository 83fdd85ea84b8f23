import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, SHARED_DATA } from '../test/shared-data.js';

/**
 * Every `careloop` command, run as the real executable in a child process, exits by itself once
 * its work is done: a command that prints its result and then hangs (a worker thread, a pool, a
 * timer left behind) looks done to a person and blocks every script that runs it.
 */
const BIN = path.join(REPO_ROOT, 'packages/server/bin/careloop.mjs');
/** How long a command may outlive its last output before it counts as hanging. */
const GRACE_MS = 4000;
/** How long a command may work at all here (PGlite migrates a new database first). */
const WORK_MS = 60_000;

interface Finished {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** Milliseconds between the last byte of output and the exit. */
  lingeredMs: number;
}

/** Waits for the child's exit, killing it when it lingers past its output or works too long. */
function finish(child: ChildProcess): Promise<Finished> {
  return new Promise((resolve) => {
    let stdout = '';
    let stderr = '';
    let lastOutput = performance.now();
    let lingering: NodeJS.Timeout | undefined;
    const arm = () => {
      lastOutput = performance.now();
      clearTimeout(lingering);
      lingering = setTimeout(() => child.kill('SIGKILL'), GRACE_MS * 3);
    };
    const working = setTimeout(() => child.kill('SIGKILL'), WORK_MS);
    child.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString('utf8');
      arm();
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8');
      arm();
    });
    child.on('exit', (code, signal) => {
      const lingeredMs = performance.now() - lastOutput;
      clearTimeout(lingering);
      clearTimeout(working);
      resolve({ code, signal, stdout, stderr, lingeredMs });
    });
  });
}

/** A TCP port that was free a moment ago. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function careloop(args: string[], env: NodeJS.ProcessEnv): ChildProcess {
  return spawn(process.execPath, [BIN, ...args], {
    cwd: REPO_ROOT,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, LOG_LEVEL: 'silent', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

async function exitsAfterOutput(args: string[], env: NodeJS.ProcessEnv): Promise<Finished> {
  const done = await finish(careloop(args, env));
  expect(done.signal, `careloop ${args.join(' ')} was killed: it hung`).toBeNull();
  expect(done.lingeredMs).toBeLessThan(GRACE_MS);
  return done;
}

describe('every careloop command exits when its work is done', () => {
  let dir: string;
  let env: NodeJS.ProcessEnv;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'careloop-exits-'));
    env = { CARELOOP_DATA_DIR: path.join(dir, 'data'), CARELOOP_DEMO: '0' };
    await exitsAfterOutput(['migrate', '--json'], env);
  }, 120_000);
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('the short commands, one after another on one embedded database', async () => {
    const csv = path.join(dir, 'patients.csv');
    await writeFile(
      csv,
      'mrn,first,last,dob\nX1,Ottoline,Marsh,1961-04-12\nX2,Augustin,Verhoeven,1984-09-17\n',
    );
    const runs: [string, string[]][] = [
      ['help', ['--help']],
      ['seed', ['seed', '--patients', '3', '--org', 'Exit Clinic', '--as-of', '2026-06-01']],
      [
        'user add',
        [
          'user',
          'add',
          '--email',
          'exit@clinic.example',
          '--role',
          'analyst',
          '--org',
          'Exit Clinic',
        ],
      ],
      ['audit verify', ['audit', 'verify']],
      ['audit checkpoint', ['audit', 'checkpoint']],
      ['keys rotate', ['keys', 'rotate']],
      [
        'import fhir',
        [
          'import',
          'fhir',
          path.join(SHARED_DATA, 'fhir-r4-examples/examples/patient-example-a.json'),
          '--org',
          'Exit Clinic',
        ],
      ],
      [
        'import hl7',
        [
          'import',
          'hl7',
          path.join(SHARED_DATA, 'hl7v2/samples/ADT-A01-01.hl7'),
          '--org',
          'Exit Clinic',
        ],
      ],
      [
        'import csv',
        [
          'import',
          'csv',
          '--type',
          'patients',
          '--map',
          'mrn=mrn,first=givenName,last=familyName,dob=birthDate',
          '--org',
          'Exit Clinic',
          csv,
        ],
      ],
      [
        'mpi link',
        [
          'mpi',
          'link',
          '--input',
          csv,
          '--id',
          'mrn',
          '--map',
          'first=given,last=family,dob=birthDate',
          '--output',
          path.join(dir, 'pairs.csv'),
        ],
      ],
    ];
    for (const [name, args] of runs) {
      const done = await exitsAfterOutput([...args, '--json'], env);
      expect(done.stdout, name).toMatch(name === 'help' ? /Usage: careloop/ : /"ok":\s*true/);
    }
  }, 600_000);

  it('the serving commands stop promptly on SIGTERM', async () => {
    for (const args of [
      ['hl7', 'listen', '--org', 'Exit Clinic', '--port', '0', '--json'],
      ['start', '--port', '0', '--json'],
      ['start', '--only', 'worker', '--json'],
    ]) {
      const child = careloop(args, env);
      const done = finish(child);
      // Each says it is up with one JSON line on stdout, its port chosen by the system.
      const up = new Promise<'up'>((resolve) => {
        child.stdout?.on('data', (chunk: Buffer) => {
          if (/"ok":\s*true/.test(chunk.toString('utf8'))) resolve('up');
        });
      });
      const first = await Promise.race([up, done]);
      expect(first, `careloop ${args.join(' ')} stopped before it was up`).toBe('up');
      child.kill('SIGTERM');
      const finished = await done;
      expect(finished.signal, `careloop ${args.join(' ')} ignored SIGTERM`).toBeNull();
      const { code, stderr } = finished;
      expect({ args, code, stderr }).toMatchObject({ code: 0 });
    }
  }, 240_000);

  it('a SIGTERM while the server is still starting is a clean shutdown, not a failed start', async () => {
    // The e2e harness stops a server the moment /api/health answers, before start-up finished
    // its audit checks: that used to exit 1 ("Cannot read properties of null (reading 'port')").
    const port = await freePort();
    const child = careloop(['start', '--port', String(port)], env);
    const done = finish(child);
    let exited = false;
    void done.then(() => {
      exited = true;
    });
    // SIGTERM on the first 200 from /api/health, polled as the harness does.
    for (;;) {
      expect(exited, 'the server stopped before it answered').toBe(false);
      const status = await fetch(`http://127.0.0.1:${port}/api/health`).then(
        (res) => res.status,
        () => 0,
      );
      if (status === 200) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    child.kill('SIGTERM');
    const { code, signal, stderr } = await done;
    expect({ code, signal, stderr: stderr.includes('TypeError') ? stderr : '' }).toEqual({
      code: 0,
      signal: null,
      stderr: '',
    });
  }, 120_000);
});
