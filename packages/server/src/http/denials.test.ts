import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { auditEvents } from '../modules/audit/schema.js';
import { createTestApp, type Session, type TestApp, TestTenant } from '../test/app.js';
import { describeEachDatabase } from '../test/databases.js';

describeEachDatabase('refused requests in the audit log', (kind) => {
  let t: TestApp;
  let tenant: TestTenant;
  let clinician: Session;
  let patientId: string;

  const denials = (userId: string) =>
    t.database.system((tx) =>
      tx
        .select()
        .from(auditEvents)
        .where(
          and(
            eq(auditEvents.orgId, tenant.orgId),
            eq(auditEvents.actorId, userId),
            eq(auditEvents.outcome, 'denied'),
          ),
        )
        .orderBy(auditEvents.seq),
    );

  beforeAll(async () => {
    t = await createTestApp(kind);
    tenant = await TestTenant.create(t);
    clinician = await tenant.signIn('clinician');
    patientId = (await tenant.createPatient()).id;
  });
  afterAll(() => t.close());

  it('records who was refused which route, from where, before the 403 goes out', async () => {
    const res = await clinician.get('/api/audit?patientId=00000000-0000-4000-8000-000000000000');
    expect(res.statusCode).toBe(403);
    expect(await denials(clinician.userId)).toMatchObject([
      {
        action: 'read',
        recordType: 'route',
        recordId: '/api/audit',
        patientId: null,
        actorRole: 'clinician',
        ip: '127.0.0.1',
        userAgent: 'careloop-tests',
        outcome: 'denied',
        reason: 'forbidden: GET /api/audit',
      },
    ]);
  });

  it('names the patient a refused request was about, and the kind of change refused', async () => {
    const portal = await tenant.signIn('patient', { patientId });
    expect((await portal.get(`/api/patients/${patientId}`)).statusCode).toBe(403);
    expect((await portal.post('/api/tasks', { title: 'Mine' })).statusCode).toBe(403);
    // The FHIR interface answers with its own OperationOutcome, and is audited the same.
    expect((await portal.get(`/fhir/R4/Patient/${patientId}`)).statusCode).toBe(403);
    expect((await denials(portal.userId)).map((e) => [e.action, e.recordId, e.patientId])).toEqual([
      ['read', `/api/patients/${patientId}`, patientId],
      ['create', '/api/tasks', null],
      ['read', `/fhir/R4/Patient/${patientId}`, patientId],
    ]);
  });

  it("records a service's own refusal: a note changed by someone other than its author", async () => {
    const created = await clinician.post(`/api/patients/${patientId}/notes`, { body: 'Call back' });
    expect(created.statusCode).toBe(200);
    const noteId = created.json<{ id: string }>().id;
    const colleague = await tenant.signIn('clinician');
    const res = await colleague.patch(`/api/notes/${noteId}`, { body: 'Never mind' });
    expect(res.statusCode).toBe(403);
    expect(await denials(colleague.userId)).toMatchObject([
      {
        action: 'update',
        recordId: `/api/notes/${noteId}`,
        reason: 'forbidden: PATCH /api/notes/:id',
      },
    ]);
  });

  it('records a state-changing request without its CSRF token', async () => {
    const frontDesk = await tenant.signIn('front-desk');
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/tasks',
      headers: { cookie: frontDesk.cookie },
      payload: { title: 'No token' },
    });
    expect(res.statusCode).toBe(403);
    expect((await denials(frontDesk.userId)).map((e) => e.reason)).toEqual([
      'csrf_failed: POST /api/tasks',
    ]);
  });

  it('leaves requests without a session to their 401, unaudited', async () => {
    const before = await t.database.system((tx) =>
      tx.select().from(auditEvents).where(eq(auditEvents.outcome, 'denied')),
    );
    const res = await t.app.inject({ method: 'GET', url: '/api/audit' });
    expect(res.statusCode).toBe(401);
    const after = await t.database.system((tx) =>
      tx.select().from(auditEvents).where(eq(auditEvents.outcome, 'denied')),
    );
    expect(after).toHaveLength(before.length);
  });
});
