import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runHl7Listen, runImportHl7 } from '../../cli/hl7.js';
import { adt, siu } from '../../test/hl7/messages.js';
import { MllpClient } from '../../test/hl7/mllp-client.js';
import { SHARED_DATA, sharedDataAvailable } from '../../test/shared-data.js';

function io(env: NodeJS.ProcessEnv) {
  const out = new PassThrough();
  const err = new PassThrough();
  const chunks: Buffer[] = [];
  const errors: Buffer[] = [];
  out.on('data', (c: Buffer) => chunks.push(c));
  err.on('data', (c: Buffer) => errors.push(c));
  return {
    io: { env: { LOG_LEVEL: 'silent', ...env }, stdout: out, stderr: err },
    stdout: () => Buffer.concat(chunks).toString('utf8'),
    stderr: () => Buffer.concat(errors).toString('utf8'),
  };
}

describe('careloop import hl7 and hl7 listen', () => {
  let dir: string;
  let env: NodeJS.ProcessEnv;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'careloop-hl7-cli-'));
    env = { CARELOOP_DATA_DIR: path.join(dir, 'data') };
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('imports a file of several messages, counts them by type, and changes nothing the second time', async () => {
    const file = path.join(dir, 'feed.hl7');
    await writeFile(
      file,
      [
        adt('A04', 'F-1', { mrn: 'C1' }, { visit: 'CV1' }),
        siu('S12', 'F-2', { mrn: 'C1' }, { filler: 'CF1', start: '202405011000-0400' }),
      ].join('\n\n'),
    );
    const first = io(env);
    expect(await runImportHl7([file, '--org', 'Harbor Clinic', '--json'], first.io)).toBe(0);
    expect(JSON.parse(first.stdout())).toMatchObject({
      ok: true,
      organization: { name: 'Harbor Clinic', created: true },
      messages: 2,
      accepted: 2,
      byType: { 'ADT^A04': { AA: 1 }, 'SIU^S12': { AA: 1 } },
    });
    const again = io(env);
    expect(await runImportHl7([file, '--org', 'Harbor Clinic', '--json'], again.io)).toBe(0);
    expect(JSON.parse(again.stdout())).toMatchObject({
      organization: { created: false },
      accepted: 2,
      duplicates: 2,
    });
  });

  // Issue 11 (h11o): the import routes by message type as the listener does.
  it.runIf(sharedDataAvailable('hl7v2/samples'))(
    'imports the ORM^O01 sample orders (read where they are), each accepted (AA)',
    async () => {
      const files = [
        'ORM-O01-01.hl7',
        'ORM-O01-03.hl7',
        'ORM-O01-04.hl7',
        'ORM-O01-05.hl7',
        'ORM-O01-06.hl7',
        'LAB-ORM-1.hl7',
      ].map((f) => path.join(SHARED_DATA, 'hl7v2/samples', f));
      const ran = io(env);
      expect(await runImportHl7([...files, '--org', 'Order Clinic', '--json'], ran.io)).toBe(0);
      expect(JSON.parse(ran.stdout())).toMatchObject({
        ok: true,
        messages: 6,
        accepted: 6,
        byType: { 'ORM^O01': { AA: 6 } },
      });
    },
  );

  it('exits 1 and names the field when a message is refused', async () => {
    const file = path.join(dir, 'bad.hl7');
    await writeFile(
      file,
      adt('A04', 'BAD-1', { mrn: 'C2', birthDate: '19791332' }, { visit: 'CV2' }),
    );
    const ran = io(env);
    expect(await runImportHl7([file, '--org', 'Harbor Clinic'], ran.io)).toBe(1);
    expect(ran.stdout()).toContain('errors (AE) 1');
    expect(ran.stdout()).toMatch(/BAD-1\): AE PID-7 PID-7 \(date of birth\) is not valid/);
  });

  it('exits 2 without files or with an unknown option', async () => {
    expect(await runImportHl7(['--org', 'X'], io(env).io)).toBe(2);
    expect(await runImportHl7(['a.hl7', '--frobnicate'], io(env).io)).toBe(2);
    expect(await runHl7Listen(['--port', 'many'], io(env).io)).toBe(2);
  });

  it('refuses to listen with a sender setting that is wrong, naming it', async () => {
    const ran = io({ ...env, HL7_ALLOW: '10.0.0.0/99' });
    expect(await runHl7Listen(['--port', '0'], ran.io)).toBe(1);
    expect(ran.stderr()).toMatch(/HL7_ALLOW.*"10\.0\.0\.0\/99"/);
  });

  it('listens, acknowledges over MLLP after commit, and stops on request', async () => {
    const stop = new AbortController();
    const ran = io(env);
    let port = 0;
    let exited: Promise<number> = Promise.resolve(-1);
    await new Promise<void>((resolve) => {
      exited = runHl7Listen(['--port', '0', '--org', 'Harbor Clinic', '--json'], ran.io, {
        signal: stop.signal,
        onListening: (p) => {
          port = p;
          resolve();
        },
      });
    });
    expect(JSON.parse(ran.stdout())).toMatchObject({
      ok: true,
      port,
      organization: { name: 'Harbor Clinic' },
    });
    const client = await MllpClient.connect(port);
    const reply = await client.send(adt('A08', 'L-1', { mrn: 'C1', family: 'Listened' }));
    expect(reply.split('\r')[1]).toBe('MSA|AA|L-1');
    client.close();
    stop.abort();
    expect(await exited).toBe(0);
  });
});
