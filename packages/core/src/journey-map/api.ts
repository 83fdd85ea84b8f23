import { type Static, Type } from 'typebox';
import { Instant, IsoDate, Nullable, Uuid } from '../api/common.js';
import { AGE_BANDS } from './filters.js';

const Count = Nullable(Type.Integer({ minimum: 0 }));
const Days = Nullable(Type.Number());

export const JourneyMapStageSchema = Type.Object({
  key: Type.String({ pattern: '^[a-z][a-z0-9-]{0,39}$' }),
  label: Type.String({ minLength: 1, maxLength: 80 }),
});

export const StageMappingRuleSchema = Type.Object({
  type: Type.Optional(
    Type.String({ minLength: 1, maxLength: 80, pattern: '^[a-z0-9_.-]+(\\.\\*)?$' }),
  ),
  channel: Type.Optional(Type.String({ minLength: 1, maxLength: 40 })),
  writerStage: Type.Optional(Type.String({ minLength: 1, maxLength: 40 })),
  stage: Type.String({ minLength: 1, maxLength: 40 }),
});

export const JourneyStepSchema = Type.Object({
  key: Type.String({ pattern: '^[a-z][a-z0-9-]{0,39}$' }),
  label: Type.String({ minLength: 1, maxLength: 80 }),
  types: Type.Array(Type.String({ minLength: 1, maxLength: 80 }), { maxItems: 20 }),
  targetDays: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 3650 })),
});

export const JourneyPathDefinitionSchema = Type.Object({
  key: Type.String({ pattern: '^[a-z][a-z0-9-]{0,39}$' }),
  name: Type.String({ minLength: 1, maxLength: 80 }),
  steps: Type.Array(JourneyStepSchema, { maxItems: 12 }),
  dropAfterDays: Type.Number({ exclusiveMinimum: 0, maximum: 3650 }),
});

/** `GET`/`PUT /api/journey-map/settings`: the organization's stages, mapping and definitions. */
export const JourneyMapSettings = Type.Object({
  stages: Type.Array(JourneyMapStageSchema, { maxItems: 20 }),
  mapping: Type.Array(StageMappingRuleSchema, { maxItems: 200 }),
  definitions: Type.Array(JourneyPathDefinitionSchema, { maxItems: 20 }),
  suppressionThreshold: Type.Integer({ minimum: 1, maximum: 100 }),
});

export const AgeBandSchema = Type.Unsafe<(typeof AGE_BANDS)[number]>({
  type: 'string',
  enum: [...AGE_BANDS],
});

/** The cohort of the journey map; the same fields are the shareable URL's query string. */
export const JourneyMapQuery = Type.Object({
  from: IsoDate,
  to: IsoDate,
  locationId: Type.Optional(Uuid),
  practitionerId: Type.Optional(Uuid),
  serviceLineId: Type.Optional(Uuid),
  payer: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
  ageBand: Type.Optional(AgeBandSchema),
  condition: Type.Optional(
    Type.String({
      minLength: 1,
      maxLength: 40,
      description: 'a condition code (clinical roles only)',
    }),
  ),
  /** A saved list (roles that may read lists): its members only. */
  listId: Type.Optional(Uuid),
  definition: Type.Optional(Type.String({ pattern: '^[a-z][a-z0-9-]{0,39}$' })),
});

export const PAIN_POINT_KINDS = [
  'drop-off',
  'wait',
  'no-show',
  'repeated-contact',
  'negative-feedback',
] as const;
export type PainPointKind = (typeof PAIN_POINT_KINDS)[number];

export const PainPointKindSchema = Type.Unsafe<PainPointKind>({
  type: 'string',
  enum: [...PAIN_POINT_KINDS],
});

export const PainPoint = Type.Object({
  kind: PainPointKindSchema,
  label: Type.String(),
  /** Patients behind it (null when suppressed). */
  patients: Count,
  /** A rate (drop-off) or days (wait); null when suppressed or not applicable. */
  measure: Nullable(Type.Number()),
  unit: Type.Union([Type.Literal('rate'), Type.Literal('days'), Type.Literal('patients')]),
  /** What the drill-down asks for: a step key (drop-off) or `from>to` stages (wait). */
  detail: Nullable(Type.String()),
});

