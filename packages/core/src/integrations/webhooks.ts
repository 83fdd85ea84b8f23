import type { AppointmentEvent } from '../scheduling/status.js';

/**
 * Signed webhooks (Standard Webhooks, docs/adr/0029): the event types an organization can
 * subscribe to, and what their payloads carry. Only events with a source in Careloop are
 * listed; a payload names ids and the event, never clinical detail (minimum necessary).
 */
export const WEBHOOK_EVENT_TYPES = [
  'appointment.booked',
  'appointment.rescheduled',
  'appointment.cancelled',
  'appointment.checked-in',
  'appointment.completed',
  'appointment.no-show',
  'message.received',
  // Events whose owners queue them in their own transaction (docs/adr/0029).
  'appointment.confirmed',
  'consent.changed',
  'patient.merged',
  'encounter.discharged',
  // Issue 11 (h11v): a post-visit survey answered (ids and the NPS category, never the text).
  'survey.answered',
] as const;
export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

export function isWebhookEventType(value: string): value is WebhookEventType {
  return (WEBHOOK_EVENT_TYPES as readonly string[]).includes(value);
}

/** The webhook event of an appointment change (every change has one). */
export function appointmentWebhookEvent(event: AppointmentEvent): WebhookEventType {
  return `appointment.${event}`;
}

/** A payload's `data`: ids only, and for a consent change which consent became what. */
export interface WebhookData {
  appointmentId?: string;
  patientId?: string | null;
  messageId?: string;
  /** `patient.merged`: the record merged into `patientId` (which survives). */
  mergedPatientId?: string;
  /** `encounter.discharged`. */
  encounterId?: string;
  /** `consent.changed`: the channel and purpose, and the consent's new status. */
  channel?: string;
  purpose?: string;
  status?: string;
  // Issue 11 (h11v): `survey.answered`: the answer's id and its NPS category only.
  surveyResponseId?: string;
  category?: 'promoter' | 'passive' | 'detractor';
}

/** The body of a webhook message, as Standard Webhooks suggest: type, timestamp, data. */
export interface WebhookPayload {
  type: WebhookEventType;
  timestamp: string;
  data: WebhookData;
}

/** How long the previous secret keeps signing after a rotation. */
export const WEBHOOK_ROTATION_OVERLAP_HOURS = 24;

/** Whether `s` is a Standard Webhooks secret: `whsec_` and base64 of 24 to 64 bytes. */
export function isWebhookSecret(s: string): boolean {
  return /^whsec_[A-Za-z0-9+/]{32,88}={0,2}$/.test(s);
}

// Issue 11 (h11w): the journey action "call a signed webhook" (docs/adr/0039).
/** The `type` of a journey webhook action's payload when the action names none. */
export const JOURNEY_WEBHOOK_DEFAULT_EVENT = 'journey.step';

/**
 * What a journey's webhook action tells its endpoint: which step of which enrolment, by ids.
 * The patient's id only when the endpoint's policy allows it; never a name, a contact detail or
 * clinical text.
 */
export interface JourneyStepWebhookData {
  journeyKey: string;
  journeyVersion: number;
  nodeId: string;
  enrolmentId: string;
  patientId?: string;
}

export interface JourneyStepWebhookPayload {
  type: string;
  timestamp: string;
  data: JourneyStepWebhookData;
}
