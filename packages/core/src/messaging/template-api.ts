import { type Static, Type } from 'typebox';
import { Instant, Nullable, Uuid } from '../api/common.js';

/** The HTTP shapes of templates (issue 11). */
const Purpose = Type.Union([
  Type.Literal('treatment'),
  Type.Literal('operations'),
  Type.Literal('marketing'),
]);
const Channel = Type.Union([Type.Literal('email'), Type.Literal('sms'), Type.Literal('portal')]);
const Language = Type.Union([Type.Literal('en'), Type.Literal('es')]);
/** docs/adr/0043: `requested-series` counts in a cap bucket of its own (a daily medication reminder). */
const CapBucketOfTemplate = Type.Union([Type.Literal('purpose'), Type.Literal('requested-series')]);

export const TemplateVersionBody = Type.Object(
  {
    subject: Type.Optional(Nullable(Type.String({ maxLength: 300 }))),
    text: Type.String({ maxLength: 5000 }),
    html: Type.Optional(Nullable(Type.String({ maxLength: 50_000 }))),
  },
  { additionalProperties: false },
);
export type TemplateVersionBody = Static<typeof TemplateVersionBody>;

export const TemplateVersion = Type.Object({
  channel: Channel,
  language: Language,
  subject: Nullable(Type.String()),
  text: Type.String(),
  html: Nullable(Type.String()),
  revision: Type.Integer(),
  updatedAt: Instant,
});
export type TemplateVersion = Static<typeof TemplateVersion>;

export const MessageTemplate = Type.Object({
  id: Uuid,
  key: Type.String(),
  name: Type.String(),
  purpose: Purpose,
  capBucket: CapBucketOfTemplate,
  description: Nullable(Type.String()),
  versions: Type.Array(TemplateVersion),
  updatedAt: Instant,
});
export type MessageTemplate = Static<typeof MessageTemplate>;

export const MessageTemplateList = Type.Object({ items: Type.Array(MessageTemplate) });
export type MessageTemplateList = Static<typeof MessageTemplateList>;

export const MessageTemplateCreate = Type.Object(
  {
    key: Type.String({ pattern: '^[a-z0-9][a-z0-9-]{1,62}$' }),
    name: Type.String({ minLength: 1, maxLength: 200 }),
    purpose: Purpose,
    /** Default `purpose`; `requested-series` is refused for a marketing template. */
    capBucket: Type.Optional(CapBucketOfTemplate),
    description: Type.Optional(Nullable(Type.String({ maxLength: 1000 }))),
  },
  { additionalProperties: false },
);
export type MessageTemplateCreate = Static<typeof MessageTemplateCreate>;

export const TemplateVersionParams = Type.Object({
  id: Uuid,
  channel: Channel,
  language: Language,
});
export type TemplateVersionParams = Static<typeof TemplateVersionParams>;

export const TemplateWarningSchema = Type.Object({
  path: Type.String(),
  word: Type.String(),
  message: Type.String(),
});

export const TemplateVersionSaved = Type.Object({
  version: TemplateVersion,
  warnings: Type.Array(TemplateWarningSchema),
});
export type TemplateVersionSaved = Static<typeof TemplateVersionSaved>;

/** A preview: the draft bodies (unsaved) rendered against a real patient. */
export const TemplatePreviewRequest = Type.Object(
  {
    channel: Channel,
    language: Type.Optional(Language),
    patientId: Uuid,
    body: TemplateVersionBody,
  },
  { additionalProperties: false },
);
export type TemplatePreviewRequest = Static<typeof TemplatePreviewRequest>;

export const TemplatePreview = Type.Object({
  subject: Nullable(Type.String()),
  text: Type.String(),
  html: Nullable(Type.String()),
  language: Language,
  timeZone: Type.String(),
  segments: Nullable(
    Type.Object({
      encoding: Type.String(),
      units: Type.Integer(),
      segments: Type.Integer(),
      perSegment: Type.Integer(),
    }),
  ),
  warnings: Type.Array(TemplateWarningSchema),
});
export type TemplatePreview = Static<typeof TemplatePreview>;

export const SuppressedMessage = Type.Object({
  id: Uuid,
  patientId: Nullable(Uuid),
  channel: Type.String(),
  purpose: Type.String(),
  templateKey: Nullable(Type.String()),
  reason: Nullable(Type.String()),
  createdAt: Instant,
});
export const SuppressedMessageList = Type.Object({ items: Type.Array(SuppressedMessage) });
export type SuppressedMessageList = Static<typeof SuppressedMessageList>;

const Cap = Type.Object(
  {
    perDay: Type.Integer({ minimum: 0, maximum: 50 }),
    perWeek: Type.Integer({ minimum: 0, maximum: 200 }),
  },
  { additionalProperties: false },
);

/** An organization's send-time policy (docs/adr/0024): fallback language, quiet hours, caps. */
export const MessagePolicySettings = Type.Object(
  {
    defaultLanguage: Language,
    /** Minutes after local midnight: sending starts (08:00 = 480). */
    quietStartMinute: Type.Integer({ minimum: 0, maximum: 1439 }),
    /** Minutes after local midnight: sending stops (21:00 = 1260). */
    quietEndMinute: Type.Integer({ minimum: 1, maximum: 1440 }),
    frequencyCaps: Type.Object(
      {
        treatment: Cap,
        operations: Cap,
        marketing: Cap,
        /** Absent: kept as it is (always present in the answer). */
        'requested-series': Type.Optional(Cap),
      },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false },
);
export type MessagePolicySettings = Static<typeof MessagePolicySettings>;
