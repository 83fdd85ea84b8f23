import { type Static, Type } from 'typebox';

/** The journeys console's API shapes (issue 11). */

const Uuid = Type.String({ format: 'uuid' });
const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) =>
  Type.Union([t, Type.Null()]);

export const JOURNEY_STATUSES = ['draft', 'published', 'paused', 'archived'] as const;
export type JourneyStatus = (typeof JOURNEY_STATUSES)[number];

export const EnrolmentCounts = Type.Object({
  active: Type.Integer(),
  completed: Type.Integer(),
  exited: Type.Integer(),
  failed: Type.Integer(),
  converted: Type.Integer(),
});
export type EnrolmentCounts = Static<typeof EnrolmentCounts>;

export const JourneySummary = Type.Object({
  id: Uuid,
  key: Type.String(),
  name: Type.String(),
  status: Type.Unsafe<JourneyStatus>({ type: 'string', enum: [...JOURNEY_STATUSES] }),
  publishedVersion: Nullable(Type.Integer()),
  enrolments: EnrolmentCounts,
});
export type JourneySummary = Static<typeof JourneySummary>;

export const ReadyJourney = Type.Object({
  key: Type.String(),
  name: Type.String(),
  description: Type.String(),
  /** The organization's journey made from it, if enabled. */
  journeyId: Nullable(Uuid),
});
export type ReadyJourney = Static<typeof ReadyJourney>;

export const NodeCounts = Type.Object({
  entered: Type.Integer(),
  waiting: Type.Integer(),
  completed: Type.Integer(),
  exited: Type.Integer(),
  failed: Type.Integer(),
});
export type NodeCounts = Static<typeof NodeCounts>;

export const JourneyDetail = Type.Object({
  journey: JourneySummary,
  /** The definition being edited (core's JourneyDefinition; validated by the builder too). */
  draft: Type.Unknown(),
  published: Type.Unknown(),
  nodes: Type.Record(Type.String(), NodeCounts),
});
export type JourneyDetail = Static<typeof JourneyDetail>;

export const JourneyDraftBody = Type.Object(
  { definition: Type.Unknown() },
  { additionalProperties: false },
);

export const DeadLetter = Type.Object({
  enrolmentId: Uuid,
  journeyId: Uuid,
  journeyName: Type.String(),
  patientId: Uuid,
  node: Type.String(),
  error: Type.String(),
  updatedAt: Type.String({ format: 'date-time' }),
});
export type DeadLetter = Static<typeof DeadLetter>;
