/**
 * Delivery status notifications (RFC 3464): the report a mail server sends back when it could
 * not deliver, or is still trying. Read from the raw message: the `message/delivery-status`
 * part's per-recipient fields, and the Message-ID of the original from its returned headers
 * (`text/rfc822-headers` or `message/rfc822`). Pure: no I/O, no clock.
 */

/** One recipient's fields of a DSN. */
export interface DsnRecipient {
  /** The address from `Final-Recipient` (`rfc822; a@b`), lower-cased. */
  address: string;
  /** `failed`, `delayed`, `delivered`, `relayed` or `expanded`. */
  action: string;
  /** The enhanced status code, e.g. `5.1.1` (RFC 3463). */
  status: string;
}

export interface DeliveryStatusReport {
  /** The Message-ID of the message the report is about, `<…>`, when it was returned. */
  originalMessageId: string | null;
  recipients: DsnRecipient[];
}

/** What a DSN recipient means for the address: a hard bounce suppresses, a soft one does not. */
export type BounceKind = 'hard' | 'soft';

/** The longest DSN read (a returned message beyond this is cut by its sender anyway). */
export const MAX_DSN_CHARS = 262_144;

/**
 * The report in a raw DSN, or null when the message is not one (no multipart/report with a
 * delivery-status part, or no recipient with an address, action and status).
 */
export function parseDsn(raw: string): DeliveryStatusReport | null {
  if (raw.length > MAX_DSN_CHARS) return null;
  const top = splitEntity(raw);
  const type = contentType(top.headers);
  if (type.value !== 'multipart/report' || !type.boundary) return null;
  const parts = multipartParts(top.body, type.boundary).map(splitEntity);
  let recipients: DsnRecipient[] | null = null;
  let originalMessageId: string | null = null;
  for (const part of parts) {
    const partType = contentType(part.headers).value;
    if (partType === 'message/delivery-status' || partType === 'message/global-delivery-status') {
      recipients = recipientsOf(part.body);
    } else if (partType === 'text/rfc822-headers' || partType === 'message/rfc822') {
      const returned = headerMap(splitEntity(part.body).headers);
      originalMessageId = messageIdOf(returned.get('message-id') ?? null);
    }
  }
  if (!recipients || recipients.length === 0) return null;
  return { originalMessageId, recipients };
}

/** A complaint (RFC 5965 Abuse Reporting Format): a recipient marked our email as spam. */
export interface FeedbackReport {
  /** `abuse`, `fraud`, `virus`, `other`, … (lower-cased). */
  feedbackType: string;
  /** The Message-ID of the message complained about, `<…>`, when it was returned. */
  originalMessageId: string | null;
}

/**
 * The feedback report in a raw ARF message, or null when the message is not one (no
 * multipart/report with a `message/feedback-report` part that names its Feedback-Type).
 */
export function parseFeedbackReport(raw: string): FeedbackReport | null {
  if (raw.length > MAX_DSN_CHARS) return null;
  const top = splitEntity(raw);
  const type = contentType(top.headers);
  if (type.value !== 'multipart/report' || !type.boundary) return null;
  let feedbackType: string | null = null;
  let originalMessageId: string | null = null;
  for (const part of multipartParts(top.body, type.boundary).map(splitEntity)) {
    const partType = contentType(part.headers).value;
    if (partType === 'message/feedback-report') {
      feedbackType = headerMap(unfold(part.body)).get('feedback-type')?.toLowerCase() ?? null;
    } else if (partType === 'text/rfc822-headers' || partType === 'message/rfc822') {
      const returned = headerMap(splitEntity(part.body).headers);
      originalMessageId = messageIdOf(returned.get('message-id') ?? null);
    }
  }
  return feedbackType ? { feedbackType, originalMessageId } : null;
}

/**
 * A recipient's bounce: `failed` with a 5.x.x status is hard (the address does not take mail);
 * `failed` with 4.x.x, or `delayed`, is soft (full mailbox, greylisting: try again later).
 * Delivered, relayed or expanded: no bounce.
 */
