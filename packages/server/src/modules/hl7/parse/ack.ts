import { DEFAULT_DELIMITERS, type Delimiters, escapeHl7 } from './escape.js';
import type { MessageHeader } from './message.js';

/**
 * Acknowledgements in HL7's original mode. AA: the message's effects are committed. AE: its
 * content is wrong; fix it and resend. AR: not accepted for a reason other than its content
 * (an unsupported type, a message that cannot be read, a transient failure); resending later
 * may work. MSA-2 is always the message's MSH-10 exactly as it was sent.
 */
export type AckCode = 'AA' | 'AE' | 'AR';

/** HL7 table 0357, the error codes ERR-3 carries. */
export const HL7_ERROR = {
  segmentSequence: 100,
  requiredFieldMissing: 101,
  dataTypeError: 102,
  tableValueNotFound: 103,
  unsupportedMessageType: 200,
  unsupportedEventCode: 201,
  unsupportedProcessingId: 202,
  unsupportedVersion: 203,
  unknownKey: 204,
  duplicateKey: 205,
  recordLocked: 206,
  internalError: 207,
} as const;
export type Hl7ErrorCode = (typeof HL7_ERROR)[keyof typeof HL7_ERROR];

const ERROR_TEXT: Record<Hl7ErrorCode, string> = {
  100: 'Segment sequence error',
  101: 'Required field missing',
  102: 'Data type error',
  103: 'Table value not found',
  200: 'Unsupported message type',
  201: 'Unsupported event code',
  202: 'Unsupported processing id',
  203: 'Unsupported version id',
  204: 'Unknown key identifier',
  205: 'Duplicate key identifier',
  206: 'Application record locked',
  207: 'Application internal error',
};

export interface AckError {
  code: Hl7ErrorCode;
  /** What went wrong, for the person at the sending end. */
  text: string;
  /** `PID-7`, `SCH-2`, `MSH-9`: segment and field. */
  location: string | null;
}

export interface AckInput {
  /** The message's header; null when it could not be read (the reply then uses defaults). */
  header: MessageHeader | null;
  /** MSH-10 as sent, when the header could not be read but the control id could. */
  controlId?: string;
  code: AckCode;
  error?: AckError | null;
  /** Our own MSH-3, the replying application. */
  application?: string;
}

const HL7_TIME = (d: Date) =>
  d
    .toISOString()
    .replace(/[-:T]/g, '')
    .replace(/\.\d+Z$/, '+0000');

let counter = 0;
/** A control id for our own replies: time-based and unique within the process. */
function replyControlId(now: Date): string {
  counter = (counter + 1) % 1_000_000;
  return `CL${now.getTime().toString(36).toUpperCase()}${counter.toString(36).toUpperCase()}`;
}

const VERSION = /^2\.\d(\.\d)?$/;

function versionOf(header: MessageHeader | null): string {
  return header && VERSION.test(header.version) ? header.version : '2.5.1';
}

/** `PID-7` → the ERL (v2.5+) or the ERR-1 location (v2.3/2.4) components. */
function locationParts(location: string | null): { segment: string; field: string } {
  const m = location ? /^([A-Z][A-Z0-9]{2})(?:-(\d+))?/.exec(location) : null;
  return { segment: m?.[1] ?? '', field: m?.[2] ?? '' };
}

function errSegment(error: AckError, version: string, d: Delimiters): string {
  const f = d.field;
  const c = d.component;
  const text = escapeHl7(error.text, d);
  const { segment, field } = locationParts(error.location);
  const codeText = ERROR_TEXT[error.code];
  if (version < '2.5') {
    // ERR-1 (CM): segment^sequence^field^code&text&table
    const s = d.subcomponent;
    return [
      'ERR',
      [segment, segment ? '1' : '', field, `${error.code}${s}${codeText}${s}HL70357`].join(c),
    ].join(f);
  }
  const erl = segment ? [segment, '1', field].join(c) : '';
  return [
    'ERR',
    '',
    erl,
    [String(error.code), codeText, 'HL70357'].join(c),
    'E',
    '',
    '',
    '',
    text,
  ].join(f);
}

/** One ACK message, its segments joined by CR, in the sender's own delimiters when known. */
export function buildAck(input: AckInput, now = new Date()): string {
  const { header } = input;
  const d = header?.delimiters ?? DEFAULT_DELIMITERS;
  const f = d.field;
  const c = d.component;
  const version = versionOf(header);
  const event = header?.triggerEvent ?? '';
  const type = event && /^[A-Z0-9]{3}$/.test(event) ? `ACK${c}${event}${c}ACK` : 'ACK';
  const processing = header && /^[PDT]$/.test(header.processingId) ? header.processingId : 'P';
  const msh = [
    'MSH',
    `${d.component}${d.repetition}${d.escape}${d.subcomponent}`,
    header?.raw.receivingApplication || escapeHl7(input.application ?? 'CARELOOP', d),
    header?.raw.receivingFacility ?? '',
    header?.raw.sendingApplication ?? '',
    header?.raw.sendingFacility ?? '',
    HL7_TIME(now),
    '',
    type,
    replyControlId(now),
    processing,
    version,
  ].join(f);
  const controlId = header?.raw.controlId ?? input.controlId ?? '';
  const error = input.error ?? null;
  const msaText = error ? escapeHl7(error.text.slice(0, 80), d) : '';
  const msa = ['MSA', input.code, controlId, ...(msaText ? [msaText] : [])].join(f);
  return [msh, msa, ...(error ? [errSegment(error, version, d)] : [])].join('\r');
}

/** Several ACKs in one reply, for a payload that held several messages (a batch). */
export function buildBatchAck(acks: string[], now = new Date()): string {
  const bhs = ['BHS', '^~\\&', 'CARELOOP', '', '', '', HL7_TIME(now)].join('|');
  return [bhs, ...acks, `BTS|${acks.length}`].join('\r');
}
