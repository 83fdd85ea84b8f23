import type { AddressInfo } from 'node:net';
import { MAX_DSN_CHARS, messageIdOfReturnPath } from '@careloop/core';
import { SMTPServer, type SMTPServerSession } from 'smtp-server';
import { loggableText } from '../../../db/errors.js';
import type { EmailEventService } from './service.js';

/** The largest report taken: a DSN or ARF report with the returned message's headers. */
export const BOUNCE_MAX_BYTES = MAX_DSN_CHARS + 16_384;
/** Return paths in one report (a report names one message; a few is generous). */
export const BOUNCE_MAX_RECIPIENTS = 5;
/** Connections at once: bounces come from the organization's mail server, a few at a time. */
const MAX_CLIENTS = 20;

export interface BounceMailboxOptions {
  host: string;
  port: number;
  /** BOUNCE_ADDRESS: only its return paths (`local+<token>@domain`) are taken. */
  bounceAddress: string;
  clock: () => Date;
  /** Where refusals and failures are told: counts and codes, never an address or a text. */
  warn: (message: string) => void;
}

export interface RunningBounceMailbox {
  host: string;
  port: number;
  close(): Promise<void>;
}

const reply = (code: number, text: string) =>
  Object.assign(new Error(text), { responseCode: code });

/**
 * The bounce mailbox (issue 11): an SMTP listener for delivery status notifications (RFC 3464)
 * and complaints (RFC 5965 ARF) sent to an email's return path. The return path names the
 * outbox message (VERP, core `returnPathFor`); a recipient that is not one of ours, or names no
 * email Careloop sent, is refused at RCPT TO. A report is recorded as the signed HTTP endpoint
 * records one (EmailEventService). No AUTH and no TLS: it listens on loopback by default,
 * behind the organization's mail server, which relays the bounces to it (docs/delivery.md).
 */
export async function startBounceMailbox(
  emailEvents: EmailEventService,
  options: BounceMailboxOptions,
): Promise<RunningBounceMailbox> {
  const { bounceAddress } = options;
  /** The message a recipient's return path names, if it is an email Careloop sent. */
  const resolve = async (address: string) => {
    const messageId = messageIdOfReturnPath(bounceAddress, address);
    if (!messageId) return null;
    const orgId = await emailEvents.emailOrganization(messageId);
    return orgId ? { orgId, messageId } : null;
  };
  const record = async (session: SMTPServerSession, raw: string) => {
    for (const rcpt of session.envelope.rcptTo) {
      const target = await resolve(rcpt.address);
      if (!target) continue;
      const outcome = await emailEvents.reportReturned(
        target.orgId,
        target.messageId,
        raw,
        options.clock(),
      );
      if (!outcome)
        options.warn('bounce mailbox: a report that is no bounce or complaint was ignored');
    }
  };
  const server = new SMTPServer({
    disabledCommands: ['STARTTLS', 'AUTH'],
    authOptional: true,
    logger: false,
    size: BOUNCE_MAX_BYTES,
    maxClients: MAX_CLIENTS,
    banner: 'Careloop bounce mailbox',
    onRcptTo(address, session, callback) {
      // Counted before the look-up it limits.
      if (session.envelope.rcptTo.length >= BOUNCE_MAX_RECIPIENTS) {
        callback(reply(452, 'Too many recipients'));
        return;
      }
      resolve(address.address).then(
        (target) => callback(target ? null : reply(550, 'No such mailbox')),
        (error: unknown) => {
          options.warn(`bounce mailbox: recipient look-up failed: ${loggableText(error)}`);
          callback(reply(451, 'Try again later'));
        },
      );
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      let bytes = 0;
      stream.on('data', (chunk: Buffer) => {
        bytes += chunk.length;
        // Kept only up to the limit: a longer message is refused once it has been read.
        if (bytes <= BOUNCE_MAX_BYTES) chunks.push(chunk);
      });
      stream.on('error', (error: Error) => callback(error));
      stream.on('end', () => {
        if (stream.sizeExceeded || bytes > BOUNCE_MAX_BYTES) {
          callback(reply(552, 'Message too large'));
          return;
        }
        record(session, Buffer.concat(chunks).toString('utf8')).then(
          () => callback(null),
          (error: unknown) => {
            options.warn(`bounce mailbox: recording a report failed: ${loggableText(error)}`);
            callback(reply(451, 'Try again later'));
          },
        );
      });
    },
  });
  server.on('error', (error: Error) => {
    options.warn(`bounce mailbox: ${loggableText(error)}`);
  });
  await new Promise<void>((resolve, reject) => {
    server.server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.server.off('error', reject);
      resolve();
    });
  });
  const { address, port } = server.server.address() as AddressInfo;
  return {
    host: address,
    port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
