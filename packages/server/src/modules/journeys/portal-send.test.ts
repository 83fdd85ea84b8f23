import { randomInt } from 'node:crypto';
import {
  type ConversationSummary,
  journeyStepKey,
  type PortalThread,
  type PortalThreadSummary,
} from '@careloop/core';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDatabase } from '../../test/databases.js';
import { SmtpSink } from '../../test/smtp-sink.js';
import { conversationEntries } from '../inbox/schema.js';
import { outboundMessages } from '../messaging/schema.js';
import { touchpoints } from '../timeline/schema.js';
import { useJourneyApp } from './test/journey-app.js';

/** What the portal version says: clinical detail, which only the portal may carry. */
const PORTAL_TEXT = 'Hi {{patient.firstName}}, your A1c result is back: 6.1%, in range.';
const CLINICAL = ['A1c', '6.1%', 'in range'];

/**
 * Issue 11 (docs/adr/0046): a journey sends by the patient portal. The message is posted into
 * the patient's portal thread once, whatever runs twice; the patient is told by email or text
 * without a word of it; the message is `delivered`, then `read` when they open it.
 */
describeEachDatabase('journeys that send by the portal', (kind) => {
  let sink: SmtpSink;
  beforeAll(async () => {
    sink = await SmtpSink.start();
  });
  afterAll(async () => {
    await sink.close();
  });
  const j = useJourneyApp(kind, {
    setupTimeoutMs: 120_000,
    env: () => ({ SMTP_URL: sink.url, MAIL_FROM: 'Clinic <no-reply@clinic.example>' }),
  });

  /** A manual journey whose first step sends `template` on `channel`. */
  const journey = (key: string, template: string, channel: string) => ({
    key,
    name: 'Lab follow-up',
    trigger: { kind: 'manual' },
    reentry: 'always',
    entry: 'tell',
    nodes: [
      {
        id: 'tell',
        type: 'action',
        action: {
          kind: 'send',
          channel,
          template,
          purpose: 'operations',
          validFor: { kind: 'duration', minutes: 24 * 60 },
        },
        next: 'done',
      },
      { id: 'done', type: 'exit' },
    ],
  });

  /** The lab follow-up template: an email version, and (unless told) a portal version. */
  const labTemplate = async (options: { portal: boolean } = { portal: true }) => {
    const admin = await j.tenant.signIn('admin');
    const created = await admin.post('/api/templates', {
      key: 'lab-follow-up',
      name: 'Lab follow-up',
      purpose: 'operations',
    });
    expect(created.statusCode, created.body).toBe(200);
    const id = created.json<{ id: string }>().id;
    const email = await admin.request('PUT', `/api/templates/${id}/versions/email/en`, {
      subject: 'A message from your care team',
      text: 'Hi {{patient.firstName}}, please sign in to the portal.',
    });
    expect(email.statusCode, email.body).toBe(200);
    if (options.portal) {
      const portal = await admin.request('PUT', `/api/templates/${id}/versions/portal/en`, {
        text: PORTAL_TEXT,
      });
      expect(portal.statusCode, portal.body).toBe(200);
      // Clinical words are not warned about on the portal (they are in email and SMS).
      expect(portal.json<{ warnings: unknown[] }>().warnings).toEqual([]);
    }
    return id;
  };

  /** Publishes `definition`; its id. */
  const publish = async (definition: unknown) => {
    const admin = await j.tenant.signIn('admin');
    const draft = await admin.post('/api/journeys', { definition });
    expect(draft.statusCode, draft.body).toBe(200);
    const { id } = draft.json<{ id: string }>();
    const published = await admin.post(`/api/journeys/${id}/publish`);
    expect(published.statusCode, published.body).toBe(200);
    return id;
  };

  /** A patient preferring `preferred`, with an email address and a number of their own. */
  const patient = async (preferred: string) => {
    const n = randomInt(1e6);
    const email = `pat${n}@example.org`;
    const phone = `+1617556${String(1000 + randomInt(9000))}`;
    const { id } = await j.tenant.createPatient({
      givenName: 'Rosa',
      preferredChannel: preferred as 'email',
      contactPoints: [
        { system: 'email', value: email },
        { system: 'phone', value: phone, use: 'mobile' },
      ],
    });
    return { id, email, phone };
  };

  /** Enrols the patient and runs the step's job (twice, when told: a retried job). */
  const enrolAndStep = async (journeyId: string, patientId: string, runs = 1) => {
    const admin = await j.tenant.signIn('admin');
    const enrolled = await admin.post(`/api/journeys/${journeyId}/enrolments`, { patientId });
    expect(enrolled.statusCode, enrolled.body).toBe(200);
    const enrolmentId = enrolled.json<{ id: string }>().id;
    for (let i = 0; i < runs; i++)
      await j
        .runtime()
        .handleStepJob({ orgId: j.tenant.orgId, enrolmentId }, { retryCount: i, retryLimit: 4 });
    return enrolmentId;
  };

  const messagesOf = (patientId: string) =>
    j.app.database.withTenant(j.tenant.orgId, (tx) =>
      tx
        .select()
        .from(outboundMessages)
        .where(eq(outboundMessages.patientId, patientId))
        .orderBy(outboundMessages.createdAt, outboundMessages.id),
    );
  const deliver = (messageId: string) =>
    j.app.services.outbox.deliver({ orgId: j.tenant.orgId, messageId });

  it('posts the message in the patient’s portal thread once, tells them by email without a word of it, and is delivered, then read', async () => {
    await labTemplate();
    const journeyId = await publish(journey('lab', 'lab-follow-up', 'portal'));
    const p = await patient('email');
    const portal = await j.tenant.signIn('patient', { patientId: p.id });
    // The step's job runs twice (a retry after a lost acknowledgement): one message queued.
    const enrolmentId = await enrolAndStep(journeyId, p.id, 2);
    expect(await j.stepsOf(p.id)).toEqual(['done:entered', 'tell:queued']);
    // The send itself once more under the step's key (a step re-run): nothing more is queued.
    const again = await j.app.database.withTenant(j.tenant.orgId, (tx) =>
      j.app.services.messaging.sendTemplate(tx, {
        orgId: j.tenant.orgId,
        patientId: p.id,
        templateKey: 'lab-follow-up',
        channel: 'portal',
        idempotencyKey: journeyStepKey(enrolmentId, 'tell', 1),
      }),
    );
    expect(again).toEqual({ queued: false, reason: 'duplicate' });
    const [queued, ...others] = await messagesOf(p.id);
    expect(others).toEqual([]);
    expect(queued).toMatchObject({ channel: 'portal', status: 'queued', purpose: 'operations' });
    if (!queued) return;
    // Nothing is in the portal before the worker posts it.
    expect((await portal.get('/api/portal/threads')).json<{ unread: number }>().unread).toBe(0);

    // Two workers take its job at once, and a third later: it is posted once.
    const outcomes = await Promise.all([deliver(queued.id), deliver(queued.id)].map(settled));
    // The other found it posted (skipped), or held by the first (an error: its job retries).
    expect(outcomes.filter((o) => o === 'delivered')).toHaveLength(1);
    expect(outcomes.filter((o) => o !== 'delivered')).toEqual([
      expect.stringMatching(/^(skipped|error)$/),
    ]);
    expect(await deliver(queued.id)).toBe('skipped');
    const threads = (await portal.get('/api/portal/threads')).json<{
      items: PortalThreadSummary[];
      unread: number;
    }>();
    expect(threads.items).toHaveLength(1);
    expect(threads.unread).toBe(1);
    const entries = await j.app.database.withTenant(j.tenant.orgId, (tx) =>
      tx
        .select()
        .from(conversationEntries)
        .where(eq(conversationEntries.outboundMessageId, queued.id)),
    );
    expect(entries).toHaveLength(1);
    // Sealed: the words are not in the row.
    expect(entries[0]?.bodyEncrypted).not.toContain('A1c');

    const rows = await messagesOf(p.id);
    expect(rows).toHaveLength(2);
    const posted = rows.find((m) => m.channel === 'portal');
    const notice = rows.find((m) => m.channel !== 'portal');
    expect(posted).toMatchObject({
      id: queued.id,
      status: 'delivered',
      provider: 'portal',
      providerMessageId: entries[0]?.id,
    });
    // The notice, by the patient's preferred channel (email), to the real SMTP sink.
    expect(notice).toMatchObject({ channel: 'email', purpose: 'operations', recipient: p.email });
    if (!notice) return;
    expect(await deliver(notice.id)).toBe('sent');
    await sink.waitFor(p.email);
    const [mail] = sink.to(p.email);
    expect(mail?.subject).toMatch(/^New message from /);
    for (const word of [...CLINICAL, 'Rosa']) expect(mail?.raw).not.toContain(word);

    // The patient reads it in the portal: the message is read.
    const threadId = threads.items[0]?.id ?? '';
    const read = await portal.get(`/api/portal/threads/${threadId}`);
    expect(read.statusCode, read.body).toBe(200);
    const thread = read.json<PortalThread>();
    expect(thread.messages.map((m) => [m.from, m.body])).toEqual([
      ['care-team', 'Hi Rosa, your A1c result is back: 6.1%, in range.'],
    ]);
    expect(thread.unread).toBe(1);
    const afterRead = (await messagesOf(p.id)).find((m) => m.id === queued.id);
    expect(afterRead).toMatchObject({ status: 'read' });
    expect((await portal.get('/api/portal/threads')).json<{ unread: number }>().unread).toBe(0);

    // Staff see it in the inbox, pending on the patient, from the care team with no author.
    const frontDesk = await j.tenant.signIn('front-desk');
    const list = (await frontDesk.get('/api/inbox/conversations')).json<{
      items: ConversationSummary[];
    }>();
    expect(list.items.find((c) => c.id === threadId)).toMatchObject({
      channel: 'portal',
      status: 'pending',
      patientId: p.id,
    });
    // On the timeline, without clinical detail.
    const timeline = await j.app.database.withTenant(j.tenant.orgId, (tx) =>
      tx
        .select()
        .from(touchpoints)
        .where(and(eq(touchpoints.patientId, p.id), eq(touchpoints.channel, 'portal'))),
    );
    expect(timeline).toHaveLength(1);
    expect(timeline[0]).toMatchObject({ type: 'message.sent', outcome: 'delivered' });
    for (const word of CLINICAL) expect(timeline[0]?.summary).not.toContain(word);
  });

  it('picks the portal for a patient who prefers it, posts into their open thread and leaves it open', async () => {
    await labTemplate();
    const journeyId = await publish(journey('lab', 'lab-follow-up', 'preferred'));
    const p = await patient('portal');
    const portal = await j.tenant.signIn('patient', { patientId: p.id });
    // The patient asked something already: the message goes into that thread, left open.
    const asked = await portal.post('/api/portal/threads', { body: 'Is my lab back?' });
    expect(asked.statusCode, asked.body).toBe(201);
    const threadId = asked.json<PortalThread>().id;
    j.clock.advance(60_000);
    await enrolAndStep(journeyId, p.id);
    const [queued] = await messagesOf(p.id);
    expect(queued).toMatchObject({ channel: 'portal' });
    if (!queued) return;
    expect(await deliver(queued.id)).toBe('delivered');
    const thread = (await portal.get(`/api/portal/threads/${threadId}`)).json<PortalThread>();
    expect(thread.messages.map((m) => m.from)).toEqual(['patient', 'care-team']);
    const frontDesk = await j.tenant.signIn('front-desk');
    const list = (await frontDesk.get('/api/inbox/conversations')).json<{
      items: ConversationSummary[];
    }>();
    // Still open: an automated message does not take the patient's question off the queue.
    expect(list.items.filter((c) => c.patientId === p.id)).toEqual([
      expect.objectContaining({ id: threadId, status: 'open' }),
    ]);
    // Told by email: the notice's channel is the preferred one, else email, else text.
    const notices = (await messagesOf(p.id)).filter((m) => m.id !== queued.id);
    expect(notices.map((m) => m.channel)).toEqual(['email']);
  });

  it('posts at night, when quiet hours hold back its notice until the morning', async () => {
    await labTemplate();
    const journeyId = await publish(journey('lab', 'lab-follow-up', 'portal'));
    const p = await patient('sms');
    await j.tenant.signIn('patient', { patientId: p.id });
    await enrolAndStep(journeyId, p.id);
    const [queued] = await messagesOf(p.id);
    if (!queued) throw new Error('nothing queued');
    // 23:30 in Boston (the patient's zone: the organization's default).
    const night = Date.parse('2026-12-02T04:30:00Z');
    const day = j.clock.now().getTime();
    j.clock.advance(night - day);
    try {
      expect(await deliver(queued.id)).toBe('delivered');
      const notice = (await messagesOf(p.id)).find((m) => m.id !== queued.id);
      // By text (the patient prefers SMS), held for the morning.
      expect(notice).toMatchObject({ channel: 'sms', recipient: p.phone });
      if (!notice) return;
      expect(await deliver(notice.id)).toBe('deferred');
      expect(await j.phoneOf(p)).toEqual([]);
      j.clock.advance(9 * 3600_000);
      const texts = await j.phoneOf(p);
      expect(texts).toHaveLength(1);
      expect(texts[0]).toMatch(/^You have a new message from .+\. Sign in to read it\.$/);
      for (const word of CLINICAL) expect(texts[0]).not.toContain(word);
      // Signed in now (a session from the evening would have timed out).
      const portal = await j.tenant.signIn('patient', { patientId: p.id });
      expect((await portal.get('/api/portal/threads')).json<{ unread: number }>().unread).toBe(1);
    } finally {
      // Back to the shared clock's midday for the tests that follow.
      j.clock.advance(day - j.clock.now().getTime());
    }
  });

  it('falls back from a preferred portal without an account, and suppresses an explicit one with its reason', async () => {
    await labTemplate();
    const preferred = await publish(journey('lab-preferred', 'lab-follow-up', 'preferred'));
    const explicit = await publish(journey('lab-portal', 'lab-follow-up', 'portal'));
    // Prefers the portal, has no account.
    const p = await patient('portal');
    await enrolAndStep(preferred, p.id);
    expect((await messagesOf(p.id)).map((m) => m.channel)).toEqual(['email']);
    await enrolAndStep(explicit, p.id);
    expect(await j.stepsOf(p.id)).toEqual([
      'done:entered',
      'done:entered',
      'tell:queued',
      'tell:suppressed:unreachable (portal: no-portal-account)',
    ]);
    expect(await messagesOf(p.id)).toHaveLength(1);
  });

  it('suppresses a portal send to a patient who opted out of the portal, and records why', async () => {
    // No portal version: the email version's text is what the portal would post.
    await labTemplate({ portal: false });
    const journeyId = await publish(journey('lab', 'lab-follow-up', 'portal'));
    const p = await patient('email');
    const portal = await j.tenant.signIn('patient', { patientId: p.id });
    const admin = await j.tenant.signIn('admin');
    const optOut = await admin.patch(`/api/patients/${p.id}/preferences`, {
      consents: [{ channel: 'portal', purpose: 'care-follow-up', status: 'denied' }],
    });
    expect(optOut.statusCode, optOut.body).toBe(200);
    await enrolAndStep(journeyId, p.id);
    const [queued] = await messagesOf(p.id);
    expect(queued).toMatchObject({ channel: 'portal' });
    if (!queued) return;
    expect(await deliver(queued.id)).toBe('suppressed');
    expect((await messagesOf(p.id)).map((m) => [m.status, m.suppressionReason])).toEqual([
      ['suppressed', 'consent'],
    ]);
    expect((await portal.get('/api/portal/threads')).json<{ items: unknown[] }>().items).toEqual(
      [],
    );
    const view = await admin.get('/api/messaging/suppressed');
    expect(view.json<{ items: { id: string; channel: string; reason: string }[] }>().items).toEqual(
      [expect.objectContaining({ id: queued.id, channel: 'portal', reason: 'consent' })],
    );
    const timeline = await j.app.database.withTenant(j.tenant.orgId, (tx) =>
      tx
        .select()
        .from(touchpoints)
        .where(
          and(eq(touchpoints.patientId, p.id), eq(touchpoints.type, 'communication.suppressed')),
        ),
    );
    expect(timeline.map((t) => [t.channel, t.outcome, t.summary])).toEqual([
      [
        'portal',
        'consent',
        '“lab-follow-up” not posted to the portal: the patient opted out of this channel for this purpose',
      ],
    ]);
  });

  it('posts the email text when the template has no portal version, and refuses to publish a portal send of a template with neither', async () => {
    const admin = await j.tenant.signIn('admin');
    const created = await admin.post('/api/templates', {
      key: 'sms-only',
      name: 'Text only',
      purpose: 'operations',
    });
    const templateId = created.json<{ id: string }>().id;
    await admin.request('PUT', `/api/templates/${templateId}/versions/sms/en`, {
      text: 'Hi {{patient.firstName}}',
    });
    const draft = await admin.post('/api/journeys', {
      definition: journey('texty', 'sms-only', 'portal'),
    });
    const { id } = draft.json<{ id: string }>();
    const refused = await admin.post(`/api/journeys/${id}/publish`);
    expect(refused.statusCode, refused.body).toBe(422);
    expect(refused.json<{ path: string }>().path).toBe('/body/definition/nodes/0/action/template');

    await labTemplate({ portal: false });
    const journeyId = await publish(journey('lab', 'lab-follow-up', 'portal'));
    const p = await patient('email');
    const portal = await j.tenant.signIn('patient', { patientId: p.id });
    await enrolAndStep(journeyId, p.id);
    const [queued] = await messagesOf(p.id);
    if (!queued) throw new Error('nothing queued');
    expect(await deliver(queued.id)).toBe('delivered');
    const [thread] = (await portal.get('/api/portal/threads')).json<{
      items: PortalThreadSummary[];
    }>().items;
    const read = (await portal.get(`/api/portal/threads/${thread?.id}`)).json<PortalThread>();
    expect(read.messages.map((m) => m.body)).toEqual(['Hi Rosa, please sign in to the portal.']);
  });
});

/** A delivery's outcome, or `error` when it threw (held by another worker: retried later). */
async function settled(delivery: Promise<string>): Promise<string> {
  try {
    return await delivery;
  } catch {
    return 'error';
  }
}
