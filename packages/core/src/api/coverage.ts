import { type Static, Type } from 'typebox';
import { IsoDate, Nullable, Uuid } from './common.js';

/** The patient's relationship to the policy holder. */
export const SUBSCRIBER_RELATIONSHIPS = ['self', 'spouse', 'child', 'other'] as const;
export type SubscriberRelationship = (typeof SUBSCRIBER_RELATIONSHIPS)[number];
const Relationship = Type.Unsafe<SubscriberRelationship>({
  type: 'string',
  enum: [...SUBSCRIBER_RELATIONSHIPS],
});

const Text = (max: number) => Type.String({ minLength: 1, maxLength: max });

/** Coverage as the front desk enters it from the 360 page. */
export const CoverageInput = Type.Object({
  payer: Text(200),
  plan: Type.Optional(Nullable(Type.String({ maxLength: 200 }))),
  memberId: Text(100),
  groupNumber: Type.Optional(Nullable(Type.String({ maxLength: 100 }))),
  /** The policy holder's name when it is not the patient. */
  subscriberName: Type.Optional(Nullable(Type.String({ maxLength: 200 }))),
  subscriberRelationship: Type.Optional(Relationship),
  /** 1 primary, 2 secondary, … */
  priority: Type.Optional(Type.Integer({ minimum: 1, maximum: 9 })),
  status: Type.Optional(Type.Union([Type.Literal('active'), Type.Literal('inactive')])),
  startDate: Type.Optional(Nullable(IsoDate)),
  endDate: Type.Optional(Nullable(IsoDate)),
  // Issue 13 (h13r): the policy holder's birth date, asked at pre-registration.
  subscriberBirthDate: Type.Optional(Nullable(IsoDate)),
});
export const CoverageUpdate = Type.Partial(CoverageInput);

/**
 * A coverage with its subscriber. Member and group ids and the subscriber are null for a role
 * that may not read insurance ids (minimum necessary, `coverage.memberId` / `groupNumber`).
 */
export const CoverageRecord = Type.Object({
  id: Uuid,
  payer: Type.String(),
  plan: Nullable(Type.String()),
  memberId: Nullable(Type.String()),
  groupNumber: Nullable(Type.String()),
  subscriberName: Nullable(Type.String()),
  subscriberRelationship: Nullable(Relationship),
  priority: Type.Integer(),
  status: Type.String(),
  startDate: Nullable(IsoDate),
  endDate: Nullable(IsoDate),
  // Issue 13 (h13r): pre-registration.
  /** The policy holder's birth date; null where the subscriber is withheld. */
  subscriberBirthDate: Type.Optional(Nullable(IsoDate)),
  /** The card sides the patient photographed, for roles that may see them (`coverage.cardImage`). */
  cards: Type.Optional(
    Type.Array(Type.Unsafe<'front' | 'back'>({ type: 'string', enum: ['front', 'back'] })),
  ),
});
export const CoverageList = Type.Object({ items: Type.Array(CoverageRecord) });
export const CoverageParams = Type.Object({ id: Uuid, coverageId: Uuid });

/** A care-team member: one of the organization's practitioners, or a named person. */
export const CareTeamMemberInput = Type.Object({
  practitionerId: Type.Optional(Nullable(Uuid)),
  name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
  role: Text(100),
  since: Type.Optional(Nullable(IsoDate)),
});
export const CareTeamParams = Type.Object({ id: Uuid, memberId: Uuid });

export type CoverageInput = Static<typeof CoverageInput>;
export type CoverageUpdate = Static<typeof CoverageUpdate>;
export type CoverageRecord = Static<typeof CoverageRecord>;
export type CoverageList = Static<typeof CoverageList>;
export type CareTeamMemberInput = Static<typeof CareTeamMemberInput>;
