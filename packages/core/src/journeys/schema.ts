import { type Static, Type } from 'typebox';
import { Compile } from 'typebox/compile';

/**
 * A journey: a versioned graph of nodes, shared by the engine, the CLI and the builder. Every
 * definition is input (a file, a form, a row written by another version): it is checked against
 * this schema and then by `validateJourney` (docs/adr/0025).
 */

const NodeId = Type.String({ pattern: '^[a-z][a-z0-9_-]{0,63}$', description: 'node id' });
const Key = Type.String({ pattern: '^[a-z][a-z0-9-]{0,63}$' });

/** A closed set of strings as a JSON-schema `enum`, typed as the union of its members. */
const literals = <const T extends readonly string[]>(values: T) =>
  Type.Unsafe<T[number]>({ type: 'string', enum: [...values] });

/** Events a journey reacts to (trigger, wait-for-event, exit). */
export const JOURNEY_EVENTS = [
  'appointment.booked',
  'appointment.rescheduled',
  'appointment.cancelled',
  'appointment.no_show',
  'appointment.completed',
  'encounter.discharged',
  'message.received',
  // Issue 11: a call task's outcome recorded (the condition reads `call.outcome`).
  'call.completed',
  // Issue 11 (h11j): a referral arrived (a FHIR ServiceRequest that is one; core's isReferral).
  'referral.created',
  // Issue 11 (h11v): a post-visit survey answered (the condition reads `survey.category`).
  'survey.answered',
  // Issue 11 (h11r): a referral left the active state: revoked, entered in error or completed
  // (core's referralClosed; the condition reads `referral.status`). docs/adr/0045.
  'referral.closed',
] as const;
export type JourneyEvent = (typeof JOURNEY_EVENTS)[number];
const EventName = literals(JOURNEY_EVENTS);

/** Record fields a relative wait or a validity window may be anchored on (instants). */
export const JOURNEY_TIME_FIELDS = ['appointment.start', 'encounter.discharged_at'] as const;
export type JourneyTimeField = (typeof JOURNEY_TIME_FIELDS)[number];
const TimeField = literals(JOURNEY_TIME_FIELDS);

/**
 * Issue 11 (h11l): a patient list a journey names: its id, or its key (a ready journey's list,
 * e.g. `due-for-preventive-screening`). Publishing checks that the organization has it.
 */
const ListRef = Type.String({
  pattern:
    '^([a-z][a-z0-9-]{0,63}|[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})$',
  description: 'a patient list: its id or its key',
});

const Trigger = Type.Union([
  Type.Object(
    { kind: Type.Literal('event'), event: EventName },
    { additionalProperties: false, description: 'enrol when the event happens' },
  ),
  Type.Object(
    { kind: Type.Literal('manual') },
    { additionalProperties: false, description: 'enrolled by staff or through the API' },
  ),
  // Issue 11 (h11l): entry into a patient list (docs/adr/0040).
  Type.Object(
    { kind: Type.Literal('list'), list: ListRef },
    {
      additionalProperties: false,
      description: 'enrol when a patient enters the list (by staff or by a journey)',
    },
  ),
]);

const Minutes = Type.Integer({ minimum: 1, maximum: 525_600 });

const Wait = Type.Union([
  Type.Object(
    { kind: Type.Literal('duration'), minutes: Minutes },
    { additionalProperties: false },
  ),
  Type.Object(
    {
      kind: Type.Literal('time_of_day'),
      /** HH:MM in the patient's zone (the organization's when the patient has none). */
      time: Type.String({ pattern: '^([01][0-9]|2[0-3]):[0-5][0-9]$' }),
    },
    { additionalProperties: false },
  ),
  Type.Object(
    {
      kind: Type.Literal('relative'),
      field: TimeField,
      /** Minutes from the field's instant: -2880 is "2 days before". */
      offsetMinutes: Type.Integer({ minimum: -525_600, maximum: 525_600 }),
      /** Where to go when the instant has already passed on arrival (default: `next`). */
      late: Type.Optional(NodeId),
    },
    { additionalProperties: false },
  ),
  Type.Object(
    {
      kind: Type.Literal('event'),
      event: EventName,
      timeoutMinutes: Minutes,
      /** Where to go when the event does not come in time. */
      timeout: NodeId,
    },
    { additionalProperties: false },
  ),
]);

/** Attributes a condition may read: the enrolment's context and the last event's. */
export const JOURNEY_ATTRIBUTES = [
  'appointment.status',
  'appointment.service',
  'appointment.telehealth',
  'patient.language',
  'patient.preferred_channel',
  'patient.has_email',
  'patient.has_phone',
  'message.text',
  // Issue 11: reached, voicemail, no-answer, wrong-number or declined (core's CALL_OUTCOMES).
  'call.outcome',
  // Issue 11 (h11v): promoter, passive or detractor (core's npsCategory) of `survey.answered`.
  'survey.category',
  // Issue 11 (h11r): revoked, entered-in-error or completed, of `referral.closed`.
  'referral.status',
] as const;
export type JourneyAttribute = (typeof JOURNEY_ATTRIBUTES)[number];

