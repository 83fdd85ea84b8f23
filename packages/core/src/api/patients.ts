import { type Static, Type } from 'typebox';
import { Instant, IsoDate, ListQuery, Nullable, Page, Uuid } from './common.js';
import {
  AppointmentStatusSchema,
  ChannelSchema,
  DirectionSchema,
  EncounterClassSchema,
  PurposeSchema,
  SexSchema,
  StageSchema,
  TaskPrioritySchema,
  TaskStatusSchema,
  TeamSchema,
  TouchpointChannelSchema,
} from './enums.js';

const Name = Type.String({ minLength: 1, maxLength: 100 });
const OptionalText = (max: number) => Type.Optional(Nullable(Type.String({ maxLength: max })));

export const AddressInput = Type.Object({
  use: Type.Optional(
    Type.Union([Type.Literal('home'), Type.Literal('work'), Type.Literal('mailing')]),
  ),
  line1: Type.String({ minLength: 1, maxLength: 200 }),
  line2: OptionalText(200),
  city: Type.String({ minLength: 1, maxLength: 100 }),
  state: Type.String({ maxLength: 50 }),
  postalCode: Type.String({ maxLength: 20 }),
  country: Type.Optional(
    Type.String({ minLength: 2, maxLength: 2, description: 'ISO 3166 alpha-2; US when omitted' }),
  ),
});

export const ContactPointInput = Type.Object({
  system: Type.Union([Type.Literal('phone'), Type.Literal('email')]),
  value: Type.String({ minLength: 3, maxLength: 254 }),
  use: Type.Optional(
    Type.Union([Type.Literal('mobile'), Type.Literal('home'), Type.Literal('work')]),
  ),
});

export const IdentifierInput = Type.Object({
  system: Type.String({ minLength: 1, maxLength: 200 }),
  value: Type.String({ minLength: 1, maxLength: 100 }),
  type: Type.Optional(Type.String({ maxLength: 20, description: 'e.g. MR, MB, DL, SS' })),
  source: Type.Optional(Type.String({ maxLength: 100 })),
});

export const PatientCreate = Type.Object({
  givenName: Name,
  middleName: OptionalText(100),
  familyName: Name,
  preferredName: OptionalText(100),
  birthDate: IsoDate,
  administrativeSex: SexSchema,
  genderIdentity: OptionalText(100),
  preferredLanguage: Type.Optional(
    Type.String({ minLength: 2, maxLength: 35, description: 'BCP 47; en when omitted' }),
  ),
  preferredChannel: Type.Optional(ChannelSchema),
  timeZone: Type.Optional(Type.String({ maxLength: 64 })),
  addresses: Type.Optional(Type.Array(AddressInput, { maxItems: 10 })),
  contactPoints: Type.Optional(Type.Array(ContactPointInput, { maxItems: 20 })),
  identifiers: Type.Optional(Type.Array(IdentifierInput, { maxItems: 20 })),
  primaryLocationId: Type.Optional(Nullable(Uuid)),
  flags: Type.Optional(Type.Array(Type.String({ maxLength: 50 }), { maxItems: 20 })),
});

/** A partial update; arrays given replace the stored ones. */
export const PatientUpdate = Type.Partial(PatientCreate);

export const ConsentChange = Type.Object({
  channel: ChannelSchema,
  purpose: PurposeSchema,
  status: Type.Union([Type.Literal('granted'), Type.Literal('denied')]),
  reason: Type.Optional(Type.String({ maxLength: 500 })),
});

export const PreferencesUpdate = Type.Object({
  preferredChannel: Type.Optional(ChannelSchema),
  preferredLanguage: Type.Optional(Type.String({ minLength: 2, maxLength: 35 })),
  consents: Type.Optional(Type.Array(ConsentChange, { maxItems: 30 })),
});

export const PATIENT_SORTS = [
  'name',
  '-name',
  'birthDate',
  '-birthDate',
  'createdAt',
  '-createdAt',
] as const;

