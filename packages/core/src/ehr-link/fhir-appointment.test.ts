import { describe, expect, it } from 'vitest';
import {
  bookingRequestFhir,
  CARELOOP_PLACER_SYSTEM,
  type FhirBookingRequest,
  fhirRequestOf,
  readFhirAnswer,
} from './fhir-appointment.js';

const request = (overrides: Partial<FhirBookingRequest> = {}): FhirBookingRequest => ({
  event: 'S12',
  placerId: '7f1c3a52-54d4-4c55-9f36-5b1bd2d0e0a1',
  fillerId: null,
  status: 'proposed',
  patient: { kind: 'identifier', system: 'urn:oid:1.2.3', value: 'MRN-1', display: 'Doe, Jo' },
  practitioner: { kind: 'reference', reference: 'Practitioner/123', display: 'Dr One' },
  location: { kind: 'identifier', system: 'urn:careloop:location', value: 'L1', display: 'Main' },
  service: { id: 'svc-1', name: 'Follow-up' },
  start: new Date('2026-12-10T14:00:00Z'),
  end: new Date('2026-12-10T14:30:00Z'),
  ...overrides,
});

describe('booking requests as FHIR Appointments', () => {
  it('creates a new request conditionally on Careloop’s placer identifier, proposed, with its participants', () => {
    const r = bookingRequestFhir(request());
    expect(r.method).toBe('POST');
    expect(r.path).toBe('Appointment');
    expect(r.ifNoneExist).toBe(
      `identifier=${encodeURIComponent(`${CARELOOP_PLACER_SYSTEM}|7f1c3a52-54d4-4c55-9f36-5b1bd2d0e0a1`)}`,
    );
    expect(r.body.status).toBe('proposed');
    expect(r.body.identifier).toEqual([
      { system: CARELOOP_PLACER_SYSTEM, value: '7f1c3a52-54d4-4c55-9f36-5b1bd2d0e0a1' },
    ]);
    expect(r.body.start).toBe('2026-12-10T14:00:00.000Z');
    expect(r.body.minutesDuration).toBe(30);
    expect(r.body.serviceType[0]?.text).toBe('Follow-up');
    expect(r.body.participant.map((p) => p.actor)).toEqual([
      {
        type: 'Patient',
        identifier: { system: 'urn:oid:1.2.3', value: 'MRN-1' },
        display: 'Doe, Jo',
      },
      { reference: 'Practitioner/123', type: 'Practitioner', display: 'Dr One' },
      {
        type: 'Location',
        identifier: { system: 'urn:careloop:location', value: 'L1' },
        display: 'Main',
      },
    ]);
    expect(r.body.id).toBeUndefined();
  });

  it('moves by the EHR’s id when known, else by a conditional update on the placer identifier', () => {
    const byId = bookingRequestFhir(request({ event: 'S13', fillerId: 'apt-9', status: 'booked' }));
    expect(byId).toMatchObject({ method: 'PUT', path: 'Appointment/apt-9', ifNoneExist: null });
    expect(byId.body).toMatchObject({ id: 'apt-9', status: 'booked' });
    const byPlacer = bookingRequestFhir(request({ event: 'S13' }));
    expect(byPlacer.path).toMatch(/^Appointment\?identifier=urn%3Acareloop%3Aappointment%7C/);
  });

  it('cancels with status cancelled and a fixed reason, and takes a cancelled answer as accepted', () => {
    const r = bookingRequestFhir(request({ event: 'S15', fillerId: 'apt-9' }));
    expect(r.body.status).toBe('cancelled');
    expect(r.body.cancelationReason).toEqual({ text: 'Cancelled by the clinic' });
    expect(
      readFhirAnswer(
        200,
        { resourceType: 'Appointment', id: 'apt-9', status: 'cancelled' },
        r.refuseStatuses,
      ),
    ).toEqual({ kind: 'accepted', id: 'apt-9' });
  });

  it('reads the EHR’s answers: booked, refused by status or 4xx, retried on 5xx, 408, 429 and on credentials refused (401, 403)', () => {
    const refuse = bookingRequestFhir(request()).refuseStatuses;
    expect(
      readFhirAnswer(201, { resourceType: 'Appointment', id: 'a1', status: 'booked' }, refuse),
    ).toEqual({
      kind: 'accepted',
      id: 'a1',
    });
    expect(
      readFhirAnswer(201, { resourceType: 'Appointment', id: 'a1', status: 'cancelled' }, refuse),
    ).toEqual({ kind: 'refused', reason: 'Appointment cancelled' });
    expect(
      readFhirAnswer(200, { resourceType: 'Appointment', status: 'entered-in-error' }, refuse).kind,
    ).toBe('refused');
    expect(
      readFhirAnswer(
        409,
        {
          resourceType: 'OperationOutcome',
          issue: [{ severity: 'error', diagnostics: 'Slot taken' }],
        },
        refuse,
      ),
    ).toEqual({ kind: 'refused', reason: 'Slot taken' });
    expect(readFhirAnswer(422, null, refuse)).toEqual({ kind: 'refused', reason: 'HTTP 422' });
    for (const status of [500, 503, 408, 429, 401, 403]) {
      expect(readFhirAnswer(status, null, refuse).kind).toBe('retry');
    }
    expect(readFhirAnswer(201, { resourceType: 'Patient' }, refuse).kind).toBe('retry');
    // An id that is not a FHIR id is not kept.
    expect(readFhirAnswer(201, { resourceType: 'Appointment', id: 'a b/c' }, refuse)).toEqual({
      kind: 'accepted',
      id: null,
    });
  });

  it('reads a stored request back only when it is one', () => {
    const r = bookingRequestFhir(request());
    expect(fhirRequestOf(JSON.stringify(r))).toEqual(r);
    expect(() => fhirRequestOf(JSON.stringify({ ...r, path: '../Patient' }))).toThrow();
    expect(() => fhirRequestOf(JSON.stringify({ ...r, method: 'DELETE' }))).toThrow();
    expect(() => fhirRequestOf('[]')).toThrow();
  });
});