const Predicate = Type.Object(
  {
    attribute: literals(JOURNEY_ATTRIBUTES),
    op: Type.Union([
      Type.Literal('equals'),
      Type.Literal('not_equals'),
      Type.Literal('in'),
      Type.Literal('exists'),
      /** Reply keywords: the first word, trimmed, any case ("c", " C ", "C thanks"). */
      Type.Literal('first_word_in'),
    ]),
    values: Type.Optional(
      Type.Array(Type.Union([Type.String({ maxLength: 200 }), Type.Boolean()]), { maxItems: 50 }),
    ),
  },
  { additionalProperties: false },
);

/**
 * A send step's channel. `portal` posts into the patient's portal thread (and tells them by
 * text or email that a message waits); `preferred` may pick it for a patient who prefers the
 * portal and has an account (docs/adr/0046).
 */
export const JOURNEY_CHANNELS = ['email', 'sms', 'portal', 'preferred'] as const;
export type JourneyChannel = (typeof JOURNEY_CHANNELS)[number];

const ValidFor = Type.Union([
  Type.Object(
    {
      kind: Type.Literal('field'),
      field: TimeField,
      offsetMinutes: Type.Optional(Type.Integer({ minimum: -525_600, maximum: 525_600 })),
    },
    { additionalProperties: false, description: 'void from the field instant (plus offset)' },
  ),
  Type.Object(
    { kind: Type.Literal('duration'), minutes: Minutes },
    {
      additionalProperties: false,
      description: 'void this long after the step was due (the end of the wait before it)',
    },
  ),
]);

/** A webhook action's event name: lower-case dotted words (`journey.step`, `recall.due`). */
export const JOURNEY_WEBHOOK_EVENT_PATTERN = '^[a-z][a-z0-9_-]*(\\.[a-z][a-z0-9_-]*)+$';

/** Fields a journey may update, each through its owning service. */
export const JOURNEY_UPDATABLE_FIELDS = ['appointment.status'] as const;

const Action = Type.Union([
  Type.Object(
    {
      kind: Type.Literal('send'),
      channel: literals(JOURNEY_CHANNELS),
      template: Key,
      purpose: Type.Union([
        Type.Literal('treatment'),
        Type.Literal('operations'),
        Type.Literal('marketing'),
      ]),
      /** Every send has a window: past it, the message is recorded as expired, never sent. */
      validFor: ValidFor,
    },
    { additionalProperties: false },
  ),
  Type.Object(
    {
      kind: Type.Literal('task'),
      title: Type.String({ minLength: 1, maxLength: 200 }),
      team: Type.Union([
        Type.Literal('front-desk'),
        Type.Literal('care-coordination'),
        Type.Literal('clinical'),
      ]),
      dueInMinutes: Type.Optional(Minutes),
    },
    { additionalProperties: false },
  ),
  // Issue 11: a call task with its script; a wait for `call.completed` can branch on the outcome.
  Type.Object(
    {
      kind: Type.Literal('call'),
      script: Type.String({ minLength: 1, maxLength: 2000 }),
      /** Issue 11 (h11v): the task's title in the queue (default "Call the patient"); no clinical detail. */
      title: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
      team: Type.Union([
        Type.Literal('front-desk'),
        Type.Literal('care-coordination'),
        Type.Literal('clinical'),
      ]),
      dueInMinutes: Type.Optional(Minutes),
    },
    { additionalProperties: false },
  ),
  Type.Object(
    {
      kind: Type.Literal('update'),
      field: literals(JOURNEY_UPDATABLE_FIELDS),
      value: Type.Union([Type.Literal('confirmed')]),
    },
    { additionalProperties: false },
  ),
  Type.Object({ kind: Type.Literal('enrol'), journey: Key }, { additionalProperties: false }),
  // Issue 11 (h11r): "R" to a reminder: open slots offered by text (reply 1, 2 or 3); when
  // none can be offered, the task below, as before self-scheduling.
  Type.Object(
    {
      kind: Type.Literal('offer-slots'),
      title: Type.String({ minLength: 1, maxLength: 200 }),
      team: Type.Union([
        Type.Literal('front-desk'),
        Type.Literal('care-coordination'),
        Type.Literal('clinical'),
      ]),
      dueInMinutes: Type.Optional(Minutes),
    },
    { additionalProperties: false },
  ),
  // Issue 11 (h11w): call a signed webhook. The journey names an endpoint an admin registered
  // (its id), never an address: a journey file is input, addresses are vetted in the console
  // (docs/adr/0039).
  Type.Object(
    {
      kind: Type.Literal('webhook'),
      /** The id of one of the organization's enabled webhook endpoints. */
      endpoint: Type.String({
        pattern: '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$',
        description: 'webhook endpoint id',
      }),
      /** The payload's `type` (default `journey.step`). */
      event: Type.Optional(Type.String({ pattern: JOURNEY_WEBHOOK_EVENT_PATTERN, maxLength: 64 })),
    },
    { additionalProperties: false },
  ),
  // Issue 11 (h11l): add the patient to a list, or remove them, through the list service in the
  // step's transaction (a member already there, or already gone, changes nothing).
  Type.Object(
    {
      kind: Type.Union([Type.Literal('list_add'), Type.Literal('list_remove')]),
      list: ListRef,
    },
    { additionalProperties: false },
  ),
]);