export const PatientListQuery = Type.Object({
  q: Type.Optional(Type.String({ maxLength: 200 })),
  sex: Type.Optional(SexSchema),
  locationId: Type.Optional(Uuid),
  language: Type.Optional(Type.String({ maxLength: 35 })),
  sort: Type.Optional(
    Type.Unsafe<(typeof PATIENT_SORTS)[number]>({ type: 'string', enum: [...PATIENT_SORTS] }),
  ),
  ...ListQuery,
});

/**
 * A row of the patient list. A restricted patient the caller may not open is listed by name
 * alone (`restricted: true`, every other detail null): enough for the front desk to find and
 * schedule them, nothing that tells who they are beyond what the searcher typed.
 */
export const PatientSummary = Type.Object({
  id: Uuid,
  givenName: Type.String(),
  familyName: Type.String(),
  restricted: Type.Boolean(),
  preferredName: Nullable(Type.String()),
  birthDate: Nullable(IsoDate),
  administrativeSex: Nullable(SexSchema),
  phone: Nullable(Type.String()),
  email: Nullable(Type.String()),
  mrn: Nullable(Type.String()),
  preferredLanguage: Nullable(Type.String()),
  preferredChannel: Nullable(ChannelSchema),
  primaryLocation: Nullable(Type.String()),
  createdAt: Instant,
});
/**
 * How many patients the list's search and filters find: counted exactly up to a threshold,
 * estimated by the query planner above it (`exact: false`, "about 120,000 patients").
 */
export const PatientTotal = Type.Object({
  count: Type.Integer({ minimum: 0 }),
  exact: Type.Boolean(),
});
export const PatientPage = Type.Object({
  items: Type.Array(PatientSummary),
  nextCursor: Nullable(Type.String()),
  /** On the first page only (no cursor); null on the pages after it. */
  total: Nullable(PatientTotal),
  /**
   * True when nothing began with the name searched for and these are the nearest spellings
   * (trigram similarity): "Kely Abdulah" finds Kelly Abdullah.
   */
  fuzzy: Type.Boolean(),
});

