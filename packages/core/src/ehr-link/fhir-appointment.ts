import type { BookingRequestEvent } from './siu.js';

/**
 * Issue 13, the FHIR path of an EHR-owned schedule: a booking request is an Appointment written
 * to the EHR's FHIR server (R4). A new request is a conditional create (`If-None-Exist` on
 * Careloop's placer identifier), so a retry after a crash between the POST and its mark finds
 * the first Appointment instead of making a second; a move or a cancellation is an update (by
 * the EHR's id once known, else a conditional update on the placer identifier).
 */

/** The identifier system of Careloop's placer id (the appointment's id in Careloop). */
export const CARELOOP_PLACER_SYSTEM = 'urn:careloop:appointment';
/** Identifier systems for resources the EHR knows only by Careloop's ids. */
export const CARELOOP_PATIENT_SYSTEM = 'urn:careloop:patient';
export const CARELOOP_PRACTITIONER_SYSTEM = 'urn:careloop:practitioner';
export const CARELOOP_LOCATION_SYSTEM = 'urn:careloop:location';

/** How the EHR knows a participant: its own id (a reference), else an identifier. */
export type FhirParticipant =
  | { kind: 'reference'; reference: string; display: string }
  | { kind: 'identifier'; system: string | null; value: string; display: string };

export interface FhirBookingRequest {
  /** S12 new, S13 moved, S15 cancelled: the same three kinds as the HL7 path. */
  event: BookingRequestEvent;
  placerId: string;
  /** The EHR's Appointment id, once an answer gave it. */
  fillerId: string | null;
  /** `proposed` for a new request; what the appointment is when it is moved. */
  status: 'proposed' | 'pending' | 'booked';
  patient: FhirParticipant;
  practitioner: FhirParticipant;
  location: FhirParticipant;
  service: { id: string; name: string };
  start: Date;
  end: Date;
}

/** An HTTP request to the EHR's FHIR base, as the outbox stores it (encrypted) and sends it. */
export interface FhirHttpRequest {
  method: 'POST' | 'PUT';
  /** Relative to the base: `Appointment`, `Appointment/<id>` or `Appointment?identifier=…`. */
  path: string;
  /** The conditional create's search (`identifier=system|value`). */
  ifNoneExist: string | null;
  body: FhirAppointmentBody;
  /** An answered Appointment in one of these statuses is a refusal (not for a cancellation). */
  refuseStatuses: string[];
}

export interface FhirAppointmentBody {
  resourceType: 'Appointment';
  id?: string;
  status: string;
  identifier: { system: string; value: string }[];
  serviceType: { coding: { system: string; code: string; display: string }[]; text: string }[];
  start: string;
  end: string;
  minutesDuration: number;
  participant: {
    actor: Record<string, unknown>;
    required: 'required';
    status: 'needs-action' | 'accepted' | 'declined';
  }[];
  cancelationReason?: { text: string };
}

const REFUSED_STATUSES = ['cancelled', 'entered-in-error'];

function actorOf(p: FhirParticipant, type: string): Record<string, unknown> {
  return p.kind === 'reference'
    ? { reference: p.reference, type, display: p.display }
    : {
        type,
        identifier: p.system ? { system: p.system, value: p.value } : { value: p.value },
        display: p.display,
      };
}

/** The search that finds the Appointment of a placer id. */
export function placerSearch(placerId: string): string {
  return `identifier=${encodeURIComponent(`${CARELOOP_PLACER_SYSTEM}|${placerId}`)}`;
}

/** The request for one booking event (a pure function of what Careloop knows). */
export function bookingRequestFhir(r: FhirBookingRequest): FhirHttpRequest {
  const cancelled = r.event === 'S15';
  const body: FhirAppointmentBody = {
    resourceType: 'Appointment',
    ...(r.fillerId && r.event !== 'S12' ? { id: r.fillerId } : {}),
    status: cancelled ? 'cancelled' : r.status,
    identifier: [{ system: CARELOOP_PLACER_SYSTEM, value: r.placerId }],
    serviceType: [
      {
        coding: [{ system: 'urn:careloop:service', code: r.service.id, display: r.service.name }],
        text: r.service.name,
      },
    ],
    start: r.start.toISOString(),
    end: r.end.toISOString(),
    minutesDuration: Math.round((r.end.getTime() - r.start.getTime()) / 60_000),
    participant: (
      [
        [r.patient, 'Patient'],
        [r.practitioner, 'Practitioner'],
        [r.location, 'Location'],
      ] as const
    ).map(([p, type]) => ({
      actor: actorOf(p, type),
      required: 'required' as const,
      status: 'needs-action' as const,
    })),
    ...(cancelled ? { cancelationReason: { text: 'Cancelled by the clinic' } } : {}),
  };
  if (r.event === 'S12') {
    return {
      method: 'POST',
      path: 'Appointment',
      ifNoneExist: placerSearch(r.placerId),
      body,
      refuseStatuses: REFUSED_STATUSES,
    };
  }
  return {
    method: 'PUT',
    path: r.fillerId
      ? `Appointment/${encodeURIComponent(r.fillerId)}`
      : `Appointment?${placerSearch(r.placerId)}`,
    ifNoneExist: null,
    body,
    refuseStatuses: cancelled ? [] : REFUSED_STATUSES,
  };
}

