import { randomUUID } from 'node:crypto';
import { messageIdOfReturnPath } from '@careloop/core';
import { eq } from 'drizzle-orm';
import nodemailer from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeEachDatabase } from '../../../test/databases.js';
import { touchpoints } from '../../timeline/schema.js';
import { emailSuppressions } from '../schema.js';
import {
  BOUNCE_MAX_BYTES,
  type RunningBounceMailbox,
  startBounceMailbox,
} from './bounce-mailbox.js';
import { useMailApp } from './test/mail-app.js';

const BOUNCES = 'bounces@clinic.example';

/** A DSN as a receiving server writes it (RFC 3464): `to` could not take our message. */
const dsn = (to: string, action: string, status: string) =>
  [
    'From: MAILER-DAEMON@mx.example.org (Mail Delivery System)',
    'Subject: Undelivered Mail Returned to Sender',
    'MIME-Version: 1.0',
    'Content-Type: multipart/report; report-type=delivery-status;',
    '\tboundary="B1.1701853200/mx.example.org"',
    '',
    '--B1.1701853200/mx.example.org',
    'Content-Type: text/plain; charset=us-ascii',
    '',
    'Your message could not be delivered.',
    '',
    '--B1.1701853200/mx.example.org',
    'Content-Type: message/delivery-status',
    '',
    'Reporting-MTA: dns; mx.example.org',
    '',
    `Final-Recipient: rfc822; ${to.toUpperCase()}`,
    `Action: ${action}`,
    `Status: ${status}`,
    '',
    '--B1.1701853200/mx.example.org--',
    '',
  ].join('\r\n');

/** A mailbox provider's complaint (RFC 5965 ARF) about our email to `to`. */
const arf = (to: string, feedbackType = 'abuse') =>
  [
    'From: <abuse@mailbox.example>',
    'Subject: FW: Your visit',
    'MIME-Version: 1.0',
    'Content-Type: multipart/report; report-type=feedback-report; boundary="arf1"',
    '',
    '--arf1',
    'Content-Type: text/plain',
    '',
    'This is an email abuse report.',
    '--arf1',
    'Content-Type: message/feedback-report',
    '',
    `Feedback-Type: ${feedbackType}`,
    'User-Agent: SomeGenerator/1.0',
    'Version: 1',
    '',
    '--arf1',
    'Content-Type: text/rfc822-headers',
    '',
    'From: Clinic <no-reply@clinic.example>',
    `To: ${to}`,
    'Subject: Your visit',
    '',
    '--arf1--',
    '',
  ].join('\r\n');

/**
 * The bounce mailbox: emails leave with a return path naming their outbox message (VERP), and
 * a mail server's DSN or complaint sent there over SMTP (nodemailer, a real socket) is recorded
 * as the signed HTTP endpoint records one.
 */
