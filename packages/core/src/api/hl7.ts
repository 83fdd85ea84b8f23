import { type Static, Type } from 'typebox';
import { Instant, ListQuery, Nullable, Page, Uuid } from './common.js';

export const HL7_STATUSES = ['received', 'processed', 'error', 'rejected'] as const;
export type Hl7Status = (typeof HL7_STATUSES)[number];

export const Hl7MessageSummary = Type.Object({
  id: Uuid,
  receivedAt: Instant,
  processedAt: Nullable(Instant),
  status: Type.Unsafe<Hl7Status>({ type: 'string', enum: [...HL7_STATUSES] }),
  ackCode: Nullable(Type.String({ description: 'AA, AE or AR: what the sender was told' })),
  controlId: Type.String({ description: 'MSH-10' }),
  messageType: Type.String({ description: 'MSH-9.1, e.g. ADT' }),
  triggerEvent: Type.String({ description: 'MSH-9.2, e.g. A01' }),
  version: Nullable(Type.String()),
  sendingApplication: Nullable(Type.String()),
  sendingFacility: Nullable(Type.String()),
  channel: Type.String({ description: 'mllp or file' }),
  sizeBytes: Type.Integer(),
  error: Nullable(Type.String({ description: 'Why it failed; names the field, never a value' })),
  errorLocation: Nullable(Type.String({ description: 'e.g. PID-7' })),
  processingMs: Nullable(Type.Integer()),
  replayable: Type.Boolean(),
  attempts: Type.Integer(),
  patientId: Nullable(Uuid),
  restricted: Type.Boolean({
    description:
      'The message concerns a restricted patient the caller may not open: patientId is left out and raw shows the structure only (docs/restricted-records.md)',
  }),
});

export const Hl7MessageDetail = Type.Object({
  ...Hl7MessageSummary.properties,
  raw: Type.String({ description: 'The message as received, segments separated by CR' }),
});

export const Hl7MessageListQuery = Type.Object({
  status: Type.Optional(Type.Unsafe<Hl7Status>({ type: 'string', enum: [...HL7_STATUSES] })),
  type: Type.Optional(
    Type.String({
      pattern: '^[A-Za-z0-9]{3}(\\^[A-Za-z0-9]{1,4})?$',
      description: 'Message type (ADT) or type and event (ADT^A01)',
    }),
  ),
  ...ListQuery,
});

export const Hl7MessagePage = Page(Hl7MessageSummary);

export const Hl7ReplayResult = Type.Object({
  message: Hl7MessageSummary,
  ack: Type.String({ description: 'The acknowledgement the replay produced' }),
});

export type Hl7MessageSummary = Static<typeof Hl7MessageSummary>;
export type Hl7MessageDetail = Static<typeof Hl7MessageDetail>;
export type Hl7MessageListQuery = Static<typeof Hl7MessageListQuery>;
