/**
 * The shared inbox, portal secure messaging and call tasks (issue 11): the rules that need no
 * database, shared by the server and the web app.
 */

export const CONVERSATION_STATUSES = ['open', 'pending', 'closed'] as const;
export type ConversationStatus = (typeof CONVERSATION_STATUSES)[number];

/** Where a conversation happens: texts (and their quick replies), or the portal's secure threads. */
export const CONVERSATION_CHANNELS = ['sms', 'portal'] as const;
export type ConversationChannel = (typeof CONVERSATION_CHANNELS)[number];

/**
 * Who wrote an entry: the patient, the care team (sent to the patient), or a note among staff
 * (never sent, never shown to the patient).
 */
export const CONVERSATION_ENTRY_KINDS = ['patient', 'staff', 'note'] as const;
export type ConversationEntryKind = (typeof CONVERSATION_ENTRY_KINDS)[number];

/** A message's text, either side. */
export const MAX_MESSAGE_CHARS = 5000;

/** One attachment's size: a scan or a photo, not a video. */
export const MAX_ATTACHMENT_BYTES = 5 * 1024 * 1024;
export const MAX_ATTACHMENTS_PER_MESSAGE = 2;
export const ATTACHMENT_TYPES = ['application/pdf', 'image/png', 'image/jpeg'] as const;
export type AttachmentType = (typeof ATTACHMENT_TYPES)[number];

/** The longest base64 text of an attachment within the limit (4 characters per 3 bytes). */
export const MAX_ATTACHMENT_BASE64_CHARS = Math.ceil(MAX_ATTACHMENT_BYTES / 3) * 4;

const startsWith = (bytes: Uint8Array, prefix: readonly number[]) =>
  bytes.length >= prefix.length && prefix.every((b, i) => bytes[i] === b);

/**
 * The type of a file from its first bytes, never from its name or the type the browser
 * claimed: `%PDF-`, PNG's eight-byte signature, JPEG's SOI marker. Null: none we accept.
 */
export function sniffAttachmentType(bytes: Uint8Array): AttachmentType | null {
  if (startsWith(bytes, [0x25, 0x50, 0x44, 0x46, 0x2d])) return 'application/pdf';
  if (startsWith(bytes, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'image/png';
  if (startsWith(bytes, [0xff, 0xd8, 0xff])) return 'image/jpeg';
  return null;
}

export type AttachmentVerdict =
  | { ok: true; contentType: AttachmentType }
  | { ok: false; reason: 'empty' | 'too-large' | 'type' };

/** Whether a file may be attached: its size, then its sniffed type. */
export function checkAttachment(bytes: Uint8Array): AttachmentVerdict {
  if (bytes.length === 0) return { ok: false, reason: 'empty' };
  if (bytes.length > MAX_ATTACHMENT_BYTES) return { ok: false, reason: 'too-large' };
  const contentType = sniffAttachmentType(bytes);
  return contentType ? { ok: true, contentType } : { ok: false, reason: 'type' };
}

const EXTENSION: Record<AttachmentType, string> = {
  'application/pdf': 'pdf',
  'image/png': 'png',
  'image/jpeg': 'jpg',
};

/**
 * A file name safe to store and to offer back in a `Content-Disposition`: the base name only,
 * printable ASCII letters, digits, `.-_ ` (others become `_`), at most 100 characters, with
 * the extension of the sniffed type (a `.pdf` that is a PNG is served as what it is).
 */
export function safeAttachmentName(name: string, contentType: AttachmentType): string {
  const base = (name.split(/[\\/]/).pop() ?? '').replace(/\.[^.]*$/, '');
  const cleaned = base
    .replace(/[^A-Za-z0-9 ._-]/g, '_')
    .replace(/^[ .]+/, '')
    .trim()
    .slice(0, 100);
  return `${cleaned || 'attachment'}.${EXTENSION[contentType]}`;
}

/**
 * What the patient is told when the care team writes in the portal: no clinical detail, no
 * sender, nothing of the message; only that there is one, and where.
 */
export function portalMessageNotice(organizationName: string): { subject: string; text: string } {
  return {
    subject: `New message from ${organizationName}`,
    text: `You have a new message from ${organizationName}. Sign in to read it.`,
  };
}

/** What a caller records after a call task's call. */
export const CALL_OUTCOMES = [
  'reached',
  'voicemail',
  'no-answer',
  'wrong-number',
  'declined',
] as const;
export type CallOutcome = (typeof CALL_OUTCOMES)[number];

export const CALL_OUTCOME_LABELS: Record<CallOutcome, string> = {
  reached: 'Reached',
  voicemail: 'Left a voicemail',
  'no-answer': 'No answer',
  'wrong-number': 'Wrong number',
  declined: 'Declined',
};

export function isCallOutcome(value: string): value is CallOutcome {
  return (CALL_OUTCOMES as readonly string[]).includes(value);
}

/** A call that did not reach the patient leaves the task open for another try. */
export function callOutcomeCompletes(outcome: CallOutcome): boolean {
  switch (outcome) {
    case 'reached':
    case 'wrong-number':
    case 'declined':
      return true;
    case 'voicemail':
    case 'no-answer':
      return false;
  }
}
