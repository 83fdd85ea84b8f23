import { Hl7Message, type Hl7Segment } from '@medplum/core';
import { type Delimiters, unescapeHl7 } from './escape.js';

/**
 * Reading HL7 v2 text defensively. `@medplum/core`'s `Hl7Message.parse` is the message model;
 * around it we add what real feeds need and it does not do: decoding bytes, the byte-order mark,
 * batches, validating MSH-1/MSH-2 before trusting them as delimiters (it takes whatever
 * characters sit at positions 3–7), bounds-checked field access (its `getComponent` throws on a
 * missing repetition) and escape sequences (it leaves them encoded).
 */

/** The largest message Careloop reads; a sender splits larger payloads. */
export const MAX_MESSAGE_BYTES = 1_048_576;
/** A value longer than this is cut: no name, id or code is this long. */
const MAX_VALUE_LENGTH = 4096;
// Control characters PostgreSQL text and our logs should never carry (tab and LF are kept).
// biome-ignore lint/suspicious/noControlCharactersInRegex: stripping control characters is the point
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f]/g;

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * The text of a payload: UTF-8, or Latin-1 when the bytes are not valid UTF-8 (what a sender
 * that ignores MSH-18 usually means), without a leading byte-order mark.
 */
export function decodePayload(bytes: Uint8Array | string): string {
  let text: string;
  if (typeof bytes === 'string') {
    text = bytes;
  } else {
    try {
      text = utf8.decode(bytes);
    } catch {
      text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
    }
  }
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

const ENVELOPE = new Set(['FHS', 'BHS', 'BTS', 'FTS']);

/** A payload cut into messages. */
export interface SplitPayload {
  /** Each message's segments joined by CR. */
  messages: string[];
  /** Whether it came in a batch envelope (FHS/BHS) or held several messages. */
  batch: boolean;
}

/**
 * Cuts a payload into messages: a new message starts at every MSH segment; batch envelope
 * segments (FHS, BHS, BTS, FTS) and blank lines are dropped; CR, LF and CRLF all end a segment.
 * A payload with no MSH at all is returned whole, as one message that will be rejected.
 */
export function splitMessages(payload: string): SplitPayload {
  const lines = payload.split(/\r\n|\r|\n/);
  const messages: string[][] = [];
  let current: string[] | null = null;
  let envelope = false;
  for (const line of lines) {
    const tag = line.slice(0, 3);
    if (tag === 'MSH') {
      current = [line];
      messages.push(current);
    } else if (ENVELOPE.has(tag)) {
      envelope = true;
      current = null;
    } else if (current && line.trim() !== '') {
      current.push(line);
    }
  }
  if (messages.length === 0) return { messages: [payload.trim()], batch: false };
  return { messages: messages.map((m) => m.join('\r')), batch: envelope || messages.length > 1 };
}

const SEPARATOR_OK = (c: string) => c.length === 1 && !/[A-Za-z0-9\s]/.test(c);

/** The delimiters MSH-1 and MSH-2 declare, or why they cannot be used. */
export function readDelimiters(text: string): Delimiters | string {
  if (!text.startsWith('MSH')) {
    return text.trim() === '' ? 'The message is empty' : 'The message does not start with MSH';
  }
  const field = text.charAt(3);
  if (!SEPARATOR_OK(field)) return 'MSH-1 (field separator) is missing or not a separator';
  const ends = [text.indexOf(field, 4), text.indexOf('\r'), text.length].filter((i) => i >= 4);
  const encoding = text.slice(4, Math.min(...ends));
  const chars = [...encoding];
  // Four characters; HL7 v2.7 adds a fifth (truncation) which we accept and do not use.
  const distinct = new Set([field, ...chars]).size === chars.length + 1;
  if ((chars.length !== 4 && chars.length !== 5) || !distinct || !chars.every(SEPARATOR_OK)) {
    return 'MSH-2 (encoding characters) must be four distinct separator characters, like ^~\\&';
  }
  const [component = '', repetition = '', escapeChar = '', subcomponent = ''] = chars;
  return { field, component, repetition, escape: escapeChar, subcomponent };
}

/** What the MSH segment says about a message, decoded, plus the raw fields an ACK echoes. */
export interface MessageHeader {
  delimiters: Delimiters;
  controlId: string;
  messageType: string;
  triggerEvent: string;
  structure: string;
  version: string;
  processingId: string;
  sendingApplication: string;
  sendingFacility: string;
  messageTime: string;
  /** Fields as sent (still encoded), copied into the ACK so MSA-2 equals MSH-10 exactly. */
  raw: {
    controlId: string;
    sendingApplication: string;
    sendingFacility: string;
    receivingApplication: string;
    receivingFacility: string;
  };
}

/** One segment of a parsed message, with bounds-checked, unescaped access. */
export class Segment {
  constructor(
    private readonly segment: Hl7Segment,
    private readonly delimiters: Delimiters,
  ) {}

  get name(): string {
    return this.segment.name;
  }

  /** How many repetitions field `field` has (0 when absent or empty). */
  repetitions(field: number): number {
    const f = this.segment.getField(field);
    if (!f) return 0;
    return f.components.length === 1 && f.components[0]?.every((c) => c === '')
      ? 0
      : f.components.length;
  }

  /**
   * The value at field/component/subcomponent (all 1-based) of a repetition (0-based), unescaped
   * and trimmed; '' when absent. HL7's `""` (explicit null) also reads as ''.
   */
  value(field: number, component = 1, subcomponent = 1, repetition = 0): string {
    const raw = this.encoded(field, component, repetition);
    const sub = raw.split(this.delimiters.subcomponent)[subcomponent - 1] ?? '';
    const text = unescapeHl7(sub, this.delimiters).replace(CONTROL, '').trim();
    if (text === '""') return '';
    return text.length > MAX_VALUE_LENGTH ? text.slice(0, MAX_VALUE_LENGTH) : text;
  }

  /** A component as sent, subcomponents and escapes untouched. */
  encoded(field: number, component = 1, repetition = 0): string {
    return this.segment.getField(field)?.components[repetition]?.[component - 1] ?? '';
  }

  /** A whole field as sent. */
  rawField(field: number): string {
    return this.segment.getField(field)?.toString() ?? '';
  }
}

/** A message that passed the header checks. */
export class Hl7Read {
  private readonly all: Segment[];

  constructor(
    readonly text: string,
    readonly header: MessageHeader,
    parsed: Hl7Message,
  ) {
    this.all = parsed.segments.map((s) => new Segment(s, header.delimiters));
  }

  segment(name: string): Segment | null {
    return this.all.find((s) => s.name === name) ?? null;
  }

  segmentsNamed(name: string): Segment[] {
    return this.all.filter((s) => s.name === name);
  }

  /** Every segment in order, for messages whose meaning depends on grouping (A40's PID/MRG). */
  get segments(): readonly Segment[] {
    return this.all;
  }
}

export type ReadResult =
  | { ok: true; message: Hl7Read }
  | { ok: false; error: string; location: string | null; header: MessageHeader | null };

function headerOf(msh: Segment, delimiters: Delimiters, evn: Segment | null): MessageHeader {
  const short = (text: string, n = 20) => text.slice(0, n);
  const firstOf = (field: number) => short(msh.value(field) || msh.value(field, 2), 200);
  return {
    delimiters,
    controlId: short(msh.value(10), 199),
    messageType: short(msh.value(9).toUpperCase()),
    triggerEvent: short((msh.value(9, 2) || evn?.value(1) || '').toUpperCase()),
    structure: short(msh.value(9, 3).toUpperCase()),
    version: short(msh.value(12)),
    processingId: short(msh.value(11)),
    sendingApplication: firstOf(3),
    sendingFacility: firstOf(4),
    messageTime: short(msh.value(7), 40),
    raw: {
      controlId: msh.rawField(10).replace(CONTROL, ''),
      sendingApplication: msh.rawField(3).replace(CONTROL, ''),
      sendingFacility: msh.rawField(4).replace(CONTROL, ''),
      receivingApplication: msh.rawField(5).replace(CONTROL, ''),
      receivingFacility: msh.rawField(6).replace(CONTROL, ''),
    },
  };
}

/**
 * Reads one message (as `splitMessages` returns it). Never throws: a message that cannot be
 * read comes back with the reason, and with its header when the MSH segment itself was usable,
 * so the reply can still name the sender and echo MSH-10.
 */
export function readMessage(text: string): ReadResult {
  if (text.length > MAX_MESSAGE_BYTES) {
    return {
      ok: false,
      error: `The message is larger than ${MAX_MESSAGE_BYTES} bytes`,
      location: null,
      header: null,
    };
  }
  const delimiters = readDelimiters(text);
  if (typeof delimiters === 'string') {
    const location = text.startsWith('MSH') ? 'MSH-2' : null;
    return { ok: false, error: delimiters, location, header: null };
  }
  let parsed: Hl7Message;
  try {
    parsed = Hl7Message.parse(text);
  } catch (error) {
    return {
      ok: false,
      error: `The message could not be parsed: ${error instanceof Error ? error.message : String(error)}`,
      location: null,
      header: null,
    };
  }
  const segments = parsed.segments.map((s) => new Segment(s, delimiters));
  const msh = segments[0];
  if (msh?.name !== 'MSH') {
    return {
      ok: false,
      error: 'The message does not start with MSH',
      location: null,
      header: null,
    };
  }
  const header = headerOf(msh, delimiters, segments.find((s) => s.name === 'EVN') ?? null);
  if (!header.messageType) {
    return { ok: false, error: 'MSH-9 (message type) is missing', location: 'MSH-9', header };
  }
  if (!/^[A-Z0-9]{3}$/.test(header.messageType)) {
    return {
      ok: false,
      error: 'MSH-9 (message type) is not a message type',
      location: 'MSH-9',
      header,
    };
  }
  return { ok: true, message: new Hl7Read(text, header, parsed) };
}

/**
 * MSH-10 of a message whose header could not be fully read, when the field separator at least
 * is usable; '' otherwise. Lets the rejection still echo the control id.
 */
export function bestEffortControlId(text: string): string {
  if (!text.startsWith('MSH')) return '';
  const field = text.charAt(3);
  if (!SEPARATOR_OK(field)) return '';
  const line = text.split(/\r|\n/, 1)[0] ?? '';
  return (line.split(field)[9] ?? '').replace(CONTROL, '').slice(0, 199);
}

/** The sending facility, else application: it scopes the sender's own ids. */
export const senderOf = (header: MessageHeader) =>
  header.sendingFacility || header.sendingApplication || 'unknown';
