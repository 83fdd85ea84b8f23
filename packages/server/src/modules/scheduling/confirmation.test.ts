import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestApp, type Session, type TestApp, TestTenant } from '../../test/app.js';
import { openClinic, type TestClinic } from '../../test/clinic.js';
import { describeEachDatabase } from '../../test/databases.js';
import { SmtpSink } from '../../test/smtp-sink.js';
import { outboundMessages } from '../messaging/schema.js';
import { patientContactPoints } from '../patients/schema.js';

// Monday 4 March 2030, 12:00 UTC: the scheduling clock of these tests.
const NOW = Date.parse('2030-03-04T12:00:00Z');

/** The text/calendar part of a raw MIME message, decoded. */
function calendarPart(raw: string): string {
  const [, rest = ''] = raw.split(/^Content-Type: text\/calendar.*$/im);
  const [headers = '', ...body] = rest.split(/\r?\n\r?\n/);
  const encoded = (body[0] ?? '').split(/\r?\n--/)[0] ?? '';
  if (/Content-Transfer-Encoding:\s*base64/i.test(headers)) {
    return Buffer.from(encoded.replace(/\s+/g, ''), 'base64').toString('utf8');
  }
  if (/Content-Transfer-Encoding:\s*quoted-printable/i.test(headers)) {
    return encoded
      .replace(/=\r?\n/g, '')
      .replace(/=([0-9A-F]{2})/g, (_, h: string) => String.fromCharCode(Number.parseInt(h, 16)));
  }
  return encoded;
}

describeEachDatabase('appointment confirmations', (kind) => {
  let app: TestApp;
  let sink: SmtpSink;
  let tenant: TestTenant;
  let desk: Session;
  let f: TestClinic;

  const book = (patientId: string, start: string, key: string) =>
    app.app.inject({
      method: 'POST',
      url: '/api/appointments',
      headers: {
        cookie: desk.cookie,
        'x-csrf-token': desk.csrfToken,
        'content-type': 'application/json',
        'idempotency-key': key,
      },
      payload: JSON.stringify({ patientId, ...f, start }),
    });
  /** What the outbox worker does: sends each queued message. */
  const deliverQueued = async () => {
    const queued = await app.database.system((tx) =>
      tx
        .select({ id: outboundMessages.id })
        .from(outboundMessages)
        .where(
          and(eq(outboundMessages.orgId, tenant.orgId), eq(outboundMessages.status, 'queued')),
        ),
    );
    for (const m of queued) {
      await app.services.outbox.deliver({ orgId: tenant.orgId, messageId: m.id });
    }
  };
  const emailOf = async (patientId: string) => {
    const [row] = await app.database.system((tx) =>
      tx
        .select({ value: patientContactPoints.value })
        .from(patientContactPoints)
        .where(
          and(
            eq(patientContactPoints.patientId, patientId),
            eq(patientContactPoints.system, 'email'),
          ),
        ),
    );
    if (!row) throw new Error('no email');
    return row.value;
  };

  beforeAll(async () => {
    sink = await SmtpSink.start();
    app = await createTestApp(
      kind,
      { SMTP_URL: sink.url, MAIL_FROM: 'Clinic <no-reply@clinic.example>' },
      {},
      () => new Date(NOW),
    );
    await app.services.jobs.start();
    tenant = await TestTenant.create(app, 'Harbor Family Clinic');
    const admin = await tenant.signIn('admin');
    desk = await tenant.signIn('front-desk');
    f = await openClinic(app, tenant, admin, { name: 'Harbor Street' });
  }, 120_000);
  afterAll(async () => {
    await app.close();
    await sink.close();
  });

  it('emails a booking once with an .ics that starts when the visit does, and a move again', async () => {
    const patient = await tenant.createPatient({ preferredLanguage: 'en' });
    const to = await emailOf(patient.id);
    const first = await book(patient.id, '2030-03-05T14:00:00.000Z', 'confirm-1');
    expect(first.statusCode, first.body).toBe(201);
    // A retry of the same request answers the first booking and sends nothing more.
    expect((await book(patient.id, '2030-03-05T14:00:00.000Z', 'confirm-1')).statusCode).toBe(201);
    await deliverQueued();
    await sink.waitFor(to, 1);
    const [booked] = sink.to(to);
    expect(booked?.subject).toBe('Your appointment at Harbor Family Clinic is booked');
    expect(booked?.raw).toContain('Tuesday, March 5, 2030 at 9:00');
    const ics = calendarPart(booked?.raw ?? '');
    expect(ics).toMatch(/^BEGIN:VCALENDAR/);
    expect(ics).toContain('DTSTART:20300305T140000Z');
    expect(ics).toContain('Annual physical at Harbor Family Clinic');

    const id = first.json<{ id: string }>().id;
    const moved = await desk.patch(`/api/appointments/${id}`, {
      action: 'reschedule',
      start: '2030-03-06T15:30:00.000Z',
    });
    expect(moved.statusCode, moved.body).toBe(200);
    await deliverQueued();
    await sink.waitFor(to, 2);
    const again = sink.to(to)[1];
    expect(again?.subject).toBe('Your appointment at Harbor Family Clinic has moved');
    expect(calendarPart(again?.raw ?? '')).toContain('DTSTART:20300306T153000Z');
    expect(sink.to(to)).toHaveLength(2);
  });

  it('writes in the patient’s language', async () => {
    const patient = await tenant.createPatient({ preferredLanguage: 'es' });
    const to = await emailOf(patient.id);
    expect((await book(patient.id, '2030-03-07T14:00:00.000Z', 'confirm-es')).statusCode).toBe(201);
    await deliverQueued();
    await sink.waitFor(to, 1);
    const [message] = sink.to(to);
    expect(message?.raw).toContain('Harbor Family Clinic');
    expect(calendarPart(message?.raw ?? '')).toContain('DTSTART:20300307T140000Z');
    expect(message?.subject).toMatch(/=\?UTF-8\?|Su cita/);
  });
});
