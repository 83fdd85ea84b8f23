import { type Static, Type } from 'typebox';
import { Instant, IsoDate, Nullable, Uuid } from '../api/common.js';
import {
  OFFER_MODES,
  OFFER_STATUSES,
  WAITLIST_KINDS,
  WAITLIST_PRIORITIES,
  WAITLIST_STATUSES,
} from './waitlist.js';

const literals = <const T extends readonly string[]>(values: T) =>
  Type.Unsafe<T[number]>({ type: 'string', enum: [...values] });

const WallTime = Type.String({ pattern: '^([01]\\d|2[0-3]):[0-5]\\d$|^24:00$' });

export const WaitlistAvailability = Type.Object(
  {
    weekly: Type.Array(
      Type.Object(
        {
          weekday: Type.Integer({ minimum: 0, maximum: 6, description: '0 = Sunday' }),
          start: WallTime,
          end: WallTime,
        },
        { additionalProperties: false },
      ),
      { maxItems: 21 },
    ),
    dates: Type.Array(IsoDate, { maxItems: 31 }),
  },
  {
    additionalProperties: false,
    description: "When the patient can come, on the location's clock; both empty: any time",
  },
);

/** A staff member puts a patient on the waitlist. */
export const WaitlistEntryCreate = Type.Object(
  {
    patientId: Uuid,
    serviceId: Uuid,
    practitionerId: Type.Optional(Uuid),
    locationId: Type.Optional(Uuid),
    availability: WaitlistAvailability,
    bookBefore: Type.Optional(IsoDate),
    priority: Type.Optional(literals(WAITLIST_PRIORITIES)),
  },
  { additionalProperties: false },
);

/** A patient joins the waitlist from the portal. */
export const PortalWaitlistJoin = Type.Object(
  {
    serviceId: Uuid,
    practitionerId: Type.Optional(Uuid),
    locationId: Type.Optional(Uuid),
    availability: WaitlistAvailability,
    bookBefore: Type.Optional(IsoDate),
  },
  { additionalProperties: false },
);

export const WaitlistAvailabilityUpdate = Type.Object(
  { availability: WaitlistAvailability },
  { additionalProperties: false },
);

export const WaitlistEntryUpdate = Type.Object(
  {
    priority: Type.Optional(literals(WAITLIST_PRIORITIES)),
    /** `removed`: off the waitlist (their pending offers are withdrawn). */
    status: Type.Optional(literals(['removed'] as const)),
  },
  { additionalProperties: false },
);

/** A follow-up due N months after a visit: the patient is asked when they can come. */
export const FollowUpCreate = Type.Object(
  { appointmentId: Uuid, months: Type.Integer({ minimum: 1, maximum: 24 }) },
  { additionalProperties: false },
);

export const WaitlistOffer = Type.Object({
  id: Uuid,
  entryId: Uuid,
  patientId: Uuid,
  status: literals(OFFER_STATUSES),
  start: Instant,
  end: Instant,
  serviceName: Type.String(),
  practitionerName: Nullable(Type.String()),
  locationName: Nullable(Type.String()),
  sentAt: Instant,
  expiresAt: Instant,
  answeredAt: Nullable(Instant),
  appointmentId: Nullable(Uuid),
});

export const WaitlistEntry = Type.Object({
  id: Uuid,
  patientId: Uuid,
  /** Null for roles that may not see names. */
  patientName: Nullable(Type.String()),
  kind: literals(WAITLIST_KINDS),
  status: literals(WAITLIST_STATUSES),
  priority: literals(WAITLIST_PRIORITIES),
  serviceId: Uuid,
  serviceName: Type.String(),
  practitionerId: Nullable(Uuid),
  locationId: Nullable(Uuid),
  /** Null: a follow-up whose patient has not said when they can come. */
  availability: Nullable(WaitlistAvailability),
  earliest: Nullable(IsoDate),
  bookBefore: Nullable(IsoDate),
  joinedAt: Instant,
  appointmentId: Nullable(Uuid),
  offers: Type.Array(WaitlistOffer),
});

