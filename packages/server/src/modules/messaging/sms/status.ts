import { type MessageStatus, nextMessageStatus, smsStatusFromProvider } from '@careloop/core';
import { and, eq } from 'drizzle-orm';
import type { Database } from '../../../db/client.js';
import { outboundMessages } from '../schema.js';

/** A provider's delivery report for one of our texts (Twilio's status callback). */
export interface SmsStatusReport {
  orgId: string;
  messageId: string;
  /** The provider's id for the text (MessageSid): must be the one the send returned. */
  providerMessageId: string;
  /** The provider's status name (`delivered`, `undelivered`, `failed`, …). */
  status: string;
  /** The provider's error code on failure (Twilio's ErrorCode): a number, never text. */
  errorCode: string | null;
}

export type StatusOutcome = 'updated' | 'unchanged' | 'unknown-message';

/**
 * Moves a text's status forward on a provider's report (core's `nextMessageStatus`): reports
 * arrive late, twice and out of order, and a stale one changes nothing. A report for a message
 * we do not have, or whose provider id differs, is ignored (and answered 200, so the provider
 * stops retrying it).
 */
export async function recordSmsStatus(
  database: Database,
  report: SmsStatusReport,
): Promise<StatusOutcome> {
  const reported = smsStatusFromProvider(report.status);
  return database.withTenant(report.orgId, async (tx) => {
    const [row] = await tx
      .select({ status: outboundMessages.status })
      .from(outboundMessages)
      .where(
        and(
          eq(outboundMessages.id, report.messageId),
          eq(outboundMessages.channel, 'sms'),
          eq(outboundMessages.providerMessageId, report.providerMessageId),
        ),
      )
      .for('update');
    if (!row) return 'unknown-message';
    const next = reported ? nextMessageStatus(row.status as MessageStatus, reported) : null;
    if (!next) return 'unchanged';
    const code = report.errorCode && /^\d{1,10}$/.test(report.errorCode) ? report.errorCode : null;
    await tx
      .update(outboundMessages)
      .set({
        status: next,
        ...(next === 'failed'
          ? { lastError: `sms not delivered${code ? `: TWILIO_${code}` : ''}` }
          : {}),
      })
      .where(eq(outboundMessages.id, report.messageId));
    return 'updated';
  });
}
