import { PassThrough } from 'node:stream';
import { bookingRequestFhir } from '@careloop/core';
import { describe, expect, it } from 'vitest';
import { sendFhir } from '../modules/messaging/fhir/fhir-sender.js';
import { runEhrSim } from './ehr-sim.js';

/** Issue 13 (h13f): `careloop ehr-sim --fhir-port` serves the FHIR endpoint beside MLLP. */
describe('careloop ehr-sim --fhir-port', () => {
  it('serves FHIR Appointments on loopback, with the token asked for, and prints one line per request', async () => {
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    let printed = '';
    stdout.on('data', (chunk: Buffer) => {
      printed += chunk.toString('utf8');
    });
    const stop = new AbortController();
    const exit = runEhrSim(
      ['--port', '0', '--fhir-port', '0', '--fhir-token', 'demo-token', '--json'],
      { env: {}, stdout, stderr },
      { signal: stop.signal },
    );
    const started = async (): Promise<{ fhirBase: string }> => {
      for (let i = 0; i < 200; i++) {
        const line = printed.split('\n').find((l) => l.includes('fhirBase'));
        if (line) return JSON.parse(line) as { fhirBase: string };
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
      throw new Error(`not started: ${printed}`);
    };
    const { fhirBase } = await started();
    expect(fhirBase).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/fhir\/R4$/);
    const request = bookingRequestFhir({
      event: 'S12',
      placerId: 'P-1',
      fillerId: null,
      status: 'proposed',
      patient: { kind: 'identifier', system: null, value: 'MRN-1', display: 'Doe, Jo' },
      practitioner: { kind: 'reference', reference: 'Practitioner/DR-1', display: 'Dr One' },
      location: { kind: 'reference', reference: 'Location/L-1', display: 'Main' },
      service: { id: 'svc', name: 'Visit' },
      start: new Date('2026-12-10T14:00:00Z'),
      end: new Date('2026-12-10T14:30:00Z'),
    });
    await expect(sendFhir({ base: fhirBase, token: null }, request)).rejects.toMatchObject({
      permanent: false,
    });
    expect(await sendFhir({ base: fhirBase, token: 'demo-token' }, request)).toEqual({
      fillerId: 'apt-1001',
      status: 201,
    });
    stop.abort();
    expect(await exit).toBe(0);
    const lines = printed
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.filter((l) => 'method' in l)).toEqual([
      { method: 'POST', path: 'Appointment', status: 401, id: null },
      { method: 'POST', path: 'Appointment', status: 201, id: 'apt-1001' },
    ]);
  });
});