const Position = Type.Optional(
  Type.Object({ x: Type.Number(), y: Type.Number() }, { additionalProperties: false }),
);
const Label = Type.Optional(Type.String({ maxLength: 120 }));

export const JourneyNodeSchema = Type.Union([
  Type.Object(
    {
      id: NodeId,
      type: Type.Literal('wait'),
      label: Label,
      wait: Wait,
      next: NodeId,
      position: Position,
    },
    { additionalProperties: false },
  ),
  Type.Object(
    {
      id: NodeId,
      type: Type.Literal('condition'),
      label: Label,
      branches: Type.Array(
        Type.Object({ when: Predicate, next: NodeId }, { additionalProperties: false }),
        { minItems: 1, maxItems: 20 },
      ),
      otherwise: NodeId,
      position: Position,
    },
    { additionalProperties: false },
  ),
  Type.Object(
    {
      id: NodeId,
      type: Type.Literal('split'),
      label: Label,
      branches: Type.Array(
        Type.Object(
          { percent: Type.Integer({ minimum: 0, maximum: 100 }), next: NodeId },
          { additionalProperties: false },
        ),
        { minItems: 2, maxItems: 10 },
      ),
      position: Position,
    },
    { additionalProperties: false },
  ),
  Type.Object(
    {
      id: NodeId,
      type: Type.Literal('action'),
      label: Label,
      action: Action,
      next: NodeId,
      position: Position,
    },
    { additionalProperties: false },
  ),
  Type.Object(
    {
      id: NodeId,
      type: Type.Literal('goal'),
      label: Label,
      /** Reached: the enrolment counts as converted; it goes on to `next`, or completes. */
      next: Type.Optional(NodeId),
      position: Position,
    },
    { additionalProperties: false },
  ),
  Type.Object(
    { id: NodeId, type: Type.Literal('exit'), label: Label, position: Position },
    { additionalProperties: false },
  ),
]);

export const JourneyDefinitionSchema = Type.Object(
  {
    key: Key,
    name: Type.String({ minLength: 1, maxLength: 120 }),
    description: Type.Optional(Type.String({ maxLength: 2000 })),
    trigger: Trigger,
    /**
     * Re-entry of one patient for one context (an appointment): `never` (once ever),
     * `after_exit` (again once the last enrolment ended), `always`.
     */
    reentry: Type.Union([
      Type.Literal('never'),
      Type.Literal('after_exit'),
      Type.Literal('always'),
    ]),
    /** Events that end an active enrolment at once (e.g. appointment.cancelled). */
    exitOn: Type.Optional(Type.Array(EventName, { maxItems: 10 })),
    entry: NodeId,
    nodes: Type.Array(JourneyNodeSchema, { minItems: 1, maxItems: 200 }),
  },
  { additionalProperties: false },
);

export type JourneyDefinition = Static<typeof JourneyDefinitionSchema>;
export type JourneyNode = Static<typeof JourneyNodeSchema>;
export type JourneyAction = Extract<JourneyNode, { type: 'action' }>['action'];
export type JourneySendAction = Extract<JourneyAction, { kind: 'send' }>;
export type JourneyWebhookAction = Extract<JourneyAction, { kind: 'webhook' }>;
export type JourneyWait = Extract<JourneyNode, { type: 'wait' }>['wait'];
export type JourneyPredicate = Extract<
  JourneyNode,
  { type: 'condition' }
>['branches'][number]['when'];

// Issue 11 (h11l): the lists a journey names (its trigger's, its actions').
export type JourneyListAction = Extract<JourneyAction, { kind: 'list_add' | 'list_remove' }>;

/** Every list a journey names, with the JSON pointer of each mention (for a 4xx naming it). */
export function journeyListRefs(journey: JourneyDefinition): { list: string; path: string }[] {
  const refs: { list: string; path: string }[] = [];
  if (journey.trigger.kind === 'list')
    refs.push({ list: journey.trigger.list, path: '/trigger/list' });
  journey.nodes.forEach((node, i) => {
    if (
      node.type === 'action' &&
      (node.action.kind === 'list_add' || node.action.kind === 'list_remove')
    )
      refs.push({ list: node.action.list, path: `/nodes/${i}/action/list` });
  });
  return refs;
}

export const checkJourneyDefinition = Compile(JourneyDefinitionSchema);
