import http from 'node:http';
import { bookingRequestFhir, type FhirBookingRequest } from '@careloop/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FhirSendError, sendFhir } from '../messaging/fhir/fhir-sender.js';
import { type FhirSimulator, startFhirSimulator } from './fhir-simulator.js';

/** The simulated EHR's FHIR endpoint (issue 13), over a real loopback socket. */
describe('the simulated EHR’s FHIR Appointment endpoint', () => {
  let ehr: FhirSimulator;
  beforeAll(async () => {
    ehr = await startFhirSimulator({ port: 0, token: 'sim-token', rules: { decline: /Declined/ } });
  });
  afterAll(() => ehr.close());

  const request = (overrides: Partial<FhirBookingRequest> = {}) =>
    bookingRequestFhir({
      event: 'S12',
      placerId: 'A-1',
      fillerId: null,
      status: 'proposed',
      patient: { kind: 'identifier', system: null, value: 'MRN-1', display: 'Doe, Jo' },
      practitioner: { kind: 'reference', reference: 'Practitioner/DR-1', display: 'Dr One' },
      location: {
        kind: 'identifier',
        system: 'urn:careloop:location',
        value: 'L',
        display: 'Main',
      },
      service: { id: 'svc', name: 'Visit' },
      start: new Date('2026-12-10T14:00:00Z'),
      end: new Date('2026-12-10T14:30:00Z'),
      ...overrides,
    });
  const send = (r: ReturnType<typeof request>, token: string | null = 'sim-token') =>
    sendFhir({ base: ehr.base, token }, r).then(
      (answer) => ({ ok: true as const, id: answer.fillerId }),
      (error: FhirSendError) => ({
        ok: false as const,
        permanent: error.permanent,
        reason: error.reason,
      }),
    );

  it('books a free time, answers a conditional create sent again with the same Appointment, and refuses the time to another', async () => {
    expect(await send(request())).toEqual({ ok: true, id: 'apt-1001' });
    expect(await send(request())).toEqual({ ok: true, id: 'apt-1001' });
    expect(ehr.appointments.size).toBe(1);
    expect(ehr.appointments.get('apt-1001')?.status).toBe('booked');
    expect(await send(request({ placerId: 'B-2' }))).toEqual({
      ok: false,
      permanent: true,
      reason: 'Slot taken',
    });
    expect(ehr.received.map((r) => r.status)).toEqual([201, 200, 409]);
  });

  it('frees the time on a cancellation and moves by id, refusing a move onto a taken time', async () => {
    expect(
      await send(
        request({
          placerId: 'C-3',
          start: new Date('2026-12-10T15:00:00Z'),
          end: new Date('2026-12-10T15:30:00Z'),
        }),
      ),
    ).toEqual({ ok: true, id: 'apt-1002' });
    const moveOnto = request({
      event: 'S13',
      placerId: 'C-3',
      fillerId: 'apt-1002',
      status: 'booked',
    });
    expect((await send(moveOnto)).ok).toBe(false);
    expect(await send(request({ event: 'S15', fillerId: 'apt-1001' }))).toEqual({
      ok: true,
      id: 'apt-1001',
    });
    expect(ehr.appointments.get('apt-1001')?.status).toBe('cancelled');
    expect(await send(moveOnto)).toEqual({ ok: true, id: 'apt-1002' });
    expect(ehr.appointments.get('apt-1002')?.start).toBe('2026-12-10T14:00:00.000Z');
  });

  it('declines by rule (kept cancelled), and asks for credentials without refusing the request', async () => {
    const declined = request({
      placerId: 'D-4',
      start: new Date('2026-12-11T09:00:00Z'),
      end: new Date('2026-12-11T09:30:00Z'),
      patient: { kind: 'identifier', system: null, value: 'M', display: 'Declined, Al' },
    });
    expect(await send(declined)).toEqual({
      ok: false,
      permanent: true,
      reason: 'Appointment cancelled',
    });
    expect(await send(request({ placerId: 'E-5' }), null)).toMatchObject({
      ok: false,
      permanent: false,
    });
    expect(ehr.received.at(-1)?.status).toBe(401);
  });

  it('takes no answer (a server that never replies, or none listening) as “send again later”', async () => {
    const silent = http.createServer(() => {});
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const address = silent.address();
    if (!address || typeof address === 'string') throw new Error('no port');
    const base = `http://127.0.0.1:${address.port}/fhir/R4`;
    try {
      const timedOut = await sendFhir({ base, token: null }, request(), { timeoutMs: 200 }).catch(
        (error: FhirSendError) => error,
      );
      expect(timedOut).toMatchObject({ code: 'timeout', permanent: false });
    } finally {
      silent.closeAllConnections();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
    const refused = await sendFhir({ base, token: null }, request()).catch(
      (error: FhirSendError) => error,
    );
    expect(refused).toMatchObject({ code: 'connection failed', permanent: false });
  });
});