export const JourneyMap = Type.Object({
  asOf: Instant,
  threshold: Type.Integer(),
  /** Small cells are hidden for this reader (roles without clinical access). */
  suppressed: Type.Boolean(),
  /** Whether this reader may drill down to named patients. */
  mayDrillDown: Type.Boolean(),
  patients: Count,
  touchpoints: Count,
  stages: Type.Array(JourneyMapStageSchema),
  sankey: Type.Object({
    nodes: Type.Array(
      Type.Object({ id: Type.String(), stage: Type.String(), position: Type.Integer() }),
    ),
    links: Type.Array(
      Type.Object({ source: Type.String(), target: Type.String(), patients: Count }),
    ),
  }),
  transitions: Type.Array(
    Type.Object({
      from: Type.String(),
      to: Type.String(),
      patients: Count,
      medianDays: Days,
      p90Days: Days,
    }),
  ),
  channelMix: Type.Array(
    Type.Object({
      stage: Type.String(),
      total: Count,
      channels: Type.Array(Type.Object({ channel: Type.String(), count: Count })),
    }),
  ),
  funnel: Nullable(
    Type.Object({
      definition: Type.String(),
      name: Type.String(),
      entered: Count,
      completed: Count,
      onTrack: Count,
      late: Count,
      dropped: Count,
      steps: Type.Array(
        Type.Object({
          key: Type.String(),
          label: Type.String(),
          reached: Count,
          stoppedHere: Count,
          dropOffRate: Nullable(Type.Number()),
          medianDays: Days,
          p90Days: Days,
          late: Count,
        }),
      ),
    }),
  ),
  painPoints: Type.Array(PainPoint),
});

export const DrillDownQuery = Type.Object({
  ...JourneyMapQuery.properties,
  kind: PainPointKindSchema,
  detail: Type.Optional(Type.String({ maxLength: 100 })),
  /** Pages of the patients, ordered by id: how many to skip (default 0). */
  offset: Type.Optional(Type.Integer({ minimum: 0, maximum: 10_000_000 })),
  /** How many to list (default and most 500). */
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500 })),
});

export const DrillDownResult = Type.Object({
  total: Type.Integer(),
  /** The page listed: `offset` of the patients ordered by id, at most `limit` of them. */
  offset: Type.Integer(),
  /** One page of the patients (by id; sorted by name within it); `total` counts them all. */
  patients: Type.Array(
    Type.Object({
      id: Uuid,
      givenName: Type.String(),
      familyName: Type.String(),
      restricted: Type.Boolean(),
    }),
  ),
});

export const PatientJourneyEvent = Type.Object({
  id: Uuid,
  occurredAt: Instant,
  channel: Type.String(),
  direction: Type.String(),
  type: Type.String(),
  stage: Type.String(),
  outcome: Nullable(Type.String()),
  summary: Type.String(),
  /** This event moved the patient into another stage. */
  stageChange: Type.Boolean(),
  /** Days since the previous event. */
  waitDays: Days,
  sentiment: Nullable(
    Type.Union([Type.Literal('positive'), Type.Literal('neutral'), Type.Literal('negative')]),
  ),
});

export const PatientJourney = Type.Object({
  stages: Type.Array(JourneyMapStageSchema),
  events: Type.Array(PatientJourneyEvent),
  /** Only the latest 2,000 touchpoints are drawn. */
  truncated: Type.Boolean(),
  standings: Type.Array(
    Type.Object({
      definition: Type.String(),
      name: Type.String(),
      status: Type.String(),
      steps: Type.Array(
        Type.Object({
          key: Type.String(),
          label: Type.String(),
          state: Type.String(),
          at: Nullable(Instant),
          waitDays: Days,
        }),
      ),
    }),
  ),
});

export const PatientListCreate = Type.Object({
  name: Type.String({ minLength: 1, maxLength: 120 }),
  patientIds: Type.Array(Uuid, { minItems: 1, maxItems: 500 }),
});
export const PatientListSummary = Type.Object({
  id: Uuid,
  name: Type.String(),
  size: Type.Integer(),
  createdAt: Instant,
});

export const DrillDownTasks = Type.Object({
  patientIds: Type.Array(Uuid, { minItems: 1, maxItems: 500 }),
  title: Type.String({ minLength: 1, maxLength: 200 }),
});

export type JourneyMapSettings = Static<typeof JourneyMapSettings>;
export type JourneyMapQuery = Static<typeof JourneyMapQuery>;
export type JourneyMap = Static<typeof JourneyMap>;
export type PainPoint = Static<typeof PainPoint>;
export type DrillDownQuery = Static<typeof DrillDownQuery>;
export type DrillDownResult = Static<typeof DrillDownResult>;
export type PatientJourney = Static<typeof PatientJourney>;
export type PatientJourneyEvent = Static<typeof PatientJourneyEvent>;
export type PatientListCreate = Static<typeof PatientListCreate>;
export type PatientListSummary = Static<typeof PatientListSummary>;
export type DrillDownTasks = Static<typeof DrillDownTasks>;
