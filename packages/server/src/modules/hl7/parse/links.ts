/**
 * Which field of which segment keyed a source link, so that a later message naming the same
 * thing finds the record the first one made. The table is shared with the FHIR import (its
 * source types are resource names; ours are HL7 field names, so the two never collide).
 */
export const LINK = {
  patient: 'PID-3',
  visit: 'PV1-19',
  placerAppointment: 'SCH-1',
  fillerAppointment: 'SCH-2',
  referral: 'RF1-6',
  // Issue 11 (h11o): ORM^O01 orders that are referrals, by placer and by filler number.
  placerOrder: 'ORC-2',
  fillerOrder: 'ORC-3',
} as const;
export type LinkType = (typeof LINK)[keyof typeof LINK];

export type LinkedRecordType = 'patient' | 'encounter' | 'appointment' | 'service-request';

export interface LinkedRecord {
  recordId: string;
  patientId: string | null;
}