export const Address = Type.Object({
  id: Uuid,
  use: Type.String(),
  line1: Type.String(),
  line2: Nullable(Type.String()),
  city: Type.String(),
  state: Type.String(),
  postalCode: Type.String(),
  country: Type.String(),
});
export const ContactPoint = Type.Object({
  id: Uuid,
  system: Type.Union([Type.Literal('phone'), Type.Literal('email')]),
  value: Type.String({ description: 'E.164 for phones, lower-case for email' }),
  display: Type.String(),
  use: Type.String(),
  isPrimary: Type.Boolean(),
});
export const Identifier = Type.Object({
  id: Uuid,
  system: Type.String(),
  value: Type.String(),
  type: Nullable(Type.String()),
  source: Nullable(Type.String()),
});
export const Consent = Type.Object({
  channel: ChannelSchema,
  purpose: PurposeSchema,
  allowed: Type.Boolean(),
  explicit: Type.Boolean(),
  recordedAt: Nullable(Instant),
  source: Nullable(Type.String()),
});
export const Coverage = Type.Object({
  id: Uuid,
  payer: Type.String(),
  plan: Nullable(Type.String()),
  memberId: Nullable(
    Type.String({ description: 'null when the role may not read it (minimum necessary)' }),
  ),
  groupNumber: Nullable(Type.String()),
  priority: Type.Integer(),
  status: Type.String(),
  startDate: Nullable(IsoDate),
  endDate: Nullable(IsoDate),
});
export const Condition = Type.Object({
  id: Uuid,
  codeSystem: Type.String(),
  code: Type.String(),
  display: Type.String(),
  clinicalStatus: Type.String(),
  onsetDate: Nullable(IsoDate),
});
export const Encounter = Type.Object({
  id: Uuid,
  class: EncounterClassSchema,
  type: Type.String(),
  status: Type.String(),
  startAt: Instant,
  endAt: Nullable(Instant),
  location: Nullable(Type.String()),
  practitioner: Nullable(Type.String()),
});
export const Appointment = Type.Object({
  id: Uuid,
  status: AppointmentStatusSchema,
  service: Nullable(Type.String()),
  practitioner: Nullable(Type.String()),
  location: Nullable(Type.String()),
  startAt: Instant,
  endAt: Instant,
  telehealth: Type.Boolean(),
  reason: Nullable(Type.String()),
});
export const Task = Type.Object({
  id: Uuid,
  patientId: Nullable(Uuid),
  patientName: Nullable(Type.String()),
  title: Type.String({
    description:
      'The title; for roles that may not read clinical detail, the non-clinical title (docs/adr/0011)',
  }),
  description: Nullable(Type.String()),
  /** Null only before redaction, on a task no writer gave one (`taskFor` fills it). */
  nonClinicalTitle: Nullable(
    Type.String({
      description: 'What every role that reads the work queue sees as the title',
    }),
  ),
  assigneeId: Nullable(Uuid),
  assigneeName: Nullable(Type.String()),
  /** The team queue it sits in, if any (core/tasks/teams.ts); the 360 view leaves it out. */
  team: Type.Optional(Nullable(TeamSchema)),
  dueAt: Nullable(Instant),
  status: TaskStatusSchema,
  priority: TaskPrioritySchema,
  createdAt: Instant,
  completedAt: Nullable(Instant),
});
export const Note = Type.Object({
  id: Uuid,
  body: Type.String(),
  category: Type.String(),
  authorName: Type.String(),
  createdAt: Instant,
  updatedAt: Instant,
});
export const CareTeamMember = Type.Object({
  id: Uuid,
  name: Type.String(),
  role: Type.String(),
  practitionerId: Nullable(Uuid),
  since: Nullable(IsoDate),
});
export const Touchpoint = Type.Object({
  id: Uuid,
  occurredAt: Instant,
  channel: TouchpointChannelSchema,
  direction: DirectionSchema,
  type: Type.String(),
  stage: StageSchema,
  sourceSystem: Type.String(),
  outcome: Nullable(Type.String()),
  summary: Type.String(),
  subjectType: Nullable(Type.String()),
  subjectId: Nullable(Uuid),
});

export const PatientDemographics = Type.Object({
  id: Uuid,
  givenName: Type.String(),
  middleName: Nullable(Type.String()),
  familyName: Type.String(),
  preferredName: Nullable(Type.String()),
  birthDate: IsoDate,
  administrativeSex: SexSchema,
  genderIdentity: Nullable(Type.String()),
  preferredLanguage: Type.String(),
  preferredChannel: Nullable(ChannelSchema),
  timeZone: Nullable(Type.String()),
  deceasedAt: Nullable(Instant),
  primaryLocation: Nullable(Type.Object({ id: Uuid, name: Type.String() })),
  flags: Type.Array(Type.String()),
  status: Type.String(),
  createdAt: Instant,
  updatedAt: Instant,
});

/**
 * The 360 view, as the minimum-necessary policy lets the caller's role read it (docs/adr/0011):
 * sections it may not see (a marketer and clinical detail) are null, fields it may not read
 * (an appointment's reason, an insurance member id) are null, touchpoints carry their
 * non-clinical summary, and each is named in `redacted` (`conditions`, `appointments.reason`).
 */
export const Patient360 = Type.Object({
  patient: PatientDemographics,
  addresses: Type.Array(Address),
  contactPoints: Type.Array(ContactPoint),
  identifiers: Type.Array(Identifier),
  consents: Type.Array(Consent),
  coverage: Type.Array(Coverage),
  conditions: Nullable(Type.Array(Condition)),
  encounters: Nullable(Type.Array(Encounter)),
  appointments: Type.Object({ upcoming: Type.Array(Appointment), past: Type.Array(Appointment) }),
  openTasks: Nullable(Type.Array(Task)),
  notes: Nullable(Type.Array(Note)),
  careTeam: Type.Array(CareTeamMember),
  recentTouchpoints: Type.Array(Touchpoint),
  redacted: Type.Array(Type.String()),
});

