import { createHash } from 'node:crypto';
import nodemailer from 'nodemailer';
import type { SmtpConfig } from '../../config.js';

/** One email as the outbox hands it to a channel. */
export interface OutboundEmail {
  from: string;
  to: string;
  subject: string;
  text: string;
  html: string | null;
  /** Derived from the message's idempotency key: the same message always has the same id. */
  messageId: string;
  /** Issue 13: files sent with it (a confirmation's .ics). */
  attachments?: EmailAttachment[];
  /** Issue 11 (h11d): the envelope sender bounces go to (VERP); else `from`. */
  returnPath?: string;
}

/** A file sent with an email: text content (an iCalendar file) and its MIME type. */
export interface EmailAttachment {
  filename: string;
  contentType: string;
  content: string;
}

/** Where an email ends up after a successful send. */
export type EmailProvider = 'smtp' | 'local-mailbox';

export interface EmailChannel {
  readonly provider: EmailProvider;
  /** Sends; resolves to the provider's id for the message. Throws `EmailSendError` on failure. */
  send(email: OutboundEmail): Promise<string>;
  close(): void;
}

/** A failed send, described without PHI: no address, no text of the server's reply. */
export class EmailSendError extends Error {
  constructor(
    readonly code: string,
    /** The SMTP reply code (e.g. 550), when the server answered. */
    readonly responseCode: number | null,
  ) {
    super(`email not sent: ${code}${responseCode ? ` (SMTP ${responseCode})` : ''}`);
    this.name = 'EmailSendError';
  }

  /** A 5xx reply: the server refused the message itself, which retrying will not change. */
  get permanent(): boolean {
    return this.responseCode !== null && this.responseCode >= 500;
  }
}

/**
 * The Message-ID of a message: a hash of its organization and idempotency key, under the
 * sender's domain. A retry after a crash between the server's acceptance and the outbox's
 * "sent" sends the same Message-ID, so receivers and the tests' sink see it once.
 */
export function messageIdFor(orgId: string, idempotencyKey: string, from: string): string {
  const domain = /@([^@\s<>]+)>?\s*$/.exec(from)?.[1] ?? 'careloop.localhost';
  const digest = createHash('sha256')
    .update(`careloop-message\0${orgId}\0${idempotencyKey}`)
    .digest('hex')
    .slice(0, 40);
  return `<${digest}@${domain}>`;
}

/**
 * SMTP through nodemailer, one pooled transport per process. Timeouts are short so that a send
 * ends well within the outbox's hold on the message (`CLAIM_SECONDS`), and a stuck server does
 * not hold a worker.
 */
export class SmtpChannel implements EmailChannel {
  readonly provider = 'smtp' as const;
  private readonly transport: nodemailer.Transporter;

  constructor(config: SmtpConfig) {
    const timeouts = { connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 20_000 };
    this.transport =
      'url' in config
        ? nodemailer.createTransport({ url: config.url, pool: true, ...timeouts })
        : nodemailer.createTransport({
            pool: true,
            host: config.host,
            port: config.port,
            secure: config.secure,
            ...(config.user && config.password
              ? { auth: { user: config.user, pass: config.password } }
              : {}),
            ...timeouts,
          });
  }

  async send(email: OutboundEmail): Promise<string> {
    try {
      const info = await this.transport.sendMail({
        from: email.from,
        to: email.to,
        subject: email.subject,
        text: email.text,
        ...(email.html ? { html: email.html } : {}),
        ...(email.attachments?.length
          ? {
              attachments: email.attachments.map((a) => ({
                filename: a.filename,
                contentType: a.contentType,
                content: a.content,
              })),
            }
          : {}),
        messageId: email.messageId,
        ...(email.returnPath ? { envelope: { from: email.returnPath, to: email.to } } : {}),
      });
      return typeof info.messageId === 'string' ? info.messageId : email.messageId;
    } catch (error) {
      throw describeSmtpError(error);
    }
  }

  close(): void {
    this.transport.close();
  }
}

function describeSmtpError(error: unknown): EmailSendError {
  if (!error || typeof error !== 'object') return new EmailSendError('EUNKNOWN', null);
  const e = error as { code?: unknown; responseCode?: unknown };
  const code = typeof e.code === 'string' && /^[A-Z0-9_]{1,40}$/.test(e.code) ? e.code : 'ESEND';
  const responseCode = typeof e.responseCode === 'number' ? e.responseCode : null;
  return new EmailSendError(code, responseCode);
}

/**
 * The built-in local mailbox, when no SMTP server is configured (the demo): nothing leaves the
 * machine; the outbox row itself is the delivered message, and admins read it on the console's
 * Test mailbox page.
 */
export class LocalMailbox implements EmailChannel {
  readonly provider = 'local-mailbox' as const;

  async send(email: OutboundEmail): Promise<string> {
    return email.messageId;
  }

  close(): void {}
}
