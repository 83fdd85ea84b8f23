import type {
  Appointment,
  Communication,
  Coverage,
  Location,
  Practitioner,
} from '@medplum/fhirtypes';
import type { coverages } from '../../../patients/schema.js';
import type { communications } from '../../schema.js';
import {
  calendarDate,
  compact,
  displayReference,
  instant,
  oneOf,
  patientReference,
  textConcept,
} from './common.js';

/** Appointments, messages and coverage as FHIR R4 resources. */

export interface AppointmentRow {
  id: string;
  patientId: string;
  status: string;
  service: string | null;
  practitioner: string | null;
  location: string | null;
  startAt: Date | string;
  endAt: Date | string;
  reason: string | null;
  cancelReason: string | null;
}

const APPOINTMENT_STATUSES = [
  'proposed',
  'pending',
  'booked',
  'arrived',
  'fulfilled',
  'cancelled',
  'noshow',
  'entered-in-error',
  'checked-in',
  'waitlist',
] as const;

export function toFhirAppointment(a: AppointmentRow): Appointment {
  const practitioner = displayReference<Practitioner>(a.practitioner);
  const location = displayReference<Location>(a.location);
  const service = textConcept(a.service);
  return compact<Appointment>({
    resourceType: 'Appointment',
    id: a.id,
    status: oneOf(a.status, APPOINTMENT_STATUSES, 'booked'),
    cancelationReason: textConcept(a.cancelReason),
    serviceType: service ? [service] : [],
    reasonCode: a.reason ? [{ text: a.reason }] : [],
    start: instant(a.startAt),
    end: instant(a.endAt),
    participant: [
      { actor: patientReference(a.patientId), status: 'accepted' },
      ...(practitioner ? [{ actor: practitioner, status: 'accepted' as const }] : []),
      ...(location ? [{ actor: location, status: 'accepted' as const }] : []),
    ],
  });
}

const MEDIA: Record<string, { code: string; display: string }> = {
  email: { code: 'EMAILWRIT', display: 'email' },
  sms: { code: 'SMSWRIT', display: 'SMS message' },
  phone: { code: 'PHONE', display: 'telephone' },
  mail: { code: 'MAILWRIT', display: 'mail' },
  telehealth: { code: 'VIDEOCONF', display: 'videoconferencing' },
  'in-person': { code: 'FACE', display: 'face-to-face' },
  portal: { code: 'ELECTRONIC', display: 'electronic data' },
};

const EVENT_STATUSES = [
  'preparation',
  'in-progress',
  'not-done',
  'on-hold',
  'stopped',
  'completed',
  'entered-in-error',
  'unknown',
] as const;

export function toFhirCommunication(c: typeof communications.$inferSelect): Communication {
  const medium = MEDIA[c.channel];
  const patient = patientReference(c.patientId);
  const category = textConcept(c.category);
  return compact<Communication>({
    resourceType: 'Communication',
    id: c.id,
    status: oneOf(c.status, EVENT_STATUSES, 'unknown'),
    category: category ? [category] : [],
    medium: medium
      ? [
          {
            coding: [
              { system: 'http://terminology.hl7.org/CodeSystem/v3-ParticipationMode', ...medium },
            ],
          },
        ]
      : [],
    subject: patient,
    topic: textConcept(c.topic),
    sent: instant(c.sentAt),
    received: instant(c.receivedAt),
    ...(c.direction === 'inbound' ? { sender: patient } : { recipient: [patient] }),
  });
}

export function toFhirCoverage(c: typeof coverages.$inferSelect): Coverage {
  return compact<Coverage>({
    resourceType: 'Coverage',
    id: c.id,
    status: oneOf(
      c.status,
      ['active', 'cancelled', 'draft', 'entered-in-error'] as const,
      'active',
    ),
    subscriberId: c.memberId,
    beneficiary: patientReference(c.patientId),
    period: compact({ start: calendarDate(c.startDate), end: calendarDate(c.endDate) }),
    payor: [displayReference(c.payer) ?? { display: 'Unknown payer' }],
    order: c.priority,
    class: [
      ...(c.plan
        ? [
            {
              type: {
                coding: [
                  { system: 'http://terminology.hl7.org/CodeSystem/coverage-class', code: 'plan' },
                ],
              },
              value: c.plan,
            },
          ]
        : []),
      ...(c.groupNumber
        ? [
            {
              type: {
                coding: [
                  { system: 'http://terminology.hl7.org/CodeSystem/coverage-class', code: 'group' },
                ],
              },
              value: c.groupNumber,
            },
          ]
        : []),
    ],
  });
}
