import type {
  BreakGlassGrant,
  BreakGlassReport,
  CareTeamAccess,
  Patient360,
  PatientAccess,
  PatientCreate,
  PatientSummary,
  ReviewPage,
  ScheduledAppointment,
  Task,
} from '@careloop/core';
import type { Bundle, Patient } from '@medplum/fhirtypes';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type Session, type TestApp, TestTenant } from '../../test/app.js';
import { describeEachDatabase } from '../../test/databases.js';
import { siu } from '../../test/hl7/messages.js';
import { auditEvents } from '../audit/schema.js';
import { users } from '../auth/schema.js';
import { patientMerges } from '../mpi/schema.js';
import { tasks } from '../tasks/schema.js';

const START = new Date('2026-12-05T10:00:00.000Z');
const REASON = 'Unconscious in the ED, need allergies and medications now';

describeEachDatabase('restricted records', (kind) => {
  let now = START;
  let app: TestApp;
  let tenant: TestTenant;
  let admin: Session;
  let officer: Session;
  let outsider: Session;
  let teamMember: Session;
  let frontDesk: Session;
  let restrictedId: string;
  let ordinaryId: string;
  let mrn: string;
  let familyName: string;

  beforeAll(async () => {
    app = await createTestApp(kind, {}, {}, () => now);
    tenant = await TestTenant.create(app);
    admin = await tenant.signIn('admin');
    officer = await tenant.signIn('admin');
    await app.database.system((tx) =>
      tx.update(users).set({ privacyOfficer: true }).where(eq(users.id, officer.userId)),
    );
    outsider = await tenant.signIn('clinician');
    teamMember = await tenant.signIn('clinician');
    frontDesk = await tenant.signIn('front-desk');
    // Letters only: a search with digits is read as an identifier.
    familyName = `Quietly${Math.random()
      .toString(36)
      .replace(/[^a-z]/g, '')
      .slice(0, 8)}`;
    mrn = `MRN-R-${Math.floor(Math.random() * 1e9)}`;
    restrictedId = (
      await tenant.createPatient({
        familyName,
        birthDate: '1971-02-03',
        identifiers: [{ system: 'urn:careloop:mrn', value: mrn, type: 'MR' }],
      })
    ).id;
    ordinaryId = (await tenant.createPatient()).id;
    // Read before the restriction: on PostgreSQL the 360 view is now cached for clinicians.
    expect((await outsider.get(`/api/patients/${restrictedId}`)).statusCode).toBe(200);
    const marked = await admin.request('PUT', `/api/patients/${restrictedId}/restriction`, {
      kind: 'vip',
    });
    expect(marked.statusCode).toBe(200);
    const team = await admin.post(`/api/patients/${restrictedId}/care-team`, {
      userId: teamMember.userId,
    });
    expect(team.statusCode).toBe(200);
    expect(team.json<CareTeamAccess>().items.map((m) => m.userId)).toEqual([teamMember.userId]);
  });
  afterAll(() => app.close());

  /** Every reader of one patient's detail, as [label, request]. */
  const readers = (patientId: string): [string, (s: Session) => ReturnType<Session['get']>][] => [
    ['360 view', (s) => s.get(`/api/patients/${patientId}`)],
    ['timeline', (s) => s.get(`/api/patients/${patientId}/timeline`)],
    ['update', (s) => s.patch(`/api/patients/${patientId}`, { preferredName: 'Q' })],
    ['preferences', (s) => s.patch(`/api/patients/${patientId}/preferences`, {})],
    ['note', (s) => s.post(`/api/patients/${patientId}/notes`, { body: 'seen today' })],
    ['tasks of the patient', (s) => s.get(`/api/tasks?patientId=${patientId}`)],
    ['task about the patient', (s) => s.post('/api/tasks', { patientId, title: 'Call back' })],
    ['sources', (s) => s.get(`/api/patients/${patientId}/sources`)],
    ['FHIR read', (s) => s.get(`/fhir/R4/Patient/${patientId}`)],
    ['FHIR $everything', (s) => s.get(`/fhir/R4/Patient/${patientId}/$everything`)],
    ['FHIR Encounter search', (s) => s.get(`/fhir/R4/Encounter?patient=${patientId}`)],
    ['FHIR Appointment search', (s) => s.get(`/fhir/R4/Appointment?patient=${patientId}`)],
    ['FHIR Communication search', (s) => s.get(`/fhir/R4/Communication?patient=${patientId}`)],
    ['journey tab', (s) => s.get(`/api/patients/${patientId}/journey`)],
  ];

  it('refuses every reader of detail to staff outside the care team, and audits each refusal', async () => {
    for (const [label, read] of readers(restrictedId)) {
      const res = await read(outsider);
      expect(res.statusCode, label).toBe(403);
      expect(res.body, label).not.toContain('1971-02-03');
      expect(res.body, label).not.toContain(mrn);
      if (!label.startsWith('FHIR'))
        expect(res.json(), label).toMatchObject({ code: 'restricted' });
    }
    const denied = await app.database.system((tx) =>
      tx
        .select()
        .from(auditEvents)
        .where(
          and(
            eq(auditEvents.patientId, restrictedId),
            eq(auditEvents.actorId, outsider.userId),
            eq(auditEvents.outcome, 'denied'),
          ),
        ),
    );
    expect(denied.length).toBe(readers(restrictedId).length);
  });

  it('opens every reader to the care team, and leaves ordinary records open to all', async () => {
    for (const [label, read] of readers(restrictedId)) {
      expect((await read(teamMember)).statusCode, label).toBe(200);
    }
    for (const [label, read] of readers(ordinaryId)) {
      expect((await read(outsider)).statusCode, label).toBe(200);
    }
  });

  it('refuses a note or task named by id when it belongs to a restricted patient', async () => {
    const note = await teamMember.post(`/api/patients/${restrictedId}/notes`, { body: 'private' });
    const task = await teamMember.post('/api/tasks', { patientId: restrictedId, title: 'Biopsy' });
    const noteId = note.json<{ id: string }>().id;
    const taskId = task.json<Task>().id;
    expect((await outsider.patch(`/api/notes/${noteId}`, { body: 'x' })).statusCode).toBe(403);
    expect((await outsider.patch(`/api/tasks/${taskId}`, { status: 'done' })).statusCode).toBe(403);
    expect((await teamMember.patch(`/api/tasks/${taskId}`, { status: 'done' })).statusCode).toBe(
      200,
    );
  });

  it('lists a restricted patient by name alone to those who may not open it', async () => {
    const list = await frontDesk.get(`/api/patients?q=${familyName}`);
    expect(list.statusCode).toBe(200);
    const [row] = list.json<{ items: PatientSummary[] }>().items;
    expect(row).toMatchObject({
      id: restrictedId,
      familyName,
      restricted: true,
      birthDate: null,
      administrativeSex: null,
      phone: null,
      email: null,
      mrn: null,
    });
    const team = (await teamMember.get(`/api/patients?q=${familyName}`)).json<{
      items: PatientSummary[];
    }>();
    expect(team.items[0]).toMatchObject({ restricted: false, birthDate: '1971-02-03', mrn });

    const fhir = (await outsider.get(`/fhir/R4/Patient?name=${familyName}`)).json<Bundle>();
    const resource = fhir.entry?.[0]?.resource as Patient;
    expect(resource.meta?.security?.[0]?.code).toBe('R');
    expect(resource.birthDate).toBeUndefined();
    expect(JSON.stringify(fhir)).not.toContain(mrn);

    await teamMember.post('/api/tasks', { patientId: restrictedId, title: 'Biopsy results' });
    const tasksSeen = (await outsider.get('/api/tasks?limit=200')).json<{ items: Task[] }>();
    const about = tasksSeen.items.filter((t) => t.patientId === restrictedId);
    expect(about.length).toBeGreaterThan(0);
    for (const t of about) {
      expect(t.title).toBe('Task about a restricted patient');
      expect(t.nonClinicalTitle).toBe('Task about a restricted patient');
      expect(t.description).toBeNull();
    }
    // The work queue says whose task it is by name only, as the patient list does.
    expect(JSON.stringify(about)).not.toContain('Biopsy');
    expect(JSON.stringify(about)).not.toContain('1971-02-03');
  });

  it('tells the kind of restriction only to those who may open the record or manage it', async () => {
    const asOutsider = (
      await outsider.get(`/api/patients/${restrictedId}/access`)
    ).json<PatientAccess>();
    expect(asOutsider).toMatchObject({
      restricted: true,
      kind: null,
      access: 'restricted',
      mayBreakGlass: true,
      mayManage: false,
    });
    const asDesk = (
      await frontDesk.get(`/api/patients/${restrictedId}/access`)
    ).json<PatientAccess>();
    expect(asDesk).toMatchObject({ kind: null, mayBreakGlass: false });
    const asTeam = (
      await teamMember.get(`/api/patients/${restrictedId}/access`)
    ).json<PatientAccess>();
    expect(asTeam).toMatchObject({ kind: 'vip', access: 'care-team' });
    const asAdmin = (await admin.get(`/api/patients/${restrictedId}/access`)).json<PatientAccess>();
    expect(asAdmin).toMatchObject({ kind: 'vip', access: 'restricted', mayManage: true });
  });

  it('lets no role without clinical access break the glass', async () => {
    for (const role of ['front-desk', 'marketer', 'analyst'] as const) {
      const session = role === 'front-desk' ? frontDesk : await tenant.signIn(role);
      const res = await session.post(`/api/patients/${restrictedId}/break-glass`, {
        reason: REASON,
      });
      expect(res.statusCode, role).toBe(403);
    }
  });

  it('refuses a break-glass without a real reason, naming the field', async () => {
    const res = await outsider.post(`/api/patients/${restrictedId}/break-glass`, {
      reason: ' why ',
    });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ path: '/body/reason' });
  });

  describe('breaking the glass', () => {
    let grant: BreakGlassGrant;

    beforeAll(async () => {
      now = START;
      const res = await outsider.post(`/api/patients/${restrictedId}/break-glass`, {
        reason: REASON,
      });
      expect(res.statusCode).toBe(200);
      grant = res.json<BreakGlassGrant>();
    });

    it('grants access for 30 minutes from the request clock', async () => {
      expect(grant).toMatchObject({
        patientId: restrictedId,
        userId: outsider.userId,
        reason: REASON,
        grantedAt: START.toISOString(),
        expiresAt: '2026-12-05T10:30:00.000Z',
      });
      now = new Date('2026-12-05T10:29:59.000Z');
      for (const [label, read] of readers(restrictedId)) {
        expect((await read(outsider)).statusCode, label).toBe(200);
      }
    });

    it('is audited as a break-glass, without the free-text reason', async () => {
      const events = await app.database.system((tx) =>
        tx
          .select()
          .from(auditEvents)
          .where(
            and(eq(auditEvents.action, 'break-glass'), eq(auditEvents.patientId, restrictedId)),
          ),
      );
      expect(events).toHaveLength(1);
      expect(events[0]).toMatchObject({ actorId: outsider.userId, outcome: 'success' });
      expect(events[0]?.reason).toContain(grant.id);
      expect(events[0]?.reason).not.toContain('allergies');
    });

    it('gives each privacy officer a review task without clinical detail', async () => {
      const raised = await app.database.system((tx) =>
        tx.select().from(tasks).where(eq(tasks.createdBy, outsider.userId)),
      );
      const reviews = raised.filter((t) => t.title.includes('break-glass'));
      expect(reviews.map((t) => t.assigneeId)).toEqual([officer.userId]);
      expect(reviews[0]?.patientId).toBeNull();
      expect(reviews[0]?.description).toContain(familyName);
      expect(reviews[0]?.description).not.toContain('allergies');
      expect(reviews[0]?.description).not.toContain('1971');
    });

    it('appears in the break-glass report for admins only', async () => {
      const report = await officer.get('/api/break-glass');
      expect(report.statusCode).toBe(200);
      const [row] = report.json<BreakGlassReport>().items;
      expect(row).toMatchObject({
        id: grant.id,
        userId: outsider.userId,
        patientId: restrictedId,
        reason: REASON,
        expiresAt: grant.expiresAt,
      });
      expect((await outsider.get('/api/break-glass')).statusCode).toBe(403);
    });

    it('closes the record again when the grant expires', async () => {
      now = new Date('2026-12-05T10:30:00.000Z');
      const res = await outsider.get(`/api/patients/${restrictedId}`);
      expect(res.statusCode).toBe(403);
      expect(res.json()).toMatchObject({ code: 'restricted' });
    });
  });

  it('opens the record to all once the restriction is cleared, and keeps its history', async () => {
    const cleared = await admin.request('PUT', `/api/patients/${restrictedId}/restriction`, {
      kind: null,
    });
    expect(cleared.json<PatientAccess>()).toMatchObject({ restricted: false, access: 'open' });
    expect((await frontDesk.get(`/api/patients/${restrictedId}`)).statusCode).toBe(200);
    const history = await app.database.system((tx) =>
      tx
        .select()
        .from(auditEvents)
        .where(
          and(
            eq(auditEvents.recordType, 'patient-restriction'),
            eq(auditEvents.patientId, restrictedId),
          ),
        ),
    );
    expect(history.map((e) => e.reason)).toEqual(['restricted: vip', 'restriction cleared']);
  });

  it('applies a restriction to the record a restricted patient was merged into', async () => {
    const survivor = (await tenant.createPatient()).id;
    const merged = (await tenant.createPatient()).id;
    // On PostgreSQL the survivor is now cached as an ordinary record: the merge must drop that.
    expect((await outsider.get(`/api/patients/${survivor}`)).statusCode).toBe(200);
    await admin.request('PUT', `/api/patients/${merged}/restriction`, { kind: 'employee' });
    // The merger must be able to open both records: the admin joins the care team first.
    expect(
      (await admin.post(`/api/patients/${survivor}/merge`, { mergedId: merged })).statusCode,
    ).toBe(403);
    await admin.post(`/api/patients/${merged}/care-team`, { userId: admin.userId });
    const res = await admin.post(`/api/patients/${survivor}/merge`, { mergedId: merged });
    expect(res.statusCode, res.body).toBe(200);
    expect((await outsider.get(`/api/patients/${survivor}`)).statusCode).toBe(403);
    expect((await admin.get(`/api/patients/${survivor}`)).statusCode).toBe(200);
    const access = (await frontDesk.get(`/api/patients/${survivor}/access`)).json<PatientAccess>();
    expect(access).toMatchObject({ restricted: true, access: 'restricted' });
  });

  it('follows a merge chain to its end both ways: old ids are guarded as the survivor', async () => {
    const [a, b, c] = [
      (await tenant.createPatient({ birthDate: '1966-06-16' })).id,
      (await tenant.createPatient()).id,
      (await tenant.createPatient()).id,
    ];
    const merge = (survivor: string, merged: string) =>
      admin.post(`/api/patients/${survivor}/merge`, { mergedId: merged });
    expect((await merge(b, a)).statusCode).toBe(200);
    expect((await merge(c, b)).statusCode).toBe(200);
    // On PostgreSQL the old id is now cached as an ordinary record: restricting C must drop it.
    expect((await outsider.get(`/api/patients/${a}`)).statusCode).toBe(200);
    await admin.request('PUT', `/api/patients/${c}/restriction`, { kind: 'vip' });
    for (const id of [a, b]) {
      for (const [label, read] of readers(id)) {
        const res = await read(outsider);
        expect(res.statusCode, `${label} of ${id === a ? 'A' : 'B'}`).toBe(403);
        expect(res.body, label).not.toContain('1966-06-16');
      }
    }
    const access = (await frontDesk.get(`/api/patients/${a}/access`)).json<PatientAccess>();
    expect(access).toMatchObject({ restricted: true, access: 'restricted' });
    // C's care team reads the old ids too.
    await admin.post(`/api/patients/${c}/care-team`, { userId: teamMember.userId });
    expect((await teamMember.get(`/api/patients/${a}`)).statusCode).toBe(200);

    // The other way: the first record of a chain restricted, the last one guarded.
    const [d, e, f] = [
      (await tenant.createPatient()).id,
      (await tenant.createPatient()).id,
      (await tenant.createPatient()).id,
    ];
    expect((await outsider.get(`/api/patients/${f}`)).statusCode).toBe(200);
    await admin.request('PUT', `/api/patients/${d}/restriction`, { kind: 'confidential' });
    await admin.post(`/api/patients/${d}/care-team`, { userId: admin.userId });
    expect((await merge(e, d)).statusCode).toBe(200);
    expect((await merge(f, e)).statusCode).toBe(200);
    for (const [label, read] of readers(f)) {
      expect((await read(outsider)).statusCode, `${label} of F`).toBe(403);
    }
  });

  it('stops at a merge cycle a restored table might hold, and still applies the restriction', async () => {
    const [x, y] = [(await tenant.createPatient()).id, (await tenant.createPatient()).id];
    await admin.request('PUT', `/api/patients/${y}/restriction`, { kind: 'employee' });
    const merge = (survivorId: string, mergedId: string) => ({
      orgId: tenant.orgId,
      survivorId,
      mergedId,
      origin: 'staff',
      moved: {},
      dropped: {},
      survivorBefore: {},
    });
    await app.database.system((tx) => tx.insert(patientMerges).values([merge(x, y), merge(y, x)]));
    for (const id of [x, y]) {
      const res = await outsider.get(`/api/patients/${id}/access`);
      expect(res.statusCode, res.body).toBe(200);
      expect(res.json<PatientAccess>()).toMatchObject({ restricted: true, access: 'restricted' });
    }
    expect((await outsider.get(`/api/patients/${x}`)).statusCode).toBe(403);
  });

  it('shows a restricted patient’s appointment on the calendar without name or cancellation reason', async () => {
    const cancelled = siu(
      'S15',
      'RC-1',
      { mrn: 'RC1', family: 'Calendarwood', birthDate: '19700101' },
      {
        filler: 'RC-F1',
        start: '209905041000-0500',
        minutes: 30,
        reason: 'Admitted with chest pain',
        status: 'Cancelled',
      },
    );
    const receipt = await app.services.hl7.receive(tenant.orgId, cancelled, { channel: 'mllp' });
    const patientId = receipt.messages[0]?.patientId ?? '';
    await admin.request('PUT', `/api/patients/${patientId}/restriction`, { kind: 'vip' });
    await admin.post(`/api/patients/${patientId}/care-team`, { userId: frontDesk.userId });
    const row = async (s: Session) =>
      (await s.get('/api/calendar?from=2099-05-04T00:00:00Z&to=2099-05-05T00:00:00Z')).json<{
        appointments: ScheduledAppointment[];
      }>().appointments;
    expect(await row(outsider)).toEqual([
      expect.objectContaining({ patientId, patientName: null, cancelReason: null }),
    ]);
    expect(await row(frontDesk)).toEqual([
      expect.objectContaining({
        patientName: expect.stringContaining('Calendarwood'),
        cancelReason: 'Admitted with chest pain',
      }),
    ]);
  });

  it('neither sorts nor finds a masked row by the fields its list row hides', async () => {
    const org = await TestTenant.create(app);
    const [orgAdmin, desk, team] = [
      await org.signIn('admin'),
      await org.signIn('front-desk'),
      await org.signIn('clinician'),
    ];
    const ordinary = [];
    for (const birthDate of ['1950-01-01', '1960-01-01', '1970-01-01', '1980-01-01']) {
      ordinary.push((await org.createPatient({ birthDate, administrativeSex: 'male' })).id);
    }
    const phone = '(617) 555-7788';
    const secret = (
      await org.createPatient({
        birthDate: '1965-05-05',
        administrativeSex: 'female',
        contactPoints: [{ system: 'phone', value: phone }],
      })
    ).id;
    await orgAdmin.request('PUT', `/api/patients/${secret}/restriction`, { kind: 'vip' });
    await orgAdmin.post(`/api/patients/${secret}/care-team`, { userId: team.userId });

    const ids = async (s: Session, query: string) =>
      (await s.get(`/api/patients?${query}`))
        .json<{ items: PatientSummary[] }>()
        .items.map((i) => i.id);
    /** Every page of a sorted list, two rows at a time, through the cursors. */
    const walk = async (s: Session, sort: string) => {
      const out: string[] = [];
      let cursor: string | null = null;
      do {
        const suffix: string = cursor ? `&cursor=${cursor}` : '';
        const page = (await s.get(`/api/patients?sort=${sort}&limit=2${suffix}`)).json<{
          items: PatientSummary[];
          nextCursor: string | null;
        }>();
        out.push(...page.items.map((i) => i.id));
        cursor = page.nextCursor;
      } while (cursor);
      return out;
    };
    // As if the birth date were unknown: after every known one, before them descending.
    expect(await walk(desk, 'birthDate')).toEqual([...ordinary, secret]);
    expect(await walk(desk, '-birthDate')).toEqual([secret, ...ordinary.toReversed()]);
    expect(await walk(team, 'birthDate')).toEqual([
      ordinary[0],
      ordinary[1],
      secret,
      ordinary[2],
      ordinary[3],
    ]);
    // A search or filter on a masked field does not confirm it; the name still finds the row.
    for (const query of [
      'q=1965-05-05',
      'q=05/05/1965',
      `q=${encodeURIComponent(phone)}`,
      'sex=female',
    ]) {
      expect(await ids(desk, query), query).toEqual([]);
      expect(await ids(team, query), query).toEqual([secret]);
    }
    expect(await ids(desk, 'q=Maria')).toContain(secret);
    const fhir = (await desk.get('/fhir/R4/Patient?birthdate=1965-05-05')).json<Bundle>();
    expect(fhir.entry ?? []).toEqual([]);
    const fhirGender = (await desk.get('/fhir/R4/Patient?gender=female')).json<Bundle>();
    expect(fhirGender.entry ?? []).toEqual([]);
    const asTeam = (await team.get('/fhir/R4/Patient?birthdate=1965-05-05')).json<Bundle>();
    expect(asTeam.entry?.map((e) => e.resource?.id)).toEqual([secret]);
  });

  it('ends a privacy officer’s flag when their role changes, and names only admins', async () => {
    const former = await tenant.signIn('admin');
    await app.services.users.setPrivacyOfficer(tenant.orgId, former.userId, true);
    const res = await admin.patch(`/api/users/${former.userId}`, { role: 'clinician' });
    expect(res.statusCode, res.body).toBe(200);
    const [row] = await app.database.system((tx) =>
      tx.select().from(users).where(eq(users.id, former.userId)),
    );
    expect(row?.privacyOfficer).toBe(false);
    await expect(
      app.services.users.setPrivacyOfficer(tenant.orgId, former.userId, true),
    ).rejects.toMatchObject({ problem: { status: 400, path: '/body/privacyOfficer' } });
  });

  it('keeps a possible duplicate involving a restricted record out of the review queue and its screens', async () => {
    const first: PatientCreate = {
      givenName: 'Catherine',
      familyName: `Zeller${familyName.slice(7)}`,
      birthDate: '1958-03-14',
      administrativeSex: 'female',
      contactPoints: [{ system: 'phone', value: '(508) 555-4410' }],
      addresses: [{ line1: '4 Harbor Rd', city: 'Salem', state: 'MA', postalCode: '01970' }],
    };
    const a = (await admin.post('/api/patients', first)).json<Patient360>().patient.id;
    const b = (
      await admin.post('/api/patients', {
        ...first,
        familyName: `${first.familyName.slice(0, -1)}x`,
        contactPoints: [{ system: 'phone', value: '(508) 555-9911' }],
      })
    ).json<Patient360>().patient.id;
    const queue = async () =>
      (await frontDesk.get('/api/mpi/reviews?status=open&limit=200'))
        .json<ReviewPage>()
        .items.filter((i) => [i.incoming.patientId, i.candidate.patientId].includes(b));
    const [item] = await queue();
    if (!item) throw new Error('expected a review item');
    await admin.request('PUT', `/api/patients/${a}/restriction`, { kind: 'confidential' });
    expect(await queue()).toEqual([]);
    for (const res of [
      await frontDesk.get(`/api/mpi/reviews/${item.id}`),
      await frontDesk.post(`/api/mpi/reviews/${item.id}/decision`, { decision: 'distinct' }),
    ]) {
      expect(res.statusCode).toBe(403);
      expect(res.json()).toMatchObject({ code: 'restricted' });
    }
    await admin.post(`/api/patients/${a}/care-team`, { userId: frontDesk.userId });
    expect(await queue()).toHaveLength(1);
    expect((await frontDesk.get(`/api/mpi/reviews/${item.id}`)).statusCode).toBe(200);
  });

  it('answers 404 for another organization’s patient, restricted or not', async () => {
    const other = await TestTenant.create(app);
    const foreign = (await other.createPatient()).id;
    const res = await outsider.post(`/api/patients/${foreign}/break-glass`, { reason: REASON });
    expect(res.statusCode).toBe(404);
    expect(
      (await admin.request('PUT', `/api/patients/${foreign}/restriction`, { kind: 'vip' }))
        .statusCode,
    ).toBe(404);
  });

  it('adds only active staff of the organization to a care team', async () => {
    const portalUser = await tenant.signIn('patient', { patientId: ordinaryId });
    const elsewhere = await (await TestTenant.create(app)).signIn('clinician');
    for (const userId of [portalUser.userId, elsewhere.userId]) {
      const res = await admin.post(`/api/patients/${ordinaryId}/care-team`, { userId });
      expect(res.statusCode).toBe(400);
      expect(res.json()).toMatchObject({ path: '/body/userId' });
    }
    expect(
      (await outsider.post(`/api/patients/${ordinaryId}/care-team`, { userId: outsider.userId }))
        .statusCode,
    ).toBe(403);
  });
});
