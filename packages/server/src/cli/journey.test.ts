import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import type { SimulatedPath } from '@careloop/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readyJourneys } from '../modules/journeys/ready.js';
import { runCli } from './run.js';

const READY = path.resolve(import.meta.dirname, '../../journeys');

async function careloop(argv: string[], env: NodeJS.ProcessEnv = {}) {
  const out = new PassThrough();
  const err = new PassThrough();
  const chunks: Buffer[] = [];
  const errors: Buffer[] = [];
  out.on('data', (c: Buffer) => chunks.push(c));
  err.on('data', (c: Buffer) => errors.push(c));
  const code = await runCli(argv, {
    env: { LOG_LEVEL: 'silent', ...env },
    stdout: out,
    stderr: err,
  });
  return {
    code,
    stdout: Buffer.concat(chunks).toString('utf8'),
    stderr: Buffer.concat(errors).toString('utf8'),
  };
}

describe('careloop journey', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'careloop-journey-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('ships ready journeys that all validate', async () => {
    expect(readyJourneys().map((j) => j.key)).toEqual([
      'appointment-reminders',
      'medication-reminders',
      'no-show-recovery',
      'post-discharge-follow-up',
      'post-visit-survey',
      'pre-visit-instructions',
      'referral-follow-through',
      // Issue 11 (h11l).
      'screening-recall',
      // Issue 11 (h11v).
      'survey-detractor-follow-up',
    ]);
    const ran = await careloop([
      'journey',
      'validate',
      path.join(READY, 'appointment-reminders.json'),
    ]);
    expect(ran.code).toBe(0);
    expect(ran.stdout).toContain('valid journey "Appointment reminders"');
  });

  it('refuses an invalid journey, naming each problem by its path, exit 1', async () => {
    const file = path.join(dir, 'broken.json');
    await writeFile(
      file,
      JSON.stringify({
        key: 'broken',
        name: 'Broken',
        trigger: { kind: 'manual' },
        reentry: 'never',
        entry: 'a',
        nodes: [
          { id: 'a', type: 'goal', next: 'nowhere' },
          { id: 'b', type: 'exit' },
        ],
      }),
    );
    const ran = await careloop(['journey', 'validate', file]);
    expect(ran.code).toBe(1);
    expect(ran.stderr).toContain('/nodes/0/next: no node nowhere (unknown_node)');
    expect(
      (await careloop(['journey', 'validate', path.join(dir, 'missing.json')])).stderr,
    ).toContain('cannot read');
    expect((await careloop(['journey', 'sing', file])).code).toBe(2);
  });

  it('dry-runs the reminders on a simulated clock: C converts, R offers open slots (else a task), a cancellation exits', async () => {
    const ran = await careloop([
      'journey',
      'dry-run',
      path.join(READY, 'appointment-reminders.json'),
      '--start',
      '2026-12-01T09:00:00Z',
      '--json',
    ]);
    expect(ran.code).toBe(0);
    const { paths } = JSON.parse(ran.stdout) as { paths: SimulatedPath[] };
    expect(paths.map((p) => [p.status, p.converted, p.sends])).toEqual([
      ['completed', true, 3],
      ['completed', false, 2],
      ['completed', false, 3],
      ['exited', false, 0],
    ]);
    expect(paths[1]?.lines.map((l) => l.text)).toContain(
      'offer open slots by text (else a task for front-desk)',
    );
  });

  // Issue 11 (h11j): the ready journeys added for the list.
  const dryRun = async (file: string) => {
    const ran = await careloop([
      'journey',
      'dry-run',
      path.join(READY, file),
      '--start',
      '2026-12-01T09:00:00Z',
      '--patients',
      '5',
      '--json',
    ]);
    expect(ran.code, ran.stderr).toBe(0);
    return (JSON.parse(ran.stdout) as { paths: SimulatedPath[] }).paths;
  };
  const sent = (p: SimulatedPath | undefined) =>
    p?.lines.filter((l) => l.text.startsWith('send ')).map((l) => l.text.split(' ')[2]);

  it('dry-runs pre-visit instructions: each service its own text, 2 days before; a cancellation sends none', async () => {
    const paths = await dryRun('pre-visit-instructions.json');
    expect(paths.map(sent)).toEqual([
      ['pre-visit-annual-physical'],
      ['pre-visit-new-patient'],
      ['pre-visit-video'],
      [],
      ['pre-visit-annual-physical'],
    ]);
    expect(paths[0]?.lines.find((l) => l.text.startsWith('send '))?.at).toBe(
      '2026-12-09T09:00:00.000Z',
    );
    // Booked a day ahead: the instructions at once.
    expect(paths[4]?.lines.find((l) => l.text.startsWith('send '))?.at).toBe(
      '2026-12-01T09:00:00.000Z',
    );
  });

  it('dry-runs medication reminders: 14 sends, each at 09:00 in the patient’s zone', async () => {
    const [first] = await dryRun('medication-reminders.json');
    expect(first).toMatchObject({ status: 'completed', sends: 14 });
    const at = first?.lines.filter((l) => l.text.startsWith('send ')).map((l) => l.at);
    expect(at?.[0]).toBe('2026-12-01T14:00:00.000Z');
    expect(at?.[13]).toBe('2026-12-14T14:00:00.000Z');
  });

  it('dry-runs referral follow-through: an invitation, then a task when nothing is booked in 7 days', async () => {
    const [first] = await dryRun('referral-follow-through.json');
    expect(sent(first)).toEqual(['referral-scheduling']);
    expect(first?.lines.map((l) => l.text)).toContain(
      'task for care-coordination: Referral not scheduled within 7 days: help the patient book',
    );
    expect(first?.lines.at(-1)).toEqual({
      at: '2026-12-08T09:00:00.000Z',
      text: 'end completed (handed-over)',
    });
  });

  // Issue 11 (h11l): the preventive screening recall, started by entry into a list.
  it('validates and dry-runs the screening recall: a recall, a second reminder, then a call task when nothing is booked', async () => {
    const valid = await careloop([
      'journey',
      'validate',
      path.join(READY, 'screening-recall.json'),
    ]);
    expect(valid.code, valid.stderr).toBe(0);
    expect(valid.stdout).toContain('valid journey "Preventive screening recall"');
    const [first] = await dryRun('screening-recall.json');
    expect(sent(first)).toEqual(['screening-recall', 'screening-recall-reminder']);
    expect(first?.lines.map((l) => l.text)).toContain('call task for care-coordination');
    expect(first?.lines.at(-1)).toEqual({
      at: '2026-12-29T09:00:00.000Z',
      text: 'end completed (handed-over)',
    });
  });

  it('publishes a file as the next version of its key for an organization', async () => {
    const env = { CARELOOP_DATA_DIR: path.join(dir, 'data') };
    const org = 'Journey Clinic';
    const seeded = await careloop(
      ['seed', '--patients', '1', '--org', org, '--as-of', '2026-03-02', '--json'],
      env,
    );
    expect(seeded.code).toBe(0);
    const file = path.join(READY, 'post-visit-survey.json');
    const first = await careloop(['journey', 'publish', file, '--org', org, '--json'], env);
    expect(first.code).toBe(0);
    expect(JSON.parse(first.stdout)).toMatchObject({ key: 'post-visit-survey', version: 1 });
    const second = await careloop(['journey', 'publish', file, '--org', org, '--json'], env);
    expect(JSON.parse(second.stdout)).toMatchObject({ version: 2 });
    const nowhere = await careloop(['journey', 'publish', file, '--org', 'Nobody'], env);
    expect(nowhere.code).toBe(1);
    expect(nowhere.stderr).toContain('no organization named "Nobody"');
  }, 120_000);
});
