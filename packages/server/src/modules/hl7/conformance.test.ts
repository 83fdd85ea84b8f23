import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp, TestTenant } from '../../test/app.js';
import { describeEachDatabase } from '../../test/databases.js';
import { MllpClient } from '../../test/hl7/mllp-client.js';
import { SHARED_DATA } from '../../test/shared-data.js';
import { routeOf } from './handlers/handlers.js';
import { frame } from './mllp/framer.js';
import { type MllpListener, startMllpListener } from './mllp/listener.js';
import { DEFAULT_DELIMITERS, unescapeHl7 } from './parse/escape.js';
import { decodePayload, readMessage, splitMessages } from './parse/message.js';

/**
 * Conformance on public HL7 v2 data written by others (../shared/data/hl7v2, see its README):
 * every sample is read and acknowledged over MLLP, the events Careloop maps are accepted (AA),
 * a batch yields one ACK per message, and fuzzer-found malformed inputs are each answered AE/AR
 * or cleanly refused within a second while the listener keeps serving.
 */
const DATA = path.join(SHARED_DATA, 'hl7v2');
const present = existsSync(DATA);

if (!present) {
  if (process.env.CI === 'true') {
    describe('HL7 v2 conformance data', () => {
      it('is present under CI', () => {
        throw new Error(`${DATA} is missing: CI must have ../shared/data beside the checkout`);
      });
    });
  } else {
    console.warn(
      `HL7 v2 conformance tests skipped: ${DATA} is absent (see /work/shared/data/README.md)`,
    );
  }
}

const msa = (ack: string) =>
  ack
    .split('\r')
    .filter((s) => s.startsWith('MSA'))
    .map((s) => {
      const sep = s.charAt(3);
      const [, code = '', control = ''] = s.split(sep);
      return { code, control };
    });

/** MSH-10 of each message in a file, read without our parser: split each MSH line by MSH-1. */
function controlIdsOf(text: string): string[] {
  return text
    .replace(/^\uFEFF/, '')
    .split(/\r\n|\r|\n/)
    .filter((line) => line.startsWith('MSH'))
    .map((line) => line.split(line.charAt(3))[9] ?? '');
}

const listFiles = async (folder: string) =>
  (await readdir(path.join(DATA, folder))).filter((f) => !f.endsWith('.csv')).sort();

(present ? describeEachDatabase : () => {})('HL7 v2 conformance on ../shared/data', (kind) => {
  let t: TestApp;
  let listener: MllpListener;
  let client: MllpClient;
  beforeAll(async () => {
    t = await createTestApp(kind);
    const tenant = await TestTenant.create(t);
    listener = await startMllpListener({
      port: 0,
      handle: t.services.hl7.mllpHandler(tenant.orgId),
    });
    client = await MllpClient.connect(listener.port);
  });
  afterAll(async () => {
    client.close();
    await listener.close(1000);
    await t.close();
  });

  it('acknowledges every message in samples/ and nhapi-valid/, MSA-2 = MSH-10, mapped events AA', async () => {
    const failures: string[] = [];
    let messages = 0;
    for (const folder of ['samples', 'nhapi-valid']) {
      for (const file of await listFiles(folder)) {
        const bytes = await readFile(path.join(DATA, folder, file));
        const text = decodePayload(bytes);
        const expected = controlIdsOf(text);
        if (expected.length === 0) continue; // the escape-sequence pair, checked below
        // The file's own bytes, BOM and line ends included.
        const acks = msa(await client.send(frame(bytes)));
        messages += acks.length;
        if (acks.length !== expected.length) {
          failures.push(`${folder}/${file}: ${acks.length} ACKs for ${expected.length} messages`);
          continue;
        }
        splitMessages(text).messages.forEach((m, i) => {
          const ack = acks[i];
          const read = readMessage(m);
          if (!ack || ack.control !== (expected[i] ?? '')) {
            failures.push(`${folder}/${file}#${i}: MSA-2 ${ack?.control} ≠ MSH-10 ${expected[i]}`);
          }
          if (!read.ok) {
            failures.push(`${folder}/${file}#${i}: not readable: ${read.error}`);
          } else if (routeOf(read.message.header).kind === 'handle' && ack?.code !== 'AA') {
            const h = read.message.header;
            failures.push(
              `${folder}/${file}#${i} ${h.messageType}^${h.triggerEvent}: ${ack?.code}`,
            );
          } else if (!['AA', 'AE', 'AR'].includes(ack?.code ?? '')) {
            failures.push(`${folder}/${file}#${i}: MSA-1 ${ack?.code}`);
          }
        });
      }
    }
    expect(failures).toEqual([]);
    expect(messages).toBeGreaterThan(80);
  });

  it('yields seven acknowledgements for the seven-message batch file', async () => {
    const text = await readFile(path.join(DATA, 'nhapi-valid/OML_O21_messages.txt'), 'utf8');
    const acks = msa(await client.send(text));
    expect(acks).toHaveLength(7);
    expect(acks.map((a) => a.control)).toEqual(controlIdsOf(text));
  });

  it('decodes the escaped payload to its unescaped twin', async () => {
    const escaped = await readFile(path.join(DATA, 'nhapi-valid/uuencoded_escaped.txt'), 'latin1');
    const unescaped = await readFile(
      path.join(DATA, 'nhapi-valid/uuencoded_unescaped.txt'),
      'latin1',
    );
    expect(unescapeHl7(escaped, DEFAULT_DELIMITERS).replace(/\r\n/g, '\n')).toBe(unescaped);
  });

  it('answers every malformed input AE/AR (or refuses it cleanly) within a second, and keeps serving', async () => {
    const outcomes: string[] = [];
    for (const file of await listFiles('malformed')) {
      const bytes = await readFile(path.join(DATA, 'malformed', file));
      const sender = await MllpClient.connect(listener.port);
      const started = performance.now();
      let outcome: string;
      try {
        const reply = await Promise.race([
          sender.send(frame(bytes)),
          new Promise<string>((_, reject) =>
            setTimeout(() => reject(new Error('no reply in 1 s')), 1000),
          ),
        ]);
        const codes = msa(reply).map((a) => a.code);
        outcome =
          codes.length > 0 && codes.every((c) => c === 'AE' || c === 'AR') ? 'ok' : `MSA ${codes}`;
      } catch (error) {
        outcome = sender.closed ? 'ok' : String(error);
      } finally {
        sender.close();
      }
      const ms = performance.now() - started;
      outcomes.push(`${file}: ${outcome}${ms > 1000 ? ` after ${Math.round(ms)} ms` : ''}`);
    }
    expect(outcomes.filter((o) => !o.endsWith(': ok'))).toEqual([]);
    expect(outcomes.length).toBeGreaterThanOrEqual(19);
    // Still serving: a good message on the old connection and a new one.
    const ok =
      'MSH|^~\\&|A|B|C|D|20240101||ADT^A28|AFTER-1|P|2.5\rPID|1||X1^^^B^MR||Doe^Jo||19800101|F';
    expect(msa(await client.send(ok))).toEqual([{ code: 'AA', control: 'AFTER-1' }]);
  });
});