describeEachDatabase('the bounce mailbox (SMTP)', (kind) => {
  const mail = useMailApp(kind, { BOUNCE_ADDRESS: BOUNCES });
  let mailbox: RunningBounceMailbox;
  let reporter: nodemailer.Transporter;
  const warnings: string[] = [];

  beforeAll(async () => {
    mailbox = await startBounceMailbox(mail.app.services.emailEvents, {
      host: '127.0.0.1',
      port: 0,
      bounceAddress: BOUNCES,
      clock: () => mail.clock.now(),
      warn: (message) => warnings.push(message),
    });
    reporter = nodemailer.createTransport({
      host: mailbox.host,
      port: mailbox.port,
      secure: false,
      ignoreTLS: true,
      pool: true,
    });
  });

  afterAll(async () => {
    reporter?.close();
    await mailbox?.close();
  });

  /**
   * An email to `to` about a patient of its own (the send-time caps count per patient), sent
   * through the outbox to the SMTP mail.sink.
   */
  const send = async (to: string) => {
    const patientId = (await mail.tenant.createPatient()).id;
    const id = await mail.app.database.withTenant(mail.tenant.orgId, (tx) =>
      mail.app.services.outbox.queueEmail(tx, {
        orgId: mail.tenant.orgId,
        patientId,
        purpose: 'operations',
        to,
        subject: 'Your visit',
        text: 'See you soon.',
        idempotencyKey: randomUUID(),
      }),
    );
    if (!id) throw new Error('not queued');
    expect(
      await mail.app.services.outbox.deliver({ orgId: mail.tenant.orgId, messageId: id }),
    ).toBe('sent');
    const [sunk] = mail.sink.to(to);
    if (!sunk?.from) throw new Error('no envelope sender');
    return { id, returnPath: sunk.from };
  };
  const report = (returnPath: string, raw: string) =>
    reporter.sendMail({ envelope: { from: '', to: [returnPath] }, raw });
  const suppressions = (address: string) =>
    mail.app.database.withTenant(mail.tenant.orgId, (tx) =>
      tx
        .select({ reason: emailSuppressions.reason })
        .from(emailSuppressions)
        .where(eq(emailSuppressions.address, address)),
    );
  const timeline = (id: string) =>
    mail.app.database.withTenant(mail.tenant.orgId, async (tx) =>
      (
        await tx
          .select({ type: touchpoints.type })
          .from(touchpoints)
          .where(eq(touchpoints.subjectId, id))
      ).map((t) => t.type),
    );
  const address = (name: string) => `${name}-${randomUUID().slice(0, 8)}@example.org`;

  it('sends each email with a return path that names its outbox message', async () => {
    const to = address('rosa');
    const { id, returnPath } = await send(to);
    expect(returnPath).toMatch(/^bounces\+[0-9a-f]{32}@clinic\.example$/);
    expect(messageIdOfReturnPath(BOUNCES, returnPath)).toBe(id);
  });

  it('a DSN with 5.1.1 sent to the return path bounces the email and suppresses the address', async () => {
    const to = address('gone');
    const { id, returnPath } = await send(to);
    const answer = await report(returnPath, dsn(to, 'failed', '5.1.1'));
    expect(answer.rejected).toEqual([]);
    expect(await mail.row(id)).toMatchObject({ status: 'bounced' });
    expect(await suppressions(to)).toEqual([{ reason: 'hard-bounce' }]);
    expect(await timeline(id)).toContain('communication.bounced');
  });

  it('a DSN with 4.2.2 is recorded on the email and the timeline, nothing suppressed', async () => {
    const to = address('full');
    const { id, returnPath } = await send(to);
    await report(returnPath, dsn(to, 'failed', '4.2.2'));
    expect(await mail.row(id)).toMatchObject({ status: 'sent', lastError: 'soft bounce 4.2.2' });
    expect(await suppressions(to)).toEqual([]);
    expect(await timeline(id)).toContain('communication.soft-bounced');
  });

  it('an ARF abuse report marks the email complained and suppresses the address for marketing', async () => {
    const to = address('annoyed');
    const { id, returnPath } = await send(to);
    await report(returnPath, arf(to));
    expect(await mail.row(id)).toMatchObject({ status: 'complained' });
    expect(await suppressions(to)).toEqual([{ reason: 'complaint' }]);
  });

  it('changes nothing for a report about another address, or one that is no bounce', async () => {
    const to = address('kept');
    const { id, returnPath } = await send(to);
    await report(returnPath, dsn('someone-else@example.org', 'failed', '5.1.1'));
    await report(returnPath, arf(to, 'not-spam'));
    await report(returnPath, 'Subject: out of office\r\n\r\nI am away until Monday.');
    expect(await mail.row(id)).toMatchObject({ status: 'sent' });
    expect(await suppressions(to)).toEqual([]);
    expect(warnings.length).toBeGreaterThanOrEqual(3);
    expect(warnings.join('\n')).not.toContain('example.org');
  });

  describe('refuses at RCPT TO', () => {
    it('an address that is not a return path of ours, or names no email Careloop sent', async () => {
      const unknown = `bounces+${randomUUID().replaceAll('-', '')}@clinic.example`;
      for (const to of [
        unknown,
        'bounces+not-a-token@clinic.example',
        'postmaster@clinic.example',
        `bounces+${randomUUID().replaceAll('-', '')}@elsewhere.example`,
      ]) {
        await expect(report(to, dsn('a@example.org', 'failed', '5.1.1'))).rejects.toMatchObject({
          responseCode: 550,
        });
      }
    });
  });

  it('refuses a report over the size limit, and records nothing of it', async () => {
    const to = address('big');
    const { id, returnPath } = await send(to);
    const padding = `X-Padding: ${'a'.repeat(900)}\r\n`.repeat(Math.ceil(BOUNCE_MAX_BYTES / 900));
    await expect(
      report(returnPath, `${padding}${dsn(to, 'failed', '5.1.1')}`),
    ).rejects.toMatchObject({ responseCode: 552 });
    expect(await mail.row(id)).toMatchObject({ status: 'sent' });
  });
});