/**
 * A stored request read back: validated like any input (it is decrypted from a row). Throws
 * when it is not one.
 */
export function fhirRequestOf(json: string): FhirHttpRequest {
  const value: unknown = JSON.parse(json);
  if (typeof value !== 'object' || value === null) throw new Error('not a FHIR request');
  const r = value as Record<string, unknown>;
  const method = r.method;
  const path = r.path;
  const body = r.body;
  const ifNoneExist = r.ifNoneExist;
  const refuse = r.refuseStatuses;
  if (
    (method !== 'POST' && method !== 'PUT') ||
    typeof path !== 'string' ||
    !/^Appointment(\/[A-Za-z0-9\-.%]{1,200}|\?identifier=[A-Za-z0-9%._~-]{1,300})?$/.test(path) ||
    (ifNoneExist !== null && typeof ifNoneExist !== 'string') ||
    !Array.isArray(refuse) ||
    !refuse.every((s) => typeof s === 'string') ||
    typeof body !== 'object' ||
    body === null ||
    (body as { resourceType?: unknown }).resourceType !== 'Appointment'
  ) {
    throw new Error('not a FHIR request');
  }
  return {
    method,
    path,
    ifNoneExist,
    body: body as FhirAppointmentBody,
    refuseStatuses: refuse as string[],
  };
}

export type FhirVerdict =
  /** 200/201 with an Appointment the EHR keeps: `id` is its filler id. */
  | { kind: 'accepted'; id: string | null }
  /** 4xx, or an Appointment answered in a refused status: sending it again changes nothing. */
  | { kind: 'refused'; reason: string }
  /** 5xx, 401, 403, 408, 429, or an answer that cannot be read: send again later. */
  | { kind: 'retry'; reason: string };

/** The first diagnostics or text of an OperationOutcome, at most 200 characters. */
function outcomeText(body: unknown): string | null {
  if (typeof body !== 'object' || body === null) return null;
  const issues = (body as { issue?: unknown }).issue;
  if (!Array.isArray(issues)) return null;
  for (const issue of issues) {
    if (typeof issue !== 'object' || issue === null) continue;
    const i = issue as { diagnostics?: unknown; details?: { text?: unknown } };
    const text = typeof i.diagnostics === 'string' ? i.diagnostics : i.details?.text;
    if (typeof text === 'string' && text.trim()) return text.trim().slice(0, 200);
  }
  return null;
}

/**
 * What an EHR's answer to a request means. `body` is the parsed JSON (null when there was none
 * or it was not JSON). The reason of a refusal is the EHR's text, which could name the patient:
 * it is kept on the request row, never logged.
 */
export function readFhirAnswer(
  status: number,
  body: unknown,
  refuseStatuses: readonly string[],
): FhirVerdict {
  // 401 and 403 are Careloop's credentials, not the request: kept Requested until they are fixed.
  if (status === 401 || status === 403 || status === 408 || status === 429 || status >= 500) {
    return { kind: 'retry', reason: outcomeText(body) ?? `HTTP ${status}` };
  }
  if (status >= 400) return { kind: 'refused', reason: outcomeText(body) ?? `HTTP ${status}` };
  if (status !== 200 && status !== 201) return { kind: 'retry', reason: `HTTP ${status}` };
  if (typeof body !== 'object' || body === null) {
    // A create may answer without a body (Prefer: return=minimal): accepted, its id unknown.
    return { kind: 'accepted', id: null };
  }
  const resource = body as { resourceType?: unknown; id?: unknown; status?: unknown };
  if (resource.resourceType !== 'Appointment') {
    return { kind: 'retry', reason: 'the answer is not an Appointment' };
  }
  if (typeof resource.status === 'string' && refuseStatuses.includes(resource.status)) {
    return { kind: 'refused', reason: `Appointment ${resource.status}` };
  }
  const id =
    typeof resource.id === 'string' && /^[A-Za-z0-9\-.]{1,64}$/.test(resource.id)
      ? resource.id
      : null;
  return { kind: 'accepted', id };
}
