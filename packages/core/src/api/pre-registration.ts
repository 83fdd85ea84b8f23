import { type Static, Type } from 'typebox';
import { Instant, Nullable, Uuid } from './common.js';
import { SUBSCRIBER_RELATIONSHIPS, type SubscriberRelationship } from './coverage.js';
import { ChannelSchema, SexSchema } from './enums.js';
import { AttachmentUpload } from './inbox.js';
import { ConsentChange } from './patients.js';

const Text = (max: number) => Type.String({ maxLength: max });
const Relationship = Type.Unsafe<SubscriberRelationship>({
  type: 'string',
  enum: [...SUBSCRIBER_RELATIONSHIPS],
});

/** The sides of an insurance card a patient photographs. */
export const CARD_SIDES = ['front', 'back'] as const;
export type CardSide = (typeof CARD_SIDES)[number];
export const CardSideSchema = Type.Unsafe<CardSide>({ type: 'string', enum: [...CARD_SIDES] });

/**
 * What a patient fills in before a visit (issue 13). Required text fields accept an empty string
 * at the schema level so that core's `preRegistrationErrors` names each missing one, in the
 * patient's language in the portal and as a per-field problem from the server.
 */
export const PreRegistrationInput = Type.Object({
  /** The visit it was filled in for; none when started from the portal's home. */
  appointmentId: Type.Optional(Nullable(Uuid)),
  demographics: Type.Object({
    givenName: Text(100),
    middleName: Type.Optional(Text(100)),
    familyName: Text(100),
    preferredName: Type.Optional(Text(100)),
    birthDate: Type.String({ maxLength: 10 }),
    administrativeSex: SexSchema,
    genderIdentity: Type.Optional(Text(100)),
  }),
  address: Type.Object({
    line1: Text(200),
    line2: Type.Optional(Text(200)),
    city: Text(100),
    state: Text(50),
    postalCode: Text(20),
    country: Type.Optional(Type.String({ minLength: 2, maxLength: 2 })),
  }),
  phone: Type.Optional(Text(40)),
  emergencyContact: Type.Object({
    name: Text(200),
    relationship: Text(100),
    phone: Text(40),
  }),
  /** Null: no insurance (self-pay). */
  insurance: Nullable(
    Type.Object({
      payer: Text(200),
      plan: Type.Optional(Text(200)),
      memberId: Text(100),
      groupNumber: Type.Optional(Text(100)),
      subscriberRelationship: Relationship,
      /** The policy holder, when not the patient. */
      subscriberName: Type.Optional(Text(200)),
      subscriberBirthDate: Type.Optional(Type.String({ maxLength: 10 })),
      cardFront: Type.Optional(AttachmentUpload),
      cardBack: Type.Optional(AttachmentUpload),
    }),
  ),
  consents: Type.Object({
    /** Consent to treatment: required before a visit. */
    treatment: Type.Boolean(),
    /** The notice of privacy practices was received: required. */
    privacyNotice: Type.Boolean(),
  }),
  preferences: Type.Object({
    preferredChannel: ChannelSchema,
    preferredLanguage: Type.String({ minLength: 2, maxLength: 35 }),
    communication: Type.Array(ConsentChange, { maxItems: 30 }),
  }),
});
export type PreRegistrationInput = Static<typeof PreRegistrationInput>;

export const PRE_REGISTRATION_STATES = ['not-started', 'done'] as const;
export type PreRegistrationStateName = (typeof PRE_REGISTRATION_STATES)[number];

/** An appointment's pre-registration: done (with when) or not started. */
export const AppointmentPreRegistration = Type.Object({
  appointmentId: Uuid,
  state: Type.Unsafe<PreRegistrationStateName>({
    type: 'string',
    enum: [...PRE_REGISTRATION_STATES],
  }),
  submittedAt: Nullable(Instant),
});
export type AppointmentPreRegistration = Static<typeof AppointmentPreRegistration>;

/** The patient's own pre-registration, as the portal shows it. */
export const PortalPreRegistration = Type.Object({
  latest: Nullable(
    Type.Object({
      id: Uuid,
      submittedAt: Instant,
      appointmentId: Nullable(Uuid),
    }),
  ),
  /** Each upcoming appointment's state. */
  appointments: Type.Array(AppointmentPreRegistration),
});
export type PortalPreRegistration = Static<typeof PortalPreRegistration>;

export const PreRegistrationSubmitted = Type.Object({
  id: Uuid,
  submittedAt: Instant,
  appointmentId: Nullable(Uuid),
  coverageId: Nullable(Uuid),
});
export type PreRegistrationSubmitted = Static<typeof PreRegistrationSubmitted>;

/** Up to 500 appointment ids, comma-separated: the calendar's visible window. */
export const PreRegistrationStatesQuery = Type.Object({
  appointmentIds: Type.String({ minLength: 36, maxLength: 500 * 37 }),
});
export const PreRegistrationStates = Type.Object({
  items: Type.Array(AppointmentPreRegistration),
});
export type PreRegistrationStates = Static<typeof PreRegistrationStates>;

/**
 * The latest pre-registration as staff open it from the 360 page. The emergency contact is
 * null for a role that may not read it (FIELD_POLICY `preRegistration.emergencyContact`).
 */
export const StaffPreRegistration = Type.Object({
  latest: Nullable(
    Type.Object({
      id: Uuid,
      submittedAt: Instant,
      appointmentId: Nullable(Uuid),
      coverageId: Nullable(Uuid),
      treatmentConsent: Type.Boolean(),
      privacyNotice: Type.Boolean(),
      emergencyContact: Nullable(
        Type.Object({ name: Type.String(), relationship: Type.String(), phone: Type.String() }),
      ),
    }),
  ),
});
export type StaffPreRegistration = Static<typeof StaffPreRegistration>;

export const CoverageCardParams = Type.Object({
  id: Uuid,
  coverageId: Uuid,
  side: CardSideSchema,
});
