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
] as const;
export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

export function isWebhookEventType(value: string): value is WebhookEventType {
  return (WEBHOOK_EVENT_TYPES as readonly string[]).includes(value);
}

/** The webhook event of an appointment change (every change has one). */
export function appointmentWebhookEvent(event: AppointmentEvent): WebhookEventType {
  return `appointment.${event}`;
}

/** A payload's `data`: ids only. */
export interface WebhookData {
  appointmentId?: string;
  patientId?: string | null;
  messageId?: string;
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
