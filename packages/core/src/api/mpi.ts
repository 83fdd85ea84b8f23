import { type Static, Type } from 'typebox';
import { SOURCE_KINDS, SURVIVING_FIELDS } from '../identity/survivorship.js';
import { Instant, ListQuery, Nullable, Page, Uuid } from './common.js';

/** A closed set of strings as a JSON-schema `enum`, typed as the union of its members. */
const literals = <const T extends readonly string[]>(values: T) =>
  Type.Unsafe<T[number]>({ type: 'string', enum: [...values] });

export const SourceKindSchema = literals(SOURCE_KINDS);
export const SurvivingFieldSchema = literals(SURVIVING_FIELDS);

/** How a source record came to be linked to its golden record. */
export const LINK_METHODS = ['new', 'source', 'identifier', 'score', 'review', 'merge'] as const;
export const LinkMethodSchema = literals(LINK_METHODS);

const Text = Nullable(Type.String());

/** One source's description of a person, as it was last received. */
export const SourceDemographicsView = Type.Object({
  given: Text,
  middle: Text,
  family: Text,
  birthDate: Text,
  sex: Text,
  line: Text,
  city: Text,
  state: Text,
  postalCode: Text,
  phone: Text,
  email: Text,
  language: Text,
  deceasedAt: Text,
  identifiers: Type.Array(Type.Object({ system: Type.String(), value: Type.String() })),
});

export const SourceRecord = Type.Object({
  id: Uuid,
  patientId: Uuid,
  kind: SourceKindSchema,
  /** The sending system: an HL7 sender, a FHIR source, a CSV file, `careloop:staff`. */
  system: Type.String(),
  /** The source's own id of this person. */
  sourceId: Type.String(),
  receivedAt: Instant,
  linkMethod: LinkMethodSchema,
  linkScore: Nullable(Type.Number()),
  demographics: SourceDemographicsView,
});

/** Which source a golden-record field's value came from, and by which rule. */
export const FieldSource = Type.Object({
  field: SurvivingFieldSchema,
  value: Nullable(Type.String()),
  sourceRecordId: Nullable(Uuid),
  kind: Nullable(SourceKindSchema),
  system: Nullable(Type.String()),
  receivedAt: Nullable(Instant),
  rule: Type.String(),
});

export const MergeOrigin = literals(['review', 'staff', 'hl7'] as const);

export const MergeSummary = Type.Object({
  id: Uuid,
  survivorId: Uuid,
  mergedId: Uuid,
  origin: MergeOrigin,
  reason: Nullable(Type.String()),
  mergedAt: Instant,
  mergedBy: Nullable(Type.String({ description: 'display name; null for a feed' })),
  survivorName: Type.String({ description: 'the surviving record as "Given Family (birth date)"' }),
  mergedName: Type.String({ description: 'the merged record, the same way' }),
  unmergedAt: Nullable(Instant),
  unmergedBy: Nullable(Type.String()),
  /** Rows moved to the survivor, per table. */
  moved: Type.Record(Type.String(), Type.Integer()),
});

/** GET /api/patients/:id/sources: the golden record's provenance. */
export const PatientSources = Type.Object({
  patientId: Uuid,
  status: Type.String(),
  /** Set when this record was merged into another: the surviving golden record. */
  mergedInto: Nullable(Uuid),
  fields: Type.Array(FieldSource),
  sources: Type.Array(SourceRecord),
  merges: Type.Array(MergeSummary),
});

/** A golden record as the review screen shows it, side by side with its possible duplicate. */
export const ReviewPerson = Type.Object({
  patientId: Uuid,
  status: Type.String(),
  givenName: Type.String(),
  middleName: Text,
  familyName: Type.String(),
  birthDate: Type.String(),
  administrativeSex: Type.String(),
  address: Text,
  phones: Type.Array(Type.String()),
  emails: Type.Array(Type.String()),
  identifiers: Type.Array(Type.Object({ system: Type.String(), value: Type.String() })),
  createdAt: Instant,
  sources: Type.Array(
    Type.Object({ kind: SourceKindSchema, system: Type.String(), sourceId: Type.String() }),
  ),
});

export const REVIEW_STATUSES = ['open', 'merged', 'distinct'] as const;
export const ReviewStatusSchema = literals(REVIEW_STATUSES);

export const ReviewItem = Type.Object({
  id: Uuid,
  status: ReviewStatusSchema,
  score: Type.Number(),
  /** Why it was not linked automatically: `score` (between the thresholds) or a guard. */
  reason: Type.String(),
  createdAt: Instant,
  decidedAt: Nullable(Instant),
  decidedBy: Nullable(Type.String()),
  decisionReason: Nullable(Type.String()),
  /** For a merged item: the merge it made (undo it with its id) and the record that survived. */
  mergeId: Nullable(Uuid),
  survivorId: Nullable(Uuid),
  /** The record that arrived (or was registered) and could be a duplicate. */
  incoming: ReviewPerson,
  /** The existing golden record it resembles. */
  candidate: ReviewPerson,
  /** Each compared field's agreement and its weight in the score. */
  fields: Type.Array(
    Type.Object({
      field: Type.String(),
      level: literals(['exact', 'similar', 'disagree', 'missing'] as const),
      weight: Type.Number(),
    }),
  ),
});

export const ReviewListQuery = Type.Object({
  status: Type.Optional(ReviewStatusSchema),
  ...ListQuery,
});
export const ReviewPage = Page(ReviewItem);

/** How many possible duplicates wait for review (the console's navigation shows it). */
export const ReviewCount = Type.Object({ open: Type.Integer({ minimum: 0 }) });

export const ReviewDecision = Type.Object({
  decision: literals(['merge', 'distinct'] as const),
  /** For a merge, which record survives; the existing candidate when omitted. */
  survivorId: Type.Optional(Uuid),
  reason: Type.Optional(Type.String({ maxLength: 500 })),
});

export const MergeRequest = Type.Object({
  /** The duplicate to fold into the record in the path. */
  mergedId: Uuid,
  reason: Type.Optional(Type.String({ maxLength: 500 })),
});

export const UnmergeRequest = Type.Object({
  reason: Type.Optional(Type.String({ maxLength: 500 })),
});

export type SourceRecord = Static<typeof SourceRecord>;
export type SourceDemographicsView = Static<typeof SourceDemographicsView>;
export type FieldSource = Static<typeof FieldSource>;
export type MergeSummary = Static<typeof MergeSummary>;
export type PatientSources = Static<typeof PatientSources>;
export type ReviewPerson = Static<typeof ReviewPerson>;
export type ReviewItem = Static<typeof ReviewItem>;
export type ReviewListQuery = Static<typeof ReviewListQuery>;
export type ReviewDecision = Static<typeof ReviewDecision>;
export type MergeRequest = Static<typeof MergeRequest>;
export type UnmergeRequest = Static<typeof UnmergeRequest>;
export type LinkMethod = (typeof LINK_METHODS)[number];
export type ReviewStatus = (typeof REVIEW_STATUSES)[number];
export type ReviewPage = Static<typeof ReviewPage>;
export type ReviewCount = Static<typeof ReviewCount>;
