import { describe, expect, it } from 'vitest';
import { bookingRequestSiu, confirmationSiu, readAck } from './siu.js';

describe('confirmationSiu', () => {
  it('builds an S14 the EHR can match by its own ids, with the values escaped', () => {
    const text = confirmationSiu(
      {
        controlId: 'CL-1',
        receivingApplication: 'EPIC',
        receivingFacility: 'NORTH',
        placerId: null,
        fillerId: 'F|1^x',
        patient: { value: 'MRN-7', system: 'urn:oid:2.16.840.1.113883.19.5' },
        start: new Date('2026-12-08T14:30:00Z'),
        minutes: 30,
        confirmedAt: new Date('2026-12-06T10:00:00Z'),
        channel: 'sms',
      },
      new Date('2026-12-06T10:00:05Z'),
    );
    const segments = text.split('\r');
    expect(segments[0]).toBe(
      'MSH|^~\\&|CARELOOP|CARELOOP|EPIC|NORTH|20261206100005+0000||SIU^S14^SIU_S12|CL-1|P|2.5.1',
    );
    const sch = segments[1]?.split('|') ?? [];
    expect(sch[2]).toBe('F\\F\\1\\S\\x');
    expect(sch[6]).toBe('CONFIRMED^Confirmed by patient^L');
    expect(sch[11]).toBe('^^30^20261208143000+0000');
    expect(sch[25]).toBe('Booked');
    expect(segments[2]).toBe('NTE|1|L|Confirmed by the patient by sms at 20261206100000+0000');
    expect(segments[3]).toBe('PID|1||MRN-7^^^&2.16.840.1.113883.19.5&ISO^MR');
  });

  it('refuses to build one without an id the EHR knows', () => {
    expect(() =>
      confirmationSiu(
        {
          controlId: 'x',
          receivingApplication: '',
          receivingFacility: '',
          placerId: null,
          fillerId: null,
          patient: null,
          start: new Date(0),
          minutes: 30,
          confirmedAt: new Date(0),
          channel: 'sms',
        },
        new Date(0),
      ),
    ).toThrow(/no appointment id/);
  });
});

describe('readAck', () => {
  it('reads accept, refuse and retry from MSA-1, with MSA-3 as the reason', () => {
    expect(readAck('MSH|^~\\&|EHR\rMSA|AA|CL-1')).toEqual({ kind: 'accepted', fillerId: null });
    expect(readAck('MSH|^~\\&|EHR\rMSA|CA|CL-1')).toEqual({ kind: 'accepted', fillerId: null });
    expect(readAck('MSH|^~\\&|EHR\rMSA|AE|CL-1|Unknown appointment')).toEqual({
      kind: 'refused',
      text: 'Unknown appointment',
    });
    expect(readAck('MSH|^~\\&|EHR\rMSA|AR|CL-1|Busy')).toEqual({ kind: 'retry', text: 'Busy' });
    expect(readAck('garbage')).toEqual({ kind: 'retry', text: 'no MSA in the reply' });
  });
});

describe('readAck of a booking request', () => {
  it('takes the EHR’s filler id from an SCH-2 in the acknowledgement, and only an id-like one', () => {
    expect(readAck('MSH|^~\\&|EHR\rMSA|AA|CL-1\rSCH|P-1^CARELOOP|F-77^EHR')).toEqual({
      kind: 'accepted',
      fillerId: 'F-77',
    });
    expect(readAck('MSH|^~\\&|EHR\rMSA|AA|CL-1\rSCH||<script>')).toEqual({
      kind: 'accepted',
      fillerId: null,
    });
  });
});

describe('bookingRequestSiu', () => {
  const request = {
    event: 'S12' as const,
    controlId: 'CLB1',
    receivingApplication: 'EHR',
    receivingFacility: 'MAIN',
    placerId: '5f0c6f5e-0000-4000-8000-000000000001',
    fillerId: null,
    patientIds: [
      { value: 'MRN-7', system: 'urn:oid:2.16.840.1.113883.19.5' },
      { value: 'CL-000042', system: 'CARELOOP' },
    ],
    patientName: { family: 'O|Brien', given: 'Ana' },
    birthDate: '1980-02-03',
    service: { id: 'svc-1', name: 'New patient' },
    practitioner: { id: 'DR-9', name: 'Dr Osei' },
    location: { id: 'LOC-1', name: 'North Clinic' },
    start: new Date('2026-12-08T14:30:00Z'),
    minutes: 30,
  };

  it('asks for a new appointment with Careloop’s placer id, the patient’s ids and the resources', () => {
    const segments = bookingRequestSiu(request, new Date('2026-12-06T10:00:05Z')).split('\r');
    expect(segments[0]).toBe(
      'MSH|^~\\&|CARELOOP|CARELOOP|EHR|MAIN|20261206100005+0000||SIU^S12^SIU_S12|CLB1|P|2.5.1',
    );
    const sch = segments[1]?.split('|') ?? [];
    expect(sch[1]).toBe('5f0c6f5e-0000-4000-8000-000000000001^CARELOOP');
    expect(sch[2]).toBe('');
    expect(sch[11]).toBe('^^30^20261208143000+0000');
    expect(sch[25]).toBe('Pending');
    expect(segments[2]).toBe(
      'PID|1||MRN-7^^^&2.16.840.1.113883.19.5&ISO^MR~CL-000042^^^CARELOOP^MR||O\\F\\Brien^Ana||19800203',
    );
    expect(segments[4]).toBe('AIS|1|A|svc-1^New patient^CARELOOP|20261208143000+0000|0|min|30|min');
    expect(segments[5]?.split('|')[3]).toBe('DR-9^Dr Osei');
    expect(segments[6]?.split('|')[3]).toBe('LOC-1^^^^^^^^North Clinic');
  });

  it('cancels by the EHR’s filler id with the reason in SCH-6', () => {
    const sch =
      bookingRequestSiu(
        { ...request, event: 'S15', fillerId: 'F-77', cancelReason: 'Patient request' },
        new Date(0),
      )
        .split('\r')[1]
        ?.split('|') ?? [];
    expect(sch[2]).toBe('F-77');
    expect(sch[6]).toBe('CANCELLED^Patient request^L');
    expect(sch[25]).toBe('Cancelled');
  });
});
