import { type Static, Type } from 'typebox';
import { Instant, IsoDate, Nullable, Uuid } from '../api/common.js';
import { AppointmentStatusSchema } from '../api/enums.js';

const literals = <const T extends readonly string[]>(values: T) =>
  Type.Unsafe<T[number]>({ type: 'string', enum: [...values] });

export const MODALITIES = ['in-person', 'telehealth'] as const;
export type Modality = (typeof MODALITIES)[number];
/** Who a service may be booked for: anyone, patients new to the practice, or established ones. */
export const PATIENT_RULES = ['any', 'new', 'established'] as const;
export type PatientRule = (typeof PATIENT_RULES)[number];

const WallTimeSchema = Type.String({ pattern: '^([01]\\d|2[0-3]):[0-5]\\d$|^24:00$' });

/** A service (visit type): what a patient is booked for, how long it takes, who gives it where. */
export const BookableService = Type.Object({
  id: Uuid,
  name: Type.String(),
  durationMinutes: Type.Integer(),
  bufferMinutes: Type.Integer(),
  modality: literals(MODALITIES),
  patientRule: literals(PATIENT_RULES),
  /** Empty: any practitioner / any location. */
  practitionerIds: Type.Array(Uuid),
  locationIds: Type.Array(Uuid),
  active: Type.Boolean(),
});
export const BookableServiceCreate = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200 }),
    durationMinutes: Type.Integer({ minimum: 5, maximum: 480 }),
    bufferMinutes: Type.Optional(Type.Integer({ minimum: 0, maximum: 120 })),
    modality: literals(MODALITIES),
    patientRule: Type.Optional(literals(PATIENT_RULES)),
    practitionerIds: Type.Optional(Type.Array(Uuid, { maxItems: 500 })),
    locationIds: Type.Optional(Type.Array(Uuid, { maxItems: 500 })),
  },
  { additionalProperties: false },
);

/** Weekly hours or a weekly break of one practitioner at one location, in its wall-clock time. */
export const AvailabilityRule = Type.Object({
  id: Uuid,
  practitionerId: Uuid,
  locationId: Uuid,
  weekday: Type.Integer({ minimum: 0, maximum: 6, description: '0 = Sunday' }),
  kind: literals(['hours', 'break'] as const),
  start: WallTimeSchema,
  end: WallTimeSchema,
  validFrom: Nullable(IsoDate),
  validUntil: Nullable(IsoDate),
});
export const AvailabilityRuleCreate = Type.Object(
  {
    practitionerId: Uuid,
    locationId: Uuid,
    weekday: Type.Integer({ minimum: 0, maximum: 6, description: '0 = Sunday' }),
    kind: Type.Optional(literals(['hours', 'break'] as const)),
    start: WallTimeSchema,
    end: WallTimeSchema,
    validFrom: Type.Optional(Nullable(IsoDate)),
    validUntil: Type.Optional(Nullable(IsoDate)),
  },
  { additionalProperties: false },
);

/** A date off the weekly pattern: a holiday (no practitioner: the whole location) or other hours. */
export const AvailabilityExceptionCreate = Type.Object(
  {
    practitionerId: Type.Optional(Nullable(Uuid)),
    locationId: Type.Optional(Nullable(Uuid)),
    date: IsoDate,
    /** Null or omitted: closed all day. */
    hours: Type.Optional(
      Nullable(
        Type.Array(Type.Object({ start: WallTimeSchema, end: WallTimeSchema }), { maxItems: 8 }),
      ),
    ),
    note: Type.Optional(Type.String({ maxLength: 200 })),
  },
  { additionalProperties: false },
);

export const AvailabilityQuery = Type.Object(
  {
    service: Uuid,
    location: Type.Optional(Uuid),
    practitioner: Type.Optional(Uuid),
    from: Instant,
    to: Instant,
    modality: Type.Optional(literals(MODALITIES)),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 100 })),
  },
  { additionalProperties: false },
);

export const AvailableSlot = Type.Object({
  start: Instant,
  end: Instant,
  practitionerId: Uuid,
  locationId: Uuid,
  serviceId: Uuid,
});
export const Availability = Type.Object({ slots: Type.Array(AvailableSlot) });

export const AppointmentBook = Type.Object(
  {
    patientId: Uuid,
    serviceId: Uuid,
    practitionerId: Uuid,
    locationId: Uuid,
    start: Instant,
    /** Telehealth when the service allows both; else the service's modality. */
    modality: Type.Optional(literals(MODALITIES)),
    reason: Type.Optional(Type.String({ maxLength: 500 })),
  },
  { additionalProperties: false },
);

export const APPOINTMENT_CHANGE_ACTIONS = [
  'reschedule',
  'cancel',
  'check-in',
  'complete',
  'no-show',
] as const;