export function bounceKindOf(recipient: DsnRecipient): BounceKind | null {
  const klass = recipient.status.charAt(0);
  if (recipient.action === 'failed') {
    if (klass === '5') return 'hard';
    if (klass === '4') return 'soft';
    return null;
  }
  if (recipient.action === 'delayed') return 'soft';
  return null;
}

interface Entity {
  headers: string[];
  body: string;
}

/** Headers (unfolded, one per entry) and body of a message or a MIME part. */
function splitEntity(text: string): Entity {
  const normalized = text.replace(/\r\n?/g, '\n');
  const end = normalized.indexOf('\n\n');
  const head = end === -1 ? normalized : normalized.slice(0, end);
  const body = end === -1 ? '' : normalized.slice(end + 2);
  return { headers: unfold(head), body };
}

/** Header lines with their continuation lines (starting with space or tab) joined. */
function unfold(head: string): string[] {
  const lines: string[] = [];
  for (const line of head.split('\n')) {
    const last = lines.length - 1;
    if ((line.startsWith(' ') || line.startsWith('\t')) && last >= 0) {
      lines[last] = `${lines[last]} ${line.trim()}`;
    } else if (line.length > 0) {
      lines.push(line);
    }
  }
  return lines;
}

/** Field names lower-cased to their values (the first of each name). */
function headerMap(headers: readonly string[]): Map<string, string> {
  const map = new Map<string, string>();
  for (const line of headers) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    if (!map.has(name)) map.set(name, line.slice(colon + 1).trim());
  }
  return map;
}

function contentType(headers: readonly string[]): { value: string; boundary: string | null } {
  const header = headerMap(headers).get('content-type') ?? 'text/plain';
  const [value = '', ...params] = header.split(';');
  let boundary: string | null = null;
  for (const param of params) {
    const eq = param.indexOf('=');
    if (eq === -1) continue;
    if (param.slice(0, eq).trim().toLowerCase() !== 'boundary') continue;
    boundary = param
      .slice(eq + 1)
      .trim()
      .replace(/^"(.*)"$/, '$1');
  }
  return { value: value.trim().toLowerCase(), boundary };
}

/** The parts between `--boundary` lines, up to `--boundary--`. */
function multipartParts(body: string, boundary: string): string[] {
  const parts: string[] = [];
  let current: string[] | null = null;
  for (const line of body.split('\n')) {
    const trimmed = line.trimEnd();
    if (trimmed === `--${boundary}--`) {
      if (current) parts.push(current.join('\n'));
      return parts;
    }
    if (trimmed === `--${boundary}`) {
      if (current) parts.push(current.join('\n'));
      current = [];
    } else if (current) {
      current.push(line);
    }
  }
  if (current) parts.push(current.join('\n'));
  return parts;
}

/**
 * The per-recipient blocks of a delivery-status body: after the per-message block, each block
 * (separated by a blank line) with a `Final-Recipient` is one recipient.
 */
function recipientsOf(body: string): DsnRecipient[] {
  const recipients: DsnRecipient[] = [];
  for (const block of body.split(/\n\s*\n/)) {
    const fields = headerMap(unfold(block));
    const recipient = fields.get('final-recipient') ?? fields.get('original-recipient');
    const action = fields.get('action')?.toLowerCase();
    const status = fields.get('status')?.match(/^[245]\.\d{1,3}\.\d{1,3}/)?.[0];
    const address = recipient ? addressOf(recipient) : null;
    if (address && action && status) recipients.push({ address, action, status });
  }
  return recipients;
}

/** `rfc822; Jane@Example.org` → `jane@example.org`; null when it holds no address. */
function addressOf(field: string): string | null {
  const semi = field.indexOf(';');
  const value = (semi === -1 ? field : field.slice(semi + 1)).trim().replace(/^<(.*)>$/, '$1');
  return /^[^\s@<>]+@[^\s@<>]+$/.test(value) ? value.toLowerCase() : null;
}

function messageIdOf(value: string | null): string | null {
  const found = value?.match(/<[^<>\s]{1,298}>/)?.[0];
  return found ?? null;
}
