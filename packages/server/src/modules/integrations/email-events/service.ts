import {
  badRequest,
  bounceKindOf,
  type DsnRecipient,
  type EmailSuppression,
  notFound,
  parseDsn,
  parseFeedbackReport,
} from '@careloop/core';
import { and, desc, eq, isNull, sql } from 'drizzle-orm';
import type { Database, Db } from '../../../db/client.js';
import type { RequestContext } from '../../../http/actor.js';
import type { AuditLog } from '../../audit/service.js';
import type { EmailEventsHook } from '../../messaging/outbox.js';
import { markEmailOutcome, markEmailSoftBounce } from '../../messaging/outbox.js';
import { outboundMessages } from '../../messaging/schema.js';
import { appendTouchpoints } from '../../timeline/service.js';
import { emailSuppressions } from '../schema.js';

export type EmailEventKind = 'bounced' | 'complained';

/**
 * Bounces and complaints (issue 11): a hard bounce (an SMTP 5xx at send time, or a provider's
 * report) stops every email to the address, a complaint stops marketing email to it, until
 * staff clear it. Each is on the patient's timeline; the message shows `bounced` or
 * `complained`.
 */
export class EmailEventService implements EmailEventsHook {
  constructor(
    private readonly database: Database,
    private readonly audit: AuditLog,
  ) {}

  /** The active suppressions, newest first (addresses are contact data: an audited read). */
  async list(ctx: RequestContext): Promise<EmailSuppression[]> {
    const rows = await this.database.withTenant(ctx.actor.orgId, (tx) =>
      tx
        .select()
        .from(emailSuppressions)
        .where(isNull(emailSuppressions.clearedAt))
        .orderBy(desc(emailSuppressions.createdAt))
        .limit(500),
    );
    await this.audit.read(ctx.audit, { action: 'search', recordType: 'email-suppression' });
    return rows.map(toSuppression);
  }

  /** Staff let email go to the address again. */
  async clear(ctx: RequestContext, id: string, at: Date): Promise<EmailSuppression> {
    return this.database.withTenant(ctx.actor.orgId, async (tx) => {
      const [row] = await tx
        .update(emailSuppressions)
        .set({ clearedAt: at, clearedBy: ctx.actor.userId })
        .where(and(eq(emailSuppressions.id, id), isNull(emailSuppressions.clearedAt)))
        .returning();
      if (!row) throw notFound('Suppression');
      await this.audit.inTransaction(tx, ctx.audit, {
        action: 'update',
        recordType: 'email-suppression',
        recordId: id,
        reason: 'cleared',
      });
      return toSuppression(row);
    });
  }

  /** Why email for `purpose` may not go to `address`, or null when it may. */
  async suppression(tx: Db, address: string, purpose: string): Promise<string | null> {
    const [row] = await tx
      .select({ reason: emailSuppressions.reason })
      .from(emailSuppressions)
      .where(
        and(
          eq(emailSuppressions.address, address.trim().toLowerCase()),
          isNull(emailSuppressions.clearedAt),
          // A complaint stops marketing only; a hard bounce stops everything.
          purpose === 'marketing' ? undefined : eq(emailSuppressions.reason, 'hard-bounce'),
        ),
      )
      .limit(1);
    return row ? row.reason : null;
  }

  /** Records a bounce or complaint of `message` in `tx`: status, suppression, timeline. */
  async record(
    tx: Db,
    message: typeof outboundMessages.$inferSelect,
    kind: EmailEventKind,
    at: Date,
  ): Promise<void> {
    await markEmailOutcome(tx, message.id, kind);
    const address = message.recipient.trim().toLowerCase();
    const reason = kind === 'bounced' ? 'hard-bounce' : 'complaint';
    const [active] = await tx
      .select({ id: emailSuppressions.id })
      .from(emailSuppressions)
      .where(
        and(
          eq(emailSuppressions.address, address),
          eq(emailSuppressions.reason, reason),
          isNull(emailSuppressions.clearedAt),
        ),
      );
    if (!active) {
      await tx
        .insert(emailSuppressions)
        .values({ orgId: message.orgId, address, reason, messageId: message.id, createdAt: at });
    }
    if (message.patientId) {
      const summary =
        kind === 'bounced'
          ? 'Email bounced: no more email to this address until staff clear it'
          : 'Email marked as spam: no more marketing email to this address until staff clear it';
      await appendTouchpoints(tx, [
        {
          orgId: message.orgId,
          patientId: message.patientId,
          channel: 'email',
          direction: 'outbound',
          type: `communication.${kind}`,
          stage: message.purpose === 'marketing' ? 'awareness' : 'follow-up',
          summary,
          nonClinicalSummary: summary,
          outcome: kind,
          subjectType: 'outbound-message',
          subjectId: message.id,
          occurredAt: at,
        },
      ]);
    }
  }

  /**
   * A provider's report about one of our messages, by the Message-ID we gave it (the outbox
   * stores it as `provider_message_id`). Returns false when no such message exists.
   */
  async report(
    orgId: string,
    report: { messageId: string; kind: EmailEventKind },
    at: Date,
  ): Promise<boolean> {
    return this.database.withTenant(orgId, async (tx) => {
      const [message] = await tx
        .select()
        .from(outboundMessages)
        .where(
          and(
            eq(outboundMessages.channel, 'email'),
            eq(outboundMessages.providerMessageId, report.messageId),
          ),
        )
        .limit(1);
      if (!message) return false;
      await this.record(tx, message, report.kind, at);
      return true;
    });
  }

