import { type Static, Type } from 'typebox';
import {
  CALL_OUTCOMES,
  CONVERSATION_CHANNELS,
  CONVERSATION_ENTRY_KINDS,
  CONVERSATION_STATUSES,
  MAX_ATTACHMENT_BASE64_CHARS,
  MAX_ATTACHMENTS_PER_MESSAGE,
  MAX_MESSAGE_CHARS,
} from '../inbox/rules.js';
import { Instant, Nullable, Uuid } from './common.js';
import { TeamSchema } from './enums.js';

const literals = <const T extends readonly string[]>(values: T) =>
  Type.Unsafe<T[number]>({ type: 'string', enum: [...values] });

export const ConversationStatusSchema = literals(CONVERSATION_STATUSES);
export const ConversationChannelSchema = literals(CONVERSATION_CHANNELS);
export const CallOutcomeSchema = literals(CALL_OUTCOMES);

const MessageText = Type.String({ minLength: 1, maxLength: MAX_MESSAGE_CHARS });

export const AttachmentInfo = Type.Object({
  id: Uuid,
  fileName: Type.String(),
  contentType: Type.String(),
  sizeBytes: Type.Integer(),
});

/** A file a patient attaches: its bytes in base64; its type is sniffed, never taken from here. */
export const AttachmentUpload = Type.Object({
  fileName: Type.String({ minLength: 1, maxLength: 255 }),
  dataBase64: Type.String({ minLength: 1, maxLength: MAX_ATTACHMENT_BASE64_CHARS }),
});

export const ConversationSummary = Type.Object({
  id: Uuid,
  patientId: Nullable(Uuid),
  /** Null for an unmatched number, or a restricted patient the reader may not open. */
  patientName: Nullable(Type.String()),
  /** The number of an unmatched sender (no patient of the organization has it). */
  counterpart: Nullable(Type.String()),
  channel: ConversationChannelSchema,
  status: ConversationStatusSchema,
  team: Nullable(TeamSchema),
  locationId: Nullable(Uuid),
  assigneeId: Nullable(Uuid),
  assigneeName: Nullable(Type.String()),
  lastMessageAt: Instant,
  /** The patient's messages no one of the care team has opened yet. */
  unread: Type.Integer(),
});

export const ConversationEntry = Type.Object({
  id: Uuid,
  kind: literals(CONVERSATION_ENTRY_KINDS),
  body: Type.String(),
  authorName: Nullable(Type.String()),
  createdAt: Instant,
  /** When the other side first opened it (staff for the patient's, the patient for the team's). */
  readAt: Nullable(Instant),
  attachments: Type.Array(AttachmentInfo),
});

export const Conversation = Type.Intersect([
  ConversationSummary,
  Type.Object({ entries: Type.Array(ConversationEntry) }),
]);

export const ConversationListQuery = Type.Object({
  status: Type.Optional(ConversationStatusSchema),
  team: Type.Optional(TeamSchema),
  locationId: Type.Optional(Uuid),
  assigneeId: Type.Optional(Uuid),
  mine: Type.Optional(Type.Boolean({ description: 'Only conversations assigned to you' })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
});

export const ConversationList = Type.Object({ items: Type.Array(ConversationSummary) });

export const ConversationUpdate = Type.Object(
  {
    status: Type.Optional(ConversationStatusSchema),
    assigneeId: Type.Optional(Nullable(Uuid)),
    team: Type.Optional(Nullable(TeamSchema)),
    locationId: Type.Optional(Nullable(Uuid)),
  },
  { minProperties: 1, additionalProperties: false },
);

export const InternalNoteCreate = Type.Object(
  {
    body: MessageText,
    /** Staff to tell: each gets a task pointing at the conversation. */
    mentions: Type.Optional(Type.Array(Uuid, { maxItems: 10, uniqueItems: true })),
  },
  { additionalProperties: false },
);

/** A reply to the patient: a quick reply (a template), or, in a portal thread, free text. */
export const ConversationReply = Type.Object(
  {
    templateKey: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
    body: Type.Optional(MessageText),
  },
  { additionalProperties: false },
);

export const QuickReply = Type.Object({
  key: Type.String(),
  name: Type.String(),
  channels: Type.Array(Type.String()),
});
export const QuickReplyList = Type.Object({ items: Type.Array(QuickReply) });

// The portal's side.
export const PortalThreadSummary = Type.Object({
  id: Uuid,
  status: ConversationStatusSchema,
  lastMessageAt: Instant,
  /** The care team's messages the patient has not opened yet. */
  unread: Type.Integer(),
});
export const PortalThreadList = Type.Object({
  items: Type.Array(PortalThreadSummary),
  unread: Type.Integer(),
});

export const PortalMessage = Type.Object({
  id: Uuid,
  from: Type.Union([Type.Literal('patient'), Type.Literal('care-team')]),
  body: Type.String(),
  createdAt: Instant,
  readAt: Nullable(Instant),
  attachments: Type.Array(AttachmentInfo),
});
export const PortalThread = Type.Intersect([
  PortalThreadSummary,
  Type.Object({ messages: Type.Array(PortalMessage) }),
]);

export const PortalMessageCreate = Type.Object(
  {
    body: MessageText,
    attachments: Type.Optional(
      Type.Array(AttachmentUpload, { maxItems: MAX_ATTACHMENTS_PER_MESSAGE }),
    ),
  },
  { additionalProperties: false },
);

export const ThreadAttachmentParams = Type.Object({ id: Uuid, attachmentId: Uuid });

// Call tasks.
export const CallTaskCreate = Type.Object(
  {
    patientId: Uuid,
    /** The script: a template's text (rendered for the patient) or typed here. */
    templateKey: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
    script: Type.Optional(Type.String({ minLength: 1, maxLength: MAX_MESSAGE_CHARS })),
    team: Type.Optional(Nullable(TeamSchema)),
    assigneeId: Type.Optional(Nullable(Uuid)),
    dueAt: Type.Optional(Nullable(Instant)),
  },
  { additionalProperties: false },
);

export const CallTask = Type.Object({
  id: Uuid,
  patientId: Uuid,
  script: Type.String(),
  status: Type.String(),
  outcome: Nullable(CallOutcomeSchema),
  note: Nullable(Type.String()),
  outcomeAt: Nullable(Instant),
  attempts: Type.Integer(),
});

export const CallOutcomeRecord = Type.Object(
  {
    outcome: CallOutcomeSchema,
    note: Type.Optional(Type.String({ maxLength: 2000 })),
  },
  { additionalProperties: false },
);

export type ConversationSummary = Static<typeof ConversationSummary>;
export type ConversationEntry = Static<typeof ConversationEntry>;
export type Conversation = Static<typeof Conversation>;
export type ConversationListQuery = Static<typeof ConversationListQuery>;
export type ConversationUpdate = Static<typeof ConversationUpdate>;
export type InternalNoteCreate = Static<typeof InternalNoteCreate>;
export type ConversationReply = Static<typeof ConversationReply>;
export type QuickReply = Static<typeof QuickReply>;
export type AttachmentInfo = Static<typeof AttachmentInfo>;
export type AttachmentUpload = Static<typeof AttachmentUpload>;
export type PortalThreadSummary = Static<typeof PortalThreadSummary>;
export type PortalThread = Static<typeof PortalThread>;
export type PortalMessage = Static<typeof PortalMessage>;
export type PortalMessageCreate = Static<typeof PortalMessageCreate>;
export type CallTaskCreate = Static<typeof CallTaskCreate>;
export type CallTask = Static<typeof CallTask>;
export type CallOutcomeRecord = Static<typeof CallOutcomeRecord>;
