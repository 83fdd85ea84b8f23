import { type AuditEvent, encodeCursor } from '@careloop/core';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestApp, type Session, type TestApp, TestTenant } from '../../test/app.js';
import { describeEachDatabase } from '../../test/databases.js';

interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

describeEachDatabase('audit log API', (kind) => {
  let app: TestApp;
  let tenant: TestTenant;
  let admin: Session;
  let clinician: Session;
  let patientId: string;
  let startedAt: string;
  let stranger: Session;

  beforeAll(async () => {
    app = await createTestApp(kind);
    startedAt = new Date().toISOString();
    tenant = await TestTenant.create(app);
    admin = await tenant.signIn('admin');
    clinician = await tenant.signIn('clinician');
    patientId = (await tenant.createPatient()).id;
    await clinician.get(`/api/patients/${patientId}`);
    const failed = await app.app.inject({
      method: 'POST',
      url: '/api/auth/login',
      payload: { email: (await clinician.get('/api/auth/me')).json().user.email, password: 'no' },
    });
    expect(failed.statusCode).toBe(401);
    // Activity in another organization must never show.
    const other = await TestTenant.create(app);
    stranger = await other.signIn('clinician');
    await stranger.post('/api/tasks', { title: 'Elsewhere' });
  });
  afterAll(() => app.close());

  const list = async (query = '') => {
    const res = await admin.get(`/api/audit${query}`);
    expect(res.statusCode).toBe(200);
    return res.json<Page<AuditEvent>>();
  };

  it("lists the organization's events newest first, and nothing of other organizations", async () => {
    const { items } = await list('?limit=200');
    const seqs = items.map((e) => Number(e.id));
    expect(seqs).toEqual([...seqs].sort((a, b) => b - a));
    expect(items.map((e) => e.action)).toEqual(expect.arrayContaining(['login', 'create', 'read']));
    const actors = new Set(items.map((e) => e.actorId));
    expect(actors).toContain(admin.userId);
    expect(actors).toContain(clinician.userId);
    expect(actors).not.toContain(stranger.userId);
    expect(items[0]).toMatchObject({ occurredAt: expect.stringMatching(/Z$/) });
  });

  it('pages through the log with cursors, without gaps or repeats', async () => {
    const everything = (await list('?limit=200')).items.map((e) => e.id);
    expect(everything.length).toBeGreaterThan(4);
    const seen: string[] = [];
    // From the newest event listed: each page read is audited, so newer events keep coming.
    let cursor: string | null = encodeCursor([Number(everything[0]) + 1]);
    while (cursor) {
      const page: Page<AuditEvent> = await list(`?limit=2&cursor=${cursor}`);
      seen.push(...page.items.map((e) => e.id));
      cursor = page.nextCursor;
    }
    expect(seen).toEqual(everything);
  });

  it('filters by patient, actor, action, record type, outcome and time', async () => {
    const forPatient = (await list(`?patientId=${patientId}`)).items;
    expect(forPatient.length).toBeGreaterThan(0);
    expect(forPatient.every((e) => e.patientId === patientId)).toBe(true);
    expect(forPatient.map((e) => e.action)).toContain('read');

    const byClinician = (await list(`?actorId=${clinician.userId}&action=read`)).items;
    expect(byClinician.map((e) => [e.recordType, e.patientId])).toEqual([['patient', patientId]]);

    const denied = (await list('?outcome=denied')).items;
    expect(denied.map((e) => [e.action, e.actorId])).toEqual([['login-failed', clinician.userId]]);

    // Our admin, our clinician, and the admin createPatient() signs in.
    const sessions = (await list('?recordType=session&action=login')).items;
    expect(sessions).toHaveLength(3);

    expect((await list(`?from=${startedAt}`)).items.length).toBeGreaterThan(0);
    expect((await list(`?to=${startedAt}`)).items).toEqual([]);
  });

  it('refuses malformed queries with the path of the offending parameter', async () => {
    const cases: [string, string][] = [
      ['?action=peek', '/query/action'],
      ['?patientId=42', '/query/patientId'],
      ['?limit=0', '/query/limit'],
      ['?cursor=WyJ4Il0', '/query/cursor'],
      ['?from=2030-01-02T00:00:00Z&to=2030-01-01T00:00:00Z', '/query/from'],
    ];
    for (const [query, path] of cases) {
      const res = await admin.get(`/api/audit${query}`);
      expect(res.statusCode, query).toBe(400);
      expect(res.json()).toMatchObject({ path });
    }
  });

  it('audits each read of the log before showing it, with the patient it was filtered on', async () => {
    const { items } = await list(`?patientId=${patientId}&limit=1`);
    const [own] = (await list('?recordType=audit-event&limit=1')).items;
    expect(own).toMatchObject({
      action: 'search',
      actorId: admin.userId,
      patientId,
      outcome: 'success',
      reason: '1 events listed',
    });
    // The event of the previous read, newer than anything that read showed.
    expect(Number(own?.id)).toBeGreaterThan(Number(items[0]?.id));
  });

  it("names each event's patient, and a restricted one only as restricted", async () => {
    const t = await TestTenant.create(app);
    const officer = await t.signIn('admin');
    const nurse = await t.signIn('clinician');
    const open = (await t.createPatient({ givenName: 'Olga', familyName: 'Openshaw' })).id;
    const vip = (await t.createPatient({ givenName: 'Victor', familyName: 'Vipond' })).id;
    await officer.request('PUT', `/api/patients/${vip}/restriction`, { kind: 'vip' });
    await officer.post(`/api/patients/${vip}/care-team`, { userId: nurse.userId });
    await nurse.get(`/api/patients/${open}`);
    await nurse.get(`/api/patients/${vip}`);
    const page = (await officer.get('/api/audit?limit=200')).json<Page<AuditEvent>>();
    const about = (id: string) => page.items.filter((e) => e.patientId === id);
    expect(about(open).length).toBeGreaterThan(0);
    for (const e of about(open)) {
      expect(e).toMatchObject({ patientName: 'Olga Openshaw', patientRestricted: false });
    }
    expect(about(vip).length).toBeGreaterThan(0);
    for (const e of about(vip)) {
      expect(e).toMatchObject({ patientName: null, patientRestricted: true });
    }
    expect(JSON.stringify(page)).not.toContain('Vipond');
  });

  it('exports the filtered log as CSV, streamed, audited as an export, formulas defused', async () => {
    const t = await TestTenant.create(app);
    const officer = await t.signIn('admin');
    const p = (await t.createPatient({ givenName: 'Carla', familyName: 'Csv' })).id;
    await app.app.inject({
      method: 'GET',
      url: `/api/patients/${p}`,
      headers: { cookie: officer.cookie, 'user-agent': '=HYPERLINK("http://x")' },
    });
    const reads = (await officer.get('/api/audit?action=read&limit=200')).json<Page<AuditEvent>>();
    const res = await officer.get('/api/audit/export?action=read');
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers['content-type']).toContain('text/csv');
    expect(res.headers['content-disposition']).toMatch(/^attachment; filename="audit-log-/);
    const lines = res.body.trimEnd().split('\r\n');
    expect(lines[0]).toBe(
      'seq,occurred_at,actor_email,actor_role,action,outcome,record_type,record_id,patient_id,patient_name,reason,ip,user_agent',
    );
    expect(lines.length - 1).toBe(reads.items.length);
    expect(lines.slice(1).every((l) => l.includes(',"read",'))).toBe(true);
    expect(res.body).toContain('"Carla Csv"');
    expect(res.body).toContain(`"'=HYPERLINK(""http://x"")"`);
    const exports = (await officer.get('/api/audit?action=export')).json<Page<AuditEvent>>();
    expect(exports.items[0]).toMatchObject({
      actorId: officer.userId,
      recordType: 'audit-event',
      reason: `${reads.items.length} events exported as CSV`,
    });
    const bad = await officer.get('/api/audit/export?action=nope');
    expect(bad.statusCode).toBe(400);
    expect((await clinician.get('/api/audit/export')).statusCode).toBe(403);
  });

  it('verifies the organization chain as the CLI does, audited, and finds an edited event', async () => {
    const t = await TestTenant.create(app);
    const officer = await t.signIn('admin');
    await t.createPatient();
    const intact = await officer.post('/api/audit/verify');
    expect(intact.statusCode, intact.body).toBe(200);
    expect(intact.json()).toMatchObject({ ok: true, breaks: [] });
    expect(intact.json().checked).toBeGreaterThan(1);
    const [first] = (await officer.get('/api/audit?limit=200'))
      .json<Page<AuditEvent>>()
      .items.slice(-1);
    const seq = Number(first?.id);
    await app.database.system((tx) =>
      tx.execute(sql`update audit_events set reason = 'nothing to see' where seq = ${seq}`),
    );
    const broken = (await officer.post('/api/audit/verify')).json();
    expect(broken.ok).toBe(false);
    expect(broken.breaks).toContainEqual({ seq, problem: 'hash-mismatch', detail: null });
    // Only this organization's chain: the shared suite's tenants are not reported.
    const verified = (await officer.get('/api/audit?recordType=audit-chain')).json<
      Page<AuditEvent>
    >();
    expect(verified.items.map((e) => e.reason)).toEqual([
      expect.stringMatching(/breaks/),
      expect.stringMatching(/intact$/),
    ]);
    expect((await clinician.post('/api/audit/verify')).statusCode).toBe(403);
    const noCsrf = await app.app.inject({
      method: 'POST',
      url: '/api/audit/verify',
      headers: { cookie: officer.cookie },
    });
    expect(noCsrf.statusCode).toBe(403);
  });

  it('is for admins only and needs a session', async () => {
    expect((await clinician.get('/api/audit')).statusCode).toBe(403);
    expect((await app.app.inject({ method: 'GET', url: '/api/audit' })).statusCode).toBe(401);
  });
});
