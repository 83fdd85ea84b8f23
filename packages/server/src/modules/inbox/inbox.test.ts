import { randomInt } from 'node:crypto';
import type { Conversation, ConversationSummary, PortalThread, Task } from '@careloop/core';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type Session, type TestApp, TestTenant } from '../../test/app.js';
import { TestClock } from '../../test/clock.js';
import { describeEachDatabase } from '../../test/databases.js';
import { auditEvents } from '../audit/schema.js';
import { outboundMessages } from '../messaging/schema.js';
import { ensureTemplates } from '../templates/service.js';
import { conversationAttachments, conversationEntries } from './schema.js';

/** The first bytes of a real PDF and PNG (type is sniffed from these, never from the name). */
const PDF = Buffer.concat([
  Buffer.from('%PDF-1.4\n%âãÏÓ\n1 0 obj\n<<>>\nendobj\n'),
  Buffer.alloc(64, 32),
]);
const PNG = Buffer.concat([
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  Buffer.alloc(64, 1),
]);
const EXE = Buffer.concat([Buffer.from('MZ'), Buffer.alloc(64, 0)]);

describeEachDatabase('the shared inbox and portal secure messaging', (kind) => {
  let app: TestApp;
  let tenant: TestTenant;
  let other: TestTenant;
  let admin: Session;
  let frontDesk: Session;
  let coordinator: Session;
  let clinician: Session;
  let marketer: Session;
  let patientA: string;
  let patientB: string;
  let portalA: Session;
  let portalB: Session;
  let otherFrontDesk: Session;
  const phone = `+1617555${String(randomInt(1000, 9999))}`;
  const emailA = `maria-${randomInt(1e6)}@example.test`;

  const text = (body: string, from = phone) =>
    admin.post('/api/sms-gateway/inbound', { from, body });
  const list = async (session: Session, query = '') => {
    const res = await session.get(`/api/inbox/conversations${query}`);
    expect(res.statusCode).toBe(200);
    return res.json<{ items: ConversationSummary[] }>().items;
  };
  const conversationOf = async (session: Session, patientId: string, channel: string) => {
    const found = (await list(session)).find(
      (c) => c.patientId === patientId && c.channel === channel,
    );
    if (!found) throw new Error(`no ${channel} conversation for the patient`);
    return found;
  };
  const upload = (bytes: Buffer, fileName: string) => ({
    fileName,
    dataBase64: bytes.toString('base64'),
  });

  beforeAll(async () => {
    app = await createTestApp(
      kind,
      {},
      { clock: new TestClock('2026-12-01T17:00:00Z', { tickMs: 1000 }) },
    );
    await app.services.jobs.start();
    tenant = await TestTenant.create(app, `Riverside ${randomInt(1e6)}`);
    other = await TestTenant.create(app);
    admin = await tenant.signIn('admin');
    frontDesk = await tenant.signIn('front-desk');
    coordinator = await tenant.signIn('care-coordinator');
    clinician = await tenant.signIn('clinician');
    marketer = await tenant.signIn('marketer');
    otherFrontDesk = await other.signIn('front-desk');
    patientA = (
      await tenant.createPatient({
        preferredChannel: 'email',
        contactPoints: [
          { system: 'phone', value: phone },
          { system: 'email', value: emailA },
        ],
      })
    ).id;
    patientB = (await tenant.createPatient()).id;
    portalA = await tenant.signIn('patient', { patientId: patientA });
    portalB = await tenant.signIn('patient', { patientId: patientB });
    await app.database.withTenant(tenant.orgId, (tx) =>
      ensureTemplates(
        tx,
        tenant.orgId,
        [
          {
            key: 'inbox-received',
            name: 'We got your message',
            purpose: 'operations',
            versions: [
              {
                channel: 'sms',
                language: 'en',
                body: {
                  subject: null,
                  text: 'Thanks {{patient.firstName}}, we got your message. {{organization.name}}',
                  html: null,
                },
              },
              {
                channel: 'sms',
                language: 'es',
                body: {
                  subject: null,
                  text: 'Gracias {{patient.firstName}}, recibimos su mensaje. {{organization.name}}',
                  html: null,
                },
              },
            ],
          },
        ],
        new Date('2026-12-01T12:00:00Z'),
      ),
    );
  }, 120_000);

  afterAll(async () => {
    await app.close();
  });

  describe('texts', () => {
    it("files a patient's text into their conversation, unread, in the front desk's queue", async () => {
      expect((await text('Can I bring my daughter to the visit?')).statusCode).toBe(201);
      const c = await conversationOf(frontDesk, patientA, 'sms');
      expect(c).toMatchObject({ status: 'open', team: 'front-desk', unread: 1, counterpart: null });
      expect(c.patientName).toMatch(/^Maria /);
      // Stored sealed: the words are not in the row.
      const [entry] = await app.database.withTenant(tenant.orgId, (tx) =>
        tx.select().from(conversationEntries).where(eq(conversationEntries.conversationId, c.id)),
      );
      expect(entry?.bodyEncrypted).not.toContain('daughter');
    });

    it('shows the words to the care team as an audited read, and marks them read', async () => {
      const c = await conversationOf(frontDesk, patientA, 'sms');
      const res = await frontDesk.get(`/api/inbox/conversations/${c.id}`);
      expect(res.statusCode).toBe(200);
      const full = res.json<Conversation>();
      expect(full.entries.map((e) => [e.kind, e.body])).toEqual([
        ['patient', 'Can I bring my daughter to the visit?'],
      ]);
      expect((await conversationOf(frontDesk, patientA, 'sms')).unread).toBe(0);
      const reads = await app.database.withTenant(tenant.orgId, (tx) =>
        tx
          .select()
          .from(auditEvents)
          .where(
            and(
              eq(auditEvents.recordType, 'conversation'),
              eq(auditEvents.action, 'read'),
              eq(auditEvents.recordId, c.id),
            ),
          ),
      );
      expect(reads.length).toBeGreaterThanOrEqual(1);
      expect(reads[0]?.patientId).toBe(patientA);
    });

    it('files a number no patient has under the number, and leaves STOP to the keyword rules', async () => {
      const stranger = `+1415555${String(randomInt(1000, 9999))}`;
      await text('Who is this?', stranger);
      const items = await list(frontDesk);
      expect(items.find((c) => c.counterpart === stranger)).toMatchObject({
        patientId: null,
        patientName: null,
        unread: 1,
      });
      const before = (await conversationOf(frontDesk, patientA, 'sms')).unread;
      await text('STOP');
      expect((await conversationOf(frontDesk, patientA, 'sms')).unread).toBe(before);
      await text('START');
    });
  });

  describe('roles', () => {
    it('lets clinicians read but not work the inbox, and keeps marketing out', async () => {
      const c = await conversationOf(frontDesk, patientA, 'sms');
      expect((await clinician.get(`/api/inbox/conversations/${c.id}`)).statusCode).toBe(200);
      expect(
        (await clinician.patch(`/api/inbox/conversations/${c.id}`, { status: 'closed' }))
          .statusCode,
      ).toBe(403);
      expect((await marketer.get('/api/inbox/conversations')).statusCode).toBe(403);
      expect((await marketer.get(`/api/inbox/conversations/${c.id}`)).statusCode).toBe(403);
      expect((await portalA.get('/api/inbox/conversations')).statusCode).toBe(403);
    });

    it("refuses another organization's staff, who see nothing of it", async () => {
      const c = await conversationOf(frontDesk, patientA, 'sms');
      expect((await otherFrontDesk.get(`/api/inbox/conversations/${c.id}`)).statusCode).toBe(404);
      expect(
        (await otherFrontDesk.post(`/api/inbox/conversations/${c.id}/notes`, { body: 'x' }))
          .statusCode,
      ).toBe(404);
      expect(await list(otherFrontDesk)).toEqual([]);
    });
  });

  describe('working a conversation', () => {
    it('assigns it to a colleague, filters by assignee and status, and a new text reopens it', async () => {
      const c = await conversationOf(frontDesk, patientA, 'sms');
      const res = await frontDesk.patch(`/api/inbox/conversations/${c.id}`, {
        assigneeId: coordinator.userId,
        status: 'pending',
      });
      expect(res.statusCode).toBe(200);
      expect(res.json<Conversation>()).toMatchObject({
        assigneeId: coordinator.userId,
        status: 'pending',
      });
      expect((await list(coordinator, '?mine=true')).map((x) => x.id)).toEqual([c.id]);
      expect((await list(frontDesk, '?status=pending')).map((x) => x.id)).toContain(c.id);
      expect(
        (
          await frontDesk.patch(`/api/inbox/conversations/${c.id}`, {
            assigneeId: otherFrontDesk.userId,
          })
        ).statusCode,
      ).toBe(422);
      await frontDesk.patch(`/api/inbox/conversations/${c.id}`, { status: 'closed' });
      await text('One more thing: is parking free?');
      expect(await conversationOf(frontDesk, patientA, 'sms')).toMatchObject({
        status: 'open',
        unread: 1,
      });
    });

    it('keeps an internal note among staff and gives each mentioned colleague a task', async () => {
      const c = await conversationOf(frontDesk, patientA, 'sms');
      const res = await frontDesk.post(`/api/inbox/conversations/${c.id}/notes`, {
        body: 'Parking question: @coordinator can you answer?',
        mentions: [coordinator.userId],
      });
      expect(res.statusCode).toBe(200);
      expect(res.json<Conversation>().entries.at(-1)).toMatchObject({
        kind: 'note',
        authorName: 'Test front-desk',
      });
      const tasks = await coordinator.get('/api/tasks?mine=true');
      expect(tasks.json<{ items: Task[] }>().items).toEqual(
        expect.arrayContaining([
          expect.objectContaining({
            title: 'You were mentioned in an inbox conversation',
            patientId: patientA,
            description: `/inbox/${c.id}`,
          }),
        ]),
      );
      const bad = await frontDesk.post(`/api/inbox/conversations/${c.id}/notes`, {
        body: 'x',
        mentions: [otherFrontDesk.userId],
      });
      expect(bad.statusCode).toBe(422);
      expect(bad.json<{ path: string }>().path).toBe('/body/mentions/0');
    });

    it('replies by text only with a quick reply, queued through the send-time checks', async () => {
      const c = await conversationOf(frontDesk, patientA, 'sms');
      const free = await frontDesk.post(`/api/inbox/conversations/${c.id}/replies`, {
        body: 'Yes',
      });
      expect(free.statusCode).toBe(400);
      expect(free.json<{ path: string }>().path).toBe('/body/templateKey');
      const res = await frontDesk.post(`/api/inbox/conversations/${c.id}/replies`, {
        templateKey: 'inbox-received',
      });
      expect(res.statusCode).toBe(200);
      const entry = res.json<Conversation>().entries.at(-1);
      expect(entry).toMatchObject({ kind: 'staff' });
      expect(entry?.body).toMatch(/^Gracias Maria, recibimos su mensaje\. Riverside/);
      const [sent] = await app.database.withTenant(tenant.orgId, (tx) =>
        tx
          .select()
          .from(outboundMessages)
          .where(
            and(
              eq(outboundMessages.patientId, patientA),
              eq(outboundMessages.templateKey, 'inbox-received'),
            ),
          ),
      );
      expect(sent).toMatchObject({ channel: 'sms', recipient: phone, status: 'queued' });
      expect(res.json<Conversation>().status).toBe('pending');
    });

    it('lists the quick replies for those who work the inbox', async () => {
      const res = await frontDesk.get('/api/inbox/quick-replies');
      expect(res.statusCode).toBe(200);
      expect(res.json<{ items: unknown[] }>().items).toEqual([
        { key: 'inbox-received', name: 'We got your message', channels: ['sms'] },
      ]);
    });
  });

  describe('portal secure messaging', () => {
    let threadId: string;

    it('lets a patient start a thread with an attachment, which the inbox shows unread', async () => {
      const res = await portalA.post('/api/portal/threads', {
        body: 'Here is my insurance card.',
        attachments: [upload(PNG, 'card.pdf')],
      });
      expect(res.statusCode).toBe(201);
      const thread = res.json<PortalThread>();
      threadId = thread.id;
      expect(thread.messages).toHaveLength(1);
      // Sniffed, not trusted from the name: a PNG called card.pdf is a PNG.
      expect(thread.messages[0]?.attachments[0]).toMatchObject({
        fileName: 'card.png',
        contentType: 'image/png',
        sizeBytes: PNG.length,
      });
      const c = await conversationOf(frontDesk, patientA, 'portal');
      expect(c).toMatchObject({ id: threadId, unread: 1, status: 'open' });
      const [stored] = await app.database.withTenant(tenant.orgId, (tx) =>
        tx.select().from(conversationAttachments),
      );
      expect(stored?.dataEncrypted).not.toContain(PNG.toString('base64').slice(0, 20));
    });

    it('serves the attachment to staff and to its patient, as the file', async () => {
      const full = (
        await frontDesk.get(`/api/inbox/conversations/${threadId}`)
      ).json<Conversation>();
      const id = full.entries[0]?.attachments[0]?.id;
      const staff = await frontDesk.get(`/api/inbox/attachments/${id}`);
      expect(staff.statusCode).toBe(200);
      expect(staff.headers['content-type']).toBe('image/png');
      expect(staff.headers['x-content-type-options']).toBe('nosniff');
      expect(Buffer.compare(staff.rawPayload, PNG)).toBe(0);
      const own = await portalA.get(`/api/portal/threads/${threadId}/attachments/${id}`);
      expect(own.statusCode).toBe(200);
      expect(Buffer.compare(own.rawPayload, PNG)).toBe(0);
      expect(
        (await portalB.get(`/api/portal/threads/${threadId}/attachments/${id}`)).statusCode,
      ).toBe(404);
      expect((await otherFrontDesk.get(`/api/inbox/attachments/${id}`)).statusCode).toBe(404);
    });

    it('refuses a file that is not a PDF, PNG or JPEG, and one over 5 MB, naming the field', async () => {
      const exe = await portalA.post(`/api/portal/threads/${threadId}/messages`, {
        body: 'x',
        attachments: [upload(EXE, 'scan.pdf')],
      });
      expect(exe.statusCode).toBe(400);
      expect(exe.json<{ path: string }>().path).toBe('/body/attachments/0/dataBase64');
      const big = Buffer.concat([PDF, Buffer.alloc(5 * 1024 * 1024, 7)]);
      const large = await portalA.post(`/api/portal/threads/${threadId}/messages`, {
        body: 'x',
        attachments: [upload(big, 'big.pdf')],
      });
      expect([400, 413]).toContain(large.statusCode);
      expect(large.json<{ path: string }>().path).toMatch(/^\/body\/attachments\/0\/dataBase64/);
    });

    it('replies in the portal: the patient sees it unread and is told without a word of it', async () => {
      const res = await frontDesk.post(`/api/inbox/conversations/${threadId}/replies`, {
        body: 'Thank you, we have added your new insurance.',
      });
      expect(res.statusCode).toBe(200);
      const threads = await portalA.get('/api/portal/threads');
      expect(threads.json<{ unread: number }>().unread).toBe(1);
      const notices = await app.database.withTenant(tenant.orgId, (tx) =>
        tx
          .select()
          .from(outboundMessages)
          .where(
            and(eq(outboundMessages.patientId, patientA), eq(outboundMessages.channel, 'email')),
          ),
      );
      expect(notices).toHaveLength(1);
      expect(notices[0]).toMatchObject({ recipient: emailA, purpose: 'operations' });
      const textOf = await app.database.withTenant(tenant.orgId, (tx) =>
        app.services.outbox.textOf(tx, tenant.orgId, notices[0]?.id ?? ''),
      );
      expect(textOf).toBe(`You have a new message from ${tenant.name}. Sign in to read it.`);

      const read = await portalA.get(`/api/portal/threads/${threadId}`);
      expect(read.statusCode).toBe(200);
      const thread = read.json<PortalThread>();
      expect(thread.messages.at(-1)).toMatchObject({
        from: 'care-team',
        body: 'Thank you, we have added your new insurance.',
        readAt: null,
      });
      expect((await portalA.get('/api/portal/threads')).json<{ unread: number }>().unread).toBe(0);
    });

    it('never shows internal notes to the patient', async () => {
      await frontDesk.post(`/api/inbox/conversations/${threadId}/notes`, {
        body: 'Check the card photo',
      });
      const thread = (await portalA.get(`/api/portal/threads/${threadId}`)).json<PortalThread>();
      expect(thread.messages.map((m) => m.body)).not.toContain('Check the card photo');
      expect(thread.messages.every((m) => m.from === 'patient' || m.from === 'care-team')).toBe(
        true,
      );
    });

    it("keeps a patient out of another patient's threads", async () => {
      expect((await portalB.get(`/api/portal/threads/${threadId}`)).statusCode).toBe(404);
      expect(
        (await portalB.post(`/api/portal/threads/${threadId}/messages`, { body: 'hello' }))
          .statusCode,
      ).toBe(404);
      expect((await portalB.get('/api/portal/threads')).json<{ items: unknown[] }>().items).toEqual(
        [],
      );
      // A patient of another organization: row-level security and the patient filter both say no.
      const stranger = await other.signIn('patient', {
        patientId: (await other.createPatient()).id,
      });
      expect((await stranger.get(`/api/portal/threads/${threadId}`)).statusCode).toBe(404);
      expect(
        (await stranger.post(`/api/portal/threads/${threadId}/messages`, { body: 'hi' }))
          .statusCode,
      ).toBe(404);
      expect(
        (await stranger.get('/api/portal/threads')).json<{ items: unknown[] }>().items,
      ).toEqual([]);
      expect(
        (await portalA.get('/api/portal/threads')).json<{ items: unknown[] }>().items,
      ).toHaveLength(1);
    });
  });

  describe('restricted patients', () => {
    it("opens a restricted patient's conversation only for who may open the record", async () => {
      const c = await conversationOf(frontDesk, patientA, 'portal');
      expect(
        (await admin.request('PUT', `/api/patients/${patientA}/restriction`, { kind: 'vip' }))
          .statusCode,
      ).toBe(200);
      try {
        const res = await clinician.get(`/api/inbox/conversations/${c.id}`);
        expect(res.statusCode).toBe(403);
        expect(res.json<{ code: string }>().code).toBe('restricted');
        const listed = (await list(clinician)).find((x) => x.id === c.id);
        expect(listed?.patientName).toBeNull();
      } finally {
        await admin.request('PUT', `/api/patients/${patientA}/restriction`, { kind: null });
      }
    });
  });
});