export const AppointmentChange = Type.Object(
  {
    action: literals(APPOINTMENT_CHANGE_ACTIONS),
    /** For `reschedule`: the new start, and optionally another practitioner or location. */
    start: Type.Optional(Instant),
    practitionerId: Type.Optional(Uuid),
    locationId: Type.Optional(Uuid),
    /** Required for `cancel`. */
    reason: Type.Optional(Type.String({ minLength: 1, maxLength: 500 })),
  },
  { additionalProperties: false },
);

/** An appointment as the scheduling screens show it. */
export const ScheduledAppointment = Type.Object({
  id: Uuid,
  patientId: Uuid,
  /** Null for roles that may not see who is booked (marketing, analytics). */
  patientName: Nullable(Type.String()),
  status: AppointmentStatusSchema,
  serviceId: Nullable(Uuid),
  serviceName: Nullable(Type.String()),
  practitionerId: Nullable(Uuid),
  practitionerName: Nullable(Type.String()),
  locationId: Nullable(Uuid),
  locationName: Nullable(Type.String()),
  start: Instant,
  end: Instant,
  telehealth: Type.Boolean(),
  joinLink: Nullable(Type.String()),
  cancelReason: Nullable(Type.String()),
  lateCancel: Type.Boolean(),
});

export const CalendarQuery = Type.Object(
  {
    from: Instant,
    to: Instant,
    practitioner: Type.Optional(Uuid),
    location: Type.Optional(Uuid),
  },
  { additionalProperties: false },
);
export const Calendar = Type.Object({ appointments: Type.Array(ScheduledAppointment) });

/**
 * Who owns the schedule (issue 13): Careloop (its availability rules, booked in its database)
 * or the EHR (its imported free slots; a booking is a request the EHR accepts or refuses).
 */
export const SCHEDULE_MODES = ['careloop', 'ehr'] as const;
export type ScheduleMode = (typeof SCHEDULE_MODES)[number];

export const SchedulingSettings = Type.Object({
  /** `https://meet.example.org/{token}`: each telehealth visit's join link; null: none. */
  telehealthUrlTemplate: Nullable(Type.String()),
  lateCancelHours: Type.Integer(),
  /** Issue 13: who owns the schedule. */
  scheduleMode: literals(SCHEDULE_MODES),
});
export const SchedulingSettingsUpdate = Type.Object(
  {
    telehealthUrlTemplate: Type.Optional(
      Nullable(Type.String({ maxLength: 500, pattern: '^https://.*\\{token\\}' })),
    ),
    lateCancelHours: Type.Optional(Type.Integer({ minimum: 0, maximum: 720 })),
    scheduleMode: Type.Optional(literals(SCHEDULE_MODES)),
  },
  { additionalProperties: false },
);

/** The 409 of a booking whose slot was taken: the next open slots instead. */
export const SlotTakenProblem = Type.Object({
  status: Type.Integer(),
  code: Type.String(),
  message: Type.String(),
  path: Type.Optional(Type.String()),
  /** Present with `code: "slot_taken"`. */
  alternatives: Type.Optional(Type.Array(AvailableSlot)),
});

/**
 * Issue 10.3: a booking's request headers. The same `Idempotency-Key` with the same body books
 * once: a retry or a double click answers the first booking (with `idempotent-replayed: true`).
 */
export const IdempotencyHeaders = Type.Object({
  'idempotency-key': Type.Optional(
    Type.String({
      minLength: 1,
      maxLength: 200,
      pattern: '^[\\x21-\\x7e]+$',
      description: 'The same key and body book once: a retry answers the first booking',
    }),
  ),
});

/** Weekly hours of one practitioner or one location. */
export const AvailabilityRuleQuery = Type.Object(
  {
    practitioner: Type.Optional(Uuid),
    location: Type.Optional(Uuid),
  },
  { additionalProperties: false },
);
export const AvailabilityExceptionCreated = Type.Object({ id: Type.String() });

export type BookableService = Static<typeof BookableService>;
export type BookableServiceCreate = Static<typeof BookableServiceCreate>;
export type AvailabilityRule = Static<typeof AvailabilityRule>;
export type AvailabilityRuleCreate = Static<typeof AvailabilityRuleCreate>;
export type AvailabilityExceptionCreate = Static<typeof AvailabilityExceptionCreate>;
export type AvailabilityQuery = Static<typeof AvailabilityQuery>;
export type AvailableSlot = Static<typeof AvailableSlot>;
export type AppointmentBook = Static<typeof AppointmentBook>;
export type AppointmentChange = Static<typeof AppointmentChange>;
export type ScheduledAppointment = Static<typeof ScheduledAppointment>;
export type CalendarQuery = Static<typeof CalendarQuery>;
export type SchedulingSettings = Static<typeof SchedulingSettings>;
export type SchedulingSettingsUpdate = Static<typeof SchedulingSettingsUpdate>;
export type AvailabilityRuleQuery = Static<typeof AvailabilityRuleQuery>;
