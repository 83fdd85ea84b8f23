import { type Static, Type } from 'typebox';
import { Address, Appointment, Consent, ContactPoint, PatientDemographics } from './patients.js';

/** What a patient sees of their own record in the portal. */
export const PortalProfile = Type.Object({
  patient: PatientDemographics,
  addresses: Type.Array(Address),
  contactPoints: Type.Array(ContactPoint),
  consents: Type.Array(Consent),
  upcomingAppointments: Type.Array(Appointment),
});

export type PortalProfile = Static<typeof PortalProfile>;
