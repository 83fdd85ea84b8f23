import { type Static, Type } from 'typebox';
import { IsoDate, Uuid } from './common.js';
import { SexSchema } from './enums.js';
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

/**
 * A patient signing up in the portal. The clinic publishes its sign-up link with its
 * organization id. A new golden record is created for the person; when they resemble an
 * existing patient, staff review the pair (identity checked) before the records are merged, so
 * that typing someone's name and birth date never opens their chart.
 */
export const PortalRegistration = Type.Object({
  organizationId: Uuid,
  givenName: Type.String({ minLength: 1, maxLength: 100 }),
  familyName: Type.String({ minLength: 1, maxLength: 100 }),
  birthDate: IsoDate,
  administrativeSex: Type.Optional(SexSchema),
  email: Type.String({ minLength: 3, maxLength: 254 }),
  phone: Type.Optional(Type.String({ minLength: 3, maxLength: 40 })),
  password: Type.String({ minLength: 12, maxLength: 1024 }),
  /** The portal's language when signing up: the verification email's, and the patient's. */
  language: Type.Optional(Type.Union([Type.Literal('en'), Type.Literal('es')])),
});

export type PortalRegistration = Static<typeof PortalRegistration>;

/**
 * The answer to every accepted sign-up, whether the email was new or already had an account, so
 * that the sign-up form tells nobody which emails have accounts. The client then signs in.
 */
export const PortalRegistrationReceived = Type.Object({ message: Type.String() });

export type PortalRegistrationReceived = Static<typeof PortalRegistrationReceived>;

/** The token of an email verification link (`/portal/verify-email?token=…`). */
export const EmailVerificationConfirm = Type.Object({
  token: Type.String({ minLength: 1, maxLength: 200 }),
});
export type EmailVerificationConfirm = Static<typeof EmailVerificationConfirm>;

/** The answer to a verification or a resend request. */
export const EmailVerificationAnswer = Type.Object({ message: Type.String() });
export type EmailVerificationAnswer = Static<typeof EmailVerificationAnswer>;
