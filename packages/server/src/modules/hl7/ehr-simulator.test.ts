import { bookingRequestSiu } from '@careloop/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendOverMllp } from '../messaging/hl7/mllp-sender.js';
import { type EhrSimulator, startEhrSimulator } from './ehr-simulator.js';

/** The simulated EHR's appointment book (issue 13), over a real loopback socket. */
describe('the simulated EHR’s booking rules', () => {
  let ehr: EhrSimulator;
  beforeAll(async () => {
    ehr = await startEhrSimulator({ port: 0 });
  });
  afterAll(() => ehr.close());

  const request = (event: 'S12' | 'S15', placerId: string, controlId: string) =>
    bookingRequestSiu(
      {
        event,
        controlId,
        receivingApplication: 'EHR',
        receivingFacility: 'EHR',
        placerId,
        fillerId: null,
        patientIds: [{ value: 'MRN-1', system: null }],
        patientName: { family: 'Doe', given: 'Jo' },
        birthDate: null,
        service: { id: 'svc', name: 'Visit' },
        practitioner: { id: 'DR-1', name: 'Dr One' },
        location: { id: 'LOC-1', name: 'Main' },
        start: new Date('2026-12-10T14:00:00Z'),
        minutes: 30,
      },
      new Date('2026-12-06T09:00:00Z'),
    );
  const send = (text: string) =>
    sendOverMllp({ host: '127.0.0.1', port: ehr.listener.port }, text).then(
      (ack) => ({ ok: true as const, fillerId: ack.fillerId }),
      (error: Error & { reason?: string | null }) => ({ ok: false as const, reason: error.reason }),
    );

  it('accepts a free slot with its filler id, the same answer to a retry, and refuses the slot to another request', async () => {
    const first = await send(request('S12', 'A-1', 'C1'));
    expect(first).toEqual({ ok: true, fillerId: 'F-1001' });
    expect(await send(request('S12', 'A-1', 'C1'))).toEqual({ ok: true, fillerId: 'F-1001' });
    expect(await send(request('S12', 'B-2', 'C2'))).toEqual({ ok: false, reason: 'Slot taken' });
    expect(ehr.received.map((r) => r.ack)).toEqual(['AA', 'AA', 'AE']);
  });

  it('frees the slot on a cancellation (S15), for the next request', async () => {
    expect((await send(request('S15', 'A-1', 'C3'))).ok).toBe(true);
    expect(await send(request('S12', 'B-2', 'C4'))).toEqual({ ok: true, fillerId: 'F-1002' });
  });
});