export const WaitlistQuery = Type.Object(
  {
    status: Type.Optional(literals(WAITLIST_STATUSES)),
    kind: Type.Optional(literals(WAITLIST_KINDS)),
    /** Follow-ups the patient has not answered for this many days or more (the work queue). */
    unansweredDays: Type.Optional(Type.Integer({ minimum: 0, maximum: 365 })),
  },
  { additionalProperties: false },
);
export const WaitlistList = Type.Object({ items: Type.Array(WaitlistEntry) });
/** The portal's view: the patient's entries, and the services they may join a waitlist for. */
export const PortalWaitlist = Type.Object({
  items: Type.Array(WaitlistEntry),
  services: Type.Array(Type.Object({ id: Uuid, name: Type.String() })),
});

export const WaitlistSettings = Type.Object({
  mode: literals(OFFER_MODES),
  /** How long an offer (and its hold) lasts. */
  holdMinutes: Type.Integer({ minimum: 5, maximum: 1440 }),
  /** In broadcast mode, how many patients one slot is offered to at once. */
  broadcastSize: Type.Integer({ minimum: 2, maximum: 20 }),
});
export const WaitlistSettingsUpdate = Type.Partial(WaitlistSettings, {
  additionalProperties: false,
});

export const RecoveryWeek = Type.Object({
  /** Monday of the week (UTC). */
  week: IsoDate,
  sent: Type.Integer(),
  accepted: Type.Integer(),
  declined: Type.Integer(),
  expired: Type.Integer(),
  /** Freed slots booked again through an offer. */
  recovered: Type.Integer(),
});
export const RecoveryQuery = Type.Object(
  { from: IsoDate, to: IsoDate },
  { additionalProperties: false },
);
export const RecoveryReport = Type.Object({
  weeks: Type.Array(RecoveryWeek),
  waiting: Type.Integer(),
  pending: Type.Integer(),
});

/** An offer as its accept link shows it: no name, no service (a link may be forwarded). */
export const OfferLinkView = Type.Object({
  status: literals(OFFER_STATUSES),
  start: Instant,
  end: Instant,
  practitionerName: Nullable(Type.String()),
  locationName: Nullable(Type.String()),
  expiresAt: Instant,
});
export const OfferTokenParams = Type.Object({
  token: Type.String({ pattern: '^[A-Za-z0-9_-]{43}$' }),
});
export const OfferAccepted = Type.Object({
  offerId: Uuid,
  appointmentId: Uuid,
  start: Instant,
  end: Instant,
});

export type WaitlistAvailability = Static<typeof WaitlistAvailability>;
export type WaitlistEntryCreate = Static<typeof WaitlistEntryCreate>;
export type PortalWaitlistJoin = Static<typeof PortalWaitlistJoin>;
export type WaitlistEntryUpdate = Static<typeof WaitlistEntryUpdate>;
export type FollowUpCreate = Static<typeof FollowUpCreate>;
export type WaitlistOffer = Static<typeof WaitlistOffer>;
export type WaitlistEntry = Static<typeof WaitlistEntry>;
export type WaitlistQuery = Static<typeof WaitlistQuery>;
export type PortalWaitlist = Static<typeof PortalWaitlist>;
export type WaitlistSettings = Static<typeof WaitlistSettings>;
export type WaitlistSettingsUpdate = Static<typeof WaitlistSettingsUpdate>;
export type RecoveryWeek = Static<typeof RecoveryWeek>;
export type RecoveryQuery = Static<typeof RecoveryQuery>;
export type RecoveryReport = Static<typeof RecoveryReport>;
export type OfferLinkView = Static<typeof OfferLinkView>;
export type OfferAccepted = Static<typeof OfferAccepted>;
