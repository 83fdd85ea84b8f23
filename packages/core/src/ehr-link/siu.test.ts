import { describe, expect, it } from 'vitest';
import { confirmationSiu, readAck } from './siu.js';

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
    expect(readAck('MSH|^~\\&|EHR\rMSA|AA|CL-1')).toEqual({ kind: 'accepted' });
    expect(readAck('MSH|^~\\&|EHR\rMSA|CA|CL-1')).toEqual({ kind: 'accepted' });
    expect(readAck('MSH|^~\\&|EHR\rMSA|AE|CL-1|Unknown appointment')).toEqual({
      kind: 'refused',
      text: 'Unknown appointment',
    });
    expect(readAck('MSH|^~\\&|EHR\rMSA|AR|CL-1|Busy')).toEqual({ kind: 'retry', text: 'Busy' });
    expect(readAck('garbage')).toEqual({ kind: 'retry', text: 'no MSA in the reply' });
  });
});
