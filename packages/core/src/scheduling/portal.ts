import { type Static, Type } from 'typebox';
import { Instant, Nullable, Uuid } from '../api/common.js';
import type { PatientRule } from './api.js';
import { MODALITIES, ScheduledAppointment } from './api.js';

const literals = <const T extends readonly string[]>(values: T) =>
  Type.Unsafe<T[number]>({ type: 'string', enum: [...values] });

/** What the portal's booking steps choose from: services, places and practitioners by name. */
export const PortalBookingOptions = Type.Object({
  services: Type.Array(
    Type.Object({
      id: Uuid,
      name: Type.String(),
      durationMinutes: Type.Integer(),
      modality: literals(MODALITIES),
      practitionerIds: Type.Array(Uuid),
      locationIds: Type.Array(Uuid),
    }),
  ),
  locations: Type.Array(Type.Object({ id: Uuid, name: Type.String(), timeZone: Type.String() })),
  practitioners: Type.Array(Type.Object({ id: Uuid, name: Type.String() })),
});

/** A portal booking: always for the signed-in patient, so no patientId. */
export const PortalAppointmentBook = Type.Object(
  {
    serviceId: Uuid,
    practitionerId: Uuid,
    locationId: Uuid,
    start: Instant,
  },
  { additionalProperties: false },
);

/** What a patient may do to their own appointment: move it or cancel it. */
export const PortalAppointmentChange = Type.Object(
  {
    action: literals(['reschedule', 'cancel'] as const),
    start: Type.Optional(Instant),
    practitionerId: Type.Optional(Uuid),
    reason: Type.Optional(Type.String({ minLength: 1, maxLength: 500 })),
  },
  { additionalProperties: false },
);

/** A patient's own appointment, with what the portal can do about it now. */
export const PortalAppointment = Type.Object({
  ...ScheduledAppointment.properties,
  /** Past this instant (the cancellation policy's window) the portal may not cancel or move it. */
  changeableUntil: Nullable(Instant),
});
export const PortalAppointments = Type.Object({
  upcoming: Type.Array(PortalAppointment),
  past: Type.Array(PortalAppointment),
  lateCancelHours: Type.Integer(),
});

export type PortalBookingOptions = Static<typeof PortalBookingOptions>;
export type PortalAppointmentBook = Static<typeof PortalAppointmentBook>;
export type PortalAppointmentChange = Static<typeof PortalAppointmentChange>;
export type PortalAppointment = Static<typeof PortalAppointment>;
export type PortalAppointments = Static<typeof PortalAppointments>;

/**
 * Whether a patient may book a service themself under its new-vs-established rule: a "new
 * patient" visit only before their first visit with the organization, an "established" one only
 * after it. `visits` counts the patient's attended visits (arrived or fulfilled).
 */
export function mayBookUnderRule(rule: PatientRule, visits: number): boolean {
  switch (rule) {
    case 'any':
      return true;
    case 'new':
      return visits === 0;
    case 'established':
      return visits > 0;
  }
}

/**
 * The last instant a patient may still cancel or move an appointment themself: its start less
 * the organization's late-cancel window. Staff may change it later (the patient calls).
 */
export function selfServiceDeadline(start: number, lateCancelHours: number): number {
  return start - lateCancelHours * 3_600_000;
}