export const TimelineQuery = Type.Object({
  channel: Type.Optional(TouchpointChannelSchema),
  stage: Type.Optional(StageSchema),
  ...ListQuery,
});
export const TimelinePage = Page(Touchpoint);

export const NoteCreate = Type.Object({
  body: Type.String({ minLength: 1, maxLength: 20_000 }),
  category: Type.Optional(Type.String({ maxLength: 50, description: 'general when omitted' })),
});
export const NoteUpdate = Type.Partial(NoteCreate);

/** A title every role that reads the work queue may see: no condition, result or reason. */
const NonClinicalTitle = Type.String({
  minLength: 1,
  maxLength: 200,
  description:
    'The title the front desk sees ("Call the patient back"); without it, a title written by a role that may read clinical detail shows as \'Care team task\' to those who may not',
});
export const TaskCreate = Type.Object({
  patientId: Type.Optional(Nullable(Uuid)),
  title: Type.String({ minLength: 1, maxLength: 200 }),
  nonClinicalTitle: Type.Optional(Nullable(NonClinicalTitle)),
  description: OptionalText(5000),
  assigneeId: Type.Optional(Nullable(Uuid)),
  team: Type.Optional(Nullable(TeamSchema)),
  dueAt: Type.Optional(Nullable(Instant)),
  priority: Type.Optional(TaskPrioritySchema),
});
export const TaskUpdate = Type.Partial(
  Type.Object({
    title: Type.String({ minLength: 1, maxLength: 200 }),
    nonClinicalTitle: Nullable(NonClinicalTitle),
    description: Nullable(Type.String({ maxLength: 5000 })),
    assigneeId: Nullable(Uuid),
    team: Nullable(TeamSchema),
    dueAt: Nullable(Instant),
    priority: TaskPrioritySchema,
    status: TaskStatusSchema,
  }),
);
export const TaskListQuery = Type.Object({
  status: Type.Optional(TaskStatusSchema),
  assigneeId: Type.Optional(Uuid),
  patientId: Type.Optional(Uuid),
  mine: Type.Optional(Type.Boolean()),
  team: Type.Optional(TeamSchema),
  myTeams: Type.Optional(
    Type.Boolean({ description: "true: the queues of the caller's teams (by role)" }),
  ),
  sort: Type.Optional(
    Type.Unsafe<'dueAt' | '-dueAt' | 'priority' | 'createdAt' | '-createdAt'>({
      type: 'string',
      enum: ['dueAt', '-dueAt', 'priority', 'createdAt', '-createdAt'],
    }),
  ),
  ...ListQuery,
});
export const TaskPage = Page(Task);

export type PatientCreate = Static<typeof PatientCreate>;
export type PatientUpdate = Static<typeof PatientUpdate>;
export type PatientListQuery = Static<typeof PatientListQuery>;
export type PatientTotal = Static<typeof PatientTotal>;
export type PatientPage = Static<typeof PatientPage>;
export type PatientSummary = Static<typeof PatientSummary>;
export type Patient360 = Static<typeof Patient360>;
export type Touchpoint = Static<typeof Touchpoint>;
export type TimelineQuery = Static<typeof TimelineQuery>;
export type NoteCreate = Static<typeof NoteCreate>;
export type Note = Static<typeof Note>;
export type TaskCreate = Static<typeof TaskCreate>;
export type TaskUpdate = Static<typeof TaskUpdate>;
export type Task = Static<typeof Task>;
export type TaskListQuery = Static<typeof TaskListQuery>;
export type Appointment = Static<typeof Appointment>;
export type Condition = Static<typeof Condition>;
export type Encounter = Static<typeof Encounter>;
export type NoteUpdate = Static<typeof NoteUpdate>;
export type Coverage = Static<typeof Coverage>;
export type Consent = Static<typeof Consent>;
export type PreferencesUpdate = Static<typeof PreferencesUpdate>;