  /**
   * A delivery status notification (RFC 3464) the bounce mailbox received: each failed
   * recipient's email (the returned Message-ID's, else the latest to that address) is marked
   * bounced and the address suppressed on a 5.x.x; a 4.x.x or a delay is recorded on the message
   * and the timeline, nothing suppressed. Returns how many recipients it recorded.
   */
  async reportDsn(orgId: string, raw: string, at: Date): Promise<number> {
    const report = parseDsn(raw);
    if (!report) {
      throw badRequest('The message is not a delivery status notification', '/body/message');
    }
    return this.database.withTenant(orgId, async (tx) => {
      let recorded = 0;
      for (const recipient of report.recipients) {
        const kind = bounceKindOf(recipient);
        if (!kind) continue;
        const message = await this.bouncedMessage(tx, report.originalMessageId, recipient);
        if (!message) continue;
        if (kind === 'hard') await this.record(tx, message, 'bounced', at);
        else await this.recordSoftBounce(tx, message, recipient.status, at);
        recorded += 1;
      }
      return recorded;
    });
  }

  // Issue 11 (h11d): the bounce mailbox (bounce-mailbox.ts) knows the message by its return path.
  /** The organization of the email `messageId` (a return path's token), or null: no such email. */
  async emailOrganization(messageId: string): Promise<string | null> {
    const [row] = await this.database.system((tx) =>
      tx
        .select({ orgId: outboundMessages.orgId })
        .from(outboundMessages)
        .where(and(eq(outboundMessages.id, messageId), eq(outboundMessages.channel, 'email'))),
    );
    return row?.orgId ?? null;
  }

  /**
   * A report the bounce mailbox received at the return path of the email `messageId`: an ARF
   * complaint (`Feedback-Type: abuse`) marks it complained; a DSN is read as the HTTP endpoint
   * reads one (5.x.x bounced and suppressed, 4.x.x recorded), for the email's own recipient
   * only. Anything else changes nothing. Returns what it recorded, or null.
   */
  async reportReturned(
    orgId: string,
    messageId: string,
    raw: string,
    at: Date,
  ): Promise<'bounced' | 'soft-bounced' | 'complained' | null> {
    return this.database.withTenant(orgId, async (tx) => {
      const [message] = await tx
        .select()
        .from(outboundMessages)
        .where(and(eq(outboundMessages.id, messageId), eq(outboundMessages.channel, 'email')));
      if (!message) return null;
      const feedback = parseFeedbackReport(raw);
      if (feedback) {
        if (feedback.feedbackType !== 'abuse') return null;
        await this.record(tx, message, 'complained', at);
        return 'complained';
      }
      const address = message.recipient.trim().toLowerCase();
      const recipient = parseDsn(raw)?.recipients.find((r) => r.address === address);
      const kind = recipient ? bounceKindOf(recipient) : null;
      if (!recipient || !kind) return null;
      if (kind === 'hard') {
        await this.record(tx, message, 'bounced', at);
        return 'bounced';
      }
      await this.recordSoftBounce(tx, message, recipient.status, at);
      return 'soft-bounced';
    });
  }

  /** The email a DSN recipient is about: by the returned Message-ID, else the latest to it. */
  private async bouncedMessage(
    tx: Db,
    originalMessageId: string | null,
    recipient: DsnRecipient,
  ): Promise<typeof outboundMessages.$inferSelect | null> {
    const [message] = await tx
      .select()
      .from(outboundMessages)
      .where(
        and(
          eq(outboundMessages.channel, 'email'),
          sql`lower(${outboundMessages.recipient}) = ${recipient.address}`,
          originalMessageId ? eq(outboundMessages.providerMessageId, originalMessageId) : undefined,
        ),
      )
      .orderBy(desc(outboundMessages.createdAt))
      .limit(1);
    return message ?? null;
  }

  private async recordSoftBounce(
    tx: Db,
    message: typeof outboundMessages.$inferSelect,
    status: string,
    at: Date,
  ): Promise<void> {
    await markEmailSoftBounce(tx, message.id, status);
    if (!message.patientId) return;
    const summary =
      'Email not delivered yet (mailbox full or server busy): the address stays in use';
    await appendTouchpoints(tx, [
      {
        orgId: message.orgId,
        patientId: message.patientId,
        channel: 'email',
        direction: 'outbound',
        type: 'communication.soft-bounced',
        stage: message.purpose === 'marketing' ? 'awareness' : 'follow-up',
        summary,
        nonClinicalSummary: summary,
        outcome: 'soft-bounced',
        subjectType: 'outbound-message',
        subjectId: message.id,
        occurredAt: at,
      },
    ]);
  }
}

function toSuppression(row: typeof emailSuppressions.$inferSelect): EmailSuppression {
  return {
    id: row.id,
    address: row.address,
    reason: row.reason === 'complaint' ? 'complaint' : 'hard-bounce',
    createdAt: row.createdAt.toISOString(),
  };
}
