import { randomBytes, randomUUID } from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import { beforeAll, expect, it } from 'vitest';
import type { Session } from '../../../test/app.js';
import { describeEachDatabase } from '../../../test/databases.js';
import type { QueuedEmail } from '../../messaging/outbox.js';
import { touchpoints } from '../../timeline/schema.js';
import { webhookHeaders } from '../webhooks/signature.js';
import { useMailApp } from './test/mail-app.js';

const SECRET = `whsec_${randomBytes(32).toString('base64')}`;

describeEachDatabase('email bounces and complaints', (kind) => {
  const mail = useMailApp(kind, { EMAIL_EVENTS_SECRET: SECRET });
  let admin: Session;
  let patientId: string;

  beforeAll(async () => {
    admin = await mail.tenant.signIn('admin');
    patientId = (await mail.tenant.createPatient({ givenName: 'Rosa', familyName: 'Diaz' })).id;
  });

  /**
   * An email to `to`; about the patient only when `aboutPatient` (the later ones are not, so the
   * send-time consent and caps checks stay out of what these tests look at).
   */
  const queue = (
    to: string,
    purpose: QueuedEmail['purpose'] = 'operations',
    aboutPatient = false,
  ) =>
    mail.app.database.withTenant(mail.tenant.orgId, async (tx) => {
      const id = await mail.app.services.outbox.queueEmail(tx, {
        orgId: mail.tenant.orgId,
        patientId: aboutPatient ? patientId : null,
        purpose,
        to,
        subject: 'Your visit',
        text: 'See you soon.',
        idempotencyKey: randomUUID(),
      });
      if (!id) throw new Error('not queued');
      return id;
    });
  const deliver = (messageId: string) =>
    mail.app.services.outbox.deliver({ orgId: mail.tenant.orgId, messageId });
  const timeline = (id: string) =>
    mail.app.database.withTenant(mail.tenant.orgId, (tx) =>
      tx
        .select({ type: touchpoints.type, patientId: touchpoints.patientId })
        .from(touchpoints)
        .where(and(eq(touchpoints.subjectType, 'outbound-message'), eq(touchpoints.subjectId, id))),
    );

  function report(body: unknown, secret = SECRET) {
    const text = JSON.stringify(body);
    return mail.app.app.inject({
      method: 'POST',
      url: `/api/email/events?org=${mail.tenant.orgId}`,
      headers: {
        'content-type': 'application/json',
        ...webhookHeaders(
          [secret],
          `msg_${randomUUID()}`,
          Math.floor(mail.clock.now().getTime() / 1000),
          text,
        ),
      },
      payload: text,
    });
  }

  it('a 5xx at send time is a hard bounce: bounced, on the timeline, no more email to the address', async () => {
    const to = `gone-${randomUUID().slice(0, 8)}@example.org`;
    mail.sink.refuse.set(to, 550);
    const id = await queue(to, 'operations', true);
    expect(await deliver(id)).toBe('bounced');
    expect(await mail.row(id)).toMatchObject({ status: 'bounced' });
    expect(await timeline(id)).toEqual([{ type: 'communication.bounced', patientId }]);

    mail.sink.refuse.delete(to);
    const next = await queue(to, 'treatment');
    expect(await deliver(next)).toBe('suppressed');
    expect(await mail.row(next)).toMatchObject({
      status: 'suppressed',
      suppressionReason: 'hard-bounce',
    });
    expect(mail.sink.to(to)).toHaveLength(0);

    // Staff clear it: email goes again.
    const list = await admin.get('/api/email/suppressions');
    const suppression = list
      .json<{ items: { id: string; address: string }[] }>()
      .items.find((s) => s.address === to);
    if (!suppression) throw new Error('no suppression listed');
    expect((await admin.post(`/api/email/suppressions/${suppression.id}/clear`)).statusCode).toBe(
      200,
    );
    const after = await queue(to);
    expect(await deliver(after)).toBe('sent');
    expect(mail.sink.to(to)).toHaveLength(1);
  });

  it('a 4xx at send time is retried, not a bounce', async () => {
    const to = `busy-${randomUUID().slice(0, 8)}@example.org`;
    mail.sink.refuse.set(to, 451);
    const id = await queue(to);
    await expect(deliver(id)).rejects.toThrow(/SMTP 451/);
    expect(await mail.row(id)).toMatchObject({ status: 'queued' });
    mail.sink.refuse.delete(to);
    expect(await deliver(id)).toBe('sent');
  });

  it("a provider's signed complaint stops marketing email to the address, not care email", async () => {
    const to = `annoyed-${randomUUID().slice(0, 8)}@example.org`;
    const id = await queue(to, 'operations', true);
    expect(await deliver(id)).toBe('sent');
    const { providerMessageId } = await mail.row(id);
    if (!providerMessageId) throw new Error('no Message-ID');

    const forged = await report(
      { type: 'complaint', messageId: providerMessageId },
      `whsec_${randomBytes(32).toString('base64')}`,
    );
    expect(forged.statusCode).toBe(403);
    expect(await mail.row(id)).toMatchObject({ status: 'sent' });

    const soft = await report({ type: 'bounce', bounceType: 'soft', messageId: providerMessageId });
    expect(soft.json()).toEqual({ recorded: false });
    const res = await report({ type: 'complaint', messageId: providerMessageId });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toEqual({ recorded: true });
    expect(await mail.row(id)).toMatchObject({ status: 'complained' });
    expect(await timeline(id)).toEqual([{ type: 'communication.complained', patientId }]);

    const marketing = await queue(to, 'marketing');
    expect(await deliver(marketing)).toBe('suppressed');
    const care = await queue(to, 'treatment');
    expect(await deliver(care)).toBe('sent');
    expect(mail.sink.to(to)).toHaveLength(2);

    const unknown = await report({
      type: 'bounce',
      bounceType: 'hard',
      messageId: '<nope@clinic.example>',
    });
    expect(unknown.json()).toEqual({ recorded: false });
  });

  /** A DSN as a receiving server writes it (RFC 3464), about the email with `messageId`. */
  const dsn = (to: string, action: string, status: string, messageId: string) =>
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
      `Diagnostic-Code: smtp; ${status.startsWith('5') ? '550' : '452'} ${status} mailbox`,
      '',
      '--B1.1701853200/mx.example.org',
      'Content-Type: text/rfc822-headers',
      '',
      'From: Clinic <no-reply@clinic.example>',
      `To: ${to}`,
      `Message-ID: ${messageId}`,
      '',
      '--B1.1701853200/mx.example.org--',
      '',
    ].join('\r\n');

  it('a DSN with Action failed and Status 5.x.x bounces the email and suppresses the address; 4.x.x is recorded only', async () => {
    const hard = `nouser-${randomUUID().slice(0, 8)}@example.org`;
    const first = await queue(hard, 'operations', true);
    expect(await deliver(first)).toBe('sent');
    const sent = await mail.row(first);
    if (!sent.providerMessageId) throw new Error('no Message-ID');
    const res = await report({
      type: 'dsn',
      message: dsn(hard, 'failed', '5.1.1', sent.providerMessageId),
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toEqual({ recorded: true });
    expect(await mail.row(first)).toMatchObject({ status: 'bounced' });
    expect(await timeline(first)).toEqual([{ type: 'communication.bounced', patientId }]);
    const next = await queue(hard, 'treatment');
    expect(await deliver(next)).toBe('suppressed');

    const full = `full-${randomUUID().slice(0, 8)}@example.org`;
    // Not about the patient: a second email about them today would meet the frequency cap.
    const one = await queue(full);
    expect(await deliver(one)).toBe('sent');
    const { providerMessageId } = await mail.row(one);
    if (!providerMessageId) throw new Error('no Message-ID');
    const soft = await report({
      type: 'dsn',
      message: dsn(full, 'failed', '4.2.2', providerMessageId),
    });
    expect(soft.json()).toEqual({ recorded: true });
    expect(await mail.row(one)).toMatchObject({ status: 'sent', lastError: 'soft bounce 4.2.2' });
    const again = await queue(full, 'treatment');
    expect(await deliver(again)).toBe('sent');

    // Mail that is no DSN is refused, naming the field.
    const bad = await report({ type: 'dsn', message: 'Subject: hello\r\n\r\nhi' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json<{ path: string }>().path).toBe('/body/message');
  });
});
