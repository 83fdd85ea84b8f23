import type { User } from '@careloop/core';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestApp, login, type Session, type TestApp, TestTenant } from '../../test/app.js';
import { describeEachDatabase } from '../../test/databases.js';
import { auditEvents } from '../audit/schema.js';
import { users } from './schema.js';

interface Created {
  user: User;
  generatedPassword: string | null;
}
interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

const PASSWORD = 'a long enough passphrase';
let counter = 0;
const uniqueEmail = (prefix = 'user') => {
  counter += 1;
  return `${prefix}-${counter}-${Date.now()}@clinic.example`;
};

describeEachDatabase('users', (kind) => {
  let app: TestApp;
  let tenant: TestTenant;
  let admin: Session;

  beforeAll(async () => {
    app = await createTestApp(kind);
    tenant = await TestTenant.create(app);
    admin = await tenant.signIn('admin');
  });
  afterAll(() => app.close());

  const anyoneSignIn = (email: string, password: string) =>
    app.app.inject({ method: 'POST', url: '/api/auth/login', payload: { email, password } });

  const auditOf = (userId: string) =>
    app.database.system((tx) =>
      tx
        .select()
        .from(auditEvents)
        .where(and(eq(auditEvents.recordType, 'user'), eq(auditEvents.recordId, userId)))
        .orderBy(auditEvents.seq),
    );

  async function createStaff(role: User['role'] = 'clinician', displayName = 'Dana Staff') {
    const email = uniqueEmail(role);
    const res = await admin.post('/api/users', { email, displayName, role, password: PASSWORD });
    expect(res.statusCode).toBe(200);
    return { email, user: res.json<Created>().user };
  }

  it('creates an account with a lower-cased email that can sign in', async () => {
    const email = uniqueEmail('Mixed.Case');
    const res = await admin.post('/api/users', {
      email: `  ${email.toUpperCase()} `,
      displayName: 'Rosa Front',
      role: 'front-desk',
      password: PASSWORD,
    });
    expect(res.statusCode).toBe(200);
    const body = res.json<Created>();
    expect(body.generatedPassword).toBeNull();
    expect(body.user).toMatchObject({
      email: email.toLowerCase(),
      role: 'front-desk',
      disabled: false,
      patientId: null,
      lastLoginAt: null,
    });
    const session = await login(app, email.toLowerCase(), PASSWORD);
    expect(session.userId).toBe(body.user.id);
  });

  it('generates a password when none is given, returns it once and stores only its hash', async () => {
    const email = uniqueEmail();
    const res = await admin.post('/api/users', { email, displayName: 'Gen', role: 'analyst' });
    const { user, generatedPassword } = res.json<Created>();
    expect(generatedPassword).toMatch(/^[A-Za-z0-9]{20}$/);
    await login(app, email, generatedPassword ?? '');
    const [row] = await app.database.system((tx) =>
      tx.select().from(users).where(eq(users.id, user.id)),
    );
    expect(row?.passwordHash).toMatch(/^\$argon2id\$/);
    expect(row?.passwordHash).not.toContain(generatedPassword);
    const listed = await admin.get(`/api/users?q=${encodeURIComponent(email.toUpperCase())}`);
    expect(listed.json<Page<User>>().items.map((u) => u.id)).toEqual([user.id]);
    expect(listed.body).not.toContain(generatedPassword);
  });

  it('validates the request with the path of the offending field', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ email: 'not-an-email', displayName: 'X', role: 'clinician' }, '/body/email'],
      [{ email: uniqueEmail(), displayName: 'X', role: 'wizard' }, '/body/role'],
      [
        { email: uniqueEmail(), displayName: 'X', role: 'clinician', password: 'short' },
        '/body/password',
      ],
      [{ email: uniqueEmail(), role: 'clinician' }, '/body/displayName'],
      // Long enough, but among the first guesses of any attacker (zxcvbn-ts score below 3).
      ...['            ', 'aaaaaaaaaaaa', 'password1234'].map(
        (password): [Record<string, unknown>, string] => [
          { email: uniqueEmail(), displayName: 'X', role: 'clinician', password },
          '/body/password',
        ],
      ),
    ];
    for (const [body, path] of cases) {
      const res = await admin.post('/api/users', body);
      expect(res.statusCode, JSON.stringify(body)).toBe(400);
      expect(res.json()).toMatchObject({ status: 400, path });
    }
  });

  it('refuses an email already in use, in this organization or another, with 409', async () => {
    const { email } = await createStaff();
    const again = await admin.post('/api/users', {
      email: email.toUpperCase(),
      displayName: 'Twin',
      role: 'clinician',
    });
    expect(again.statusCode).toBe(409);
    expect(again.json()).toMatchObject({ code: 'conflict', path: '/body/email' });

    const other = await TestTenant.create(app);
    const otherAdmin = await other.signIn('admin');
    const elsewhere = await otherAdmin.post('/api/users', {
      email,
      displayName: 'Twin',
      role: 'clinician',
    });
    expect(elsewhere.statusCode).toBe(409);
    expect(elsewhere.json()).toMatchObject({ path: '/body/email' });
  });

  it('links patient accounts to a patient of the same organization only', async () => {
    const patient = await tenant.createPatient();
    const other = await TestTenant.create(app);
    const theirs = await other.createPatient();
    const base = { displayName: 'Maria Lopez', role: 'patient', password: PASSWORD };

    const unlinked = await admin.post('/api/users', { ...base, email: uniqueEmail() });
    expect(unlinked.statusCode).toBe(400);
    expect(unlinked.json()).toMatchObject({ path: '/body/patientId' });

    const foreign = await admin.post('/api/users', {
      ...base,
      email: uniqueEmail(),
      patientId: theirs.id,
    });
    expect(foreign.statusCode).toBe(422);
    expect(foreign.json()).toMatchObject({ path: '/body/patientId' });

    const staffLinked = await admin.post('/api/users', {
      ...base,
      role: 'clinician',
      email: uniqueEmail(),
      patientId: patient.id,
    });
    expect(staffLinked.statusCode).toBe(400);
    expect(staffLinked.json()).toMatchObject({ path: '/body/patientId' });

    const email = uniqueEmail('patient');
    const ok = await admin.post('/api/users', { ...base, email, patientId: patient.id });
    expect(ok.statusCode).toBe(200);
    expect(ok.json<Created>().user).toMatchObject({ role: 'patient', patientId: patient.id });
    const me = await (await login(app, email, PASSWORD)).get('/api/auth/me');
    expect(me.json()).toMatchObject({ user: { role: 'patient', patientId: patient.id } });

    // A role change cannot turn the patient account into staff while it is linked.
    const promoted = await admin.patch(`/api/users/${ok.json<Created>().user.id}`, {
      role: 'clinician',
    });
    expect(promoted.statusCode).toBe(400);
    expect(promoted.json()).toMatchObject({ path: '/body/role' });
  });

  it('cannot turn a staff account into a patient account without a patient', async () => {
    const { user } = await createStaff();
    const res = await admin.patch(`/api/users/${user.id}`, { role: 'patient' });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ path: '/body/role' });
  });

  it('lists accounts by name, filtered by q, role and status, in pages', async () => {
    const other = await TestTenant.create(app);
    const otherAdmin = await other.signIn('admin');
    const names = ['Cleo Nurse', 'Abe Nurse', 'Bea Nurse', 'Abe Nurse'];
    for (const displayName of names) {
      await otherAdmin.post('/api/users', { email: uniqueEmail(), displayName, role: 'clinician' });
    }
    const seen: User[] = [];
    let url = '/api/users?role=clinician&limit=3';
    for (let i = 0; i < 4; i += 1) {
      const page = (await otherAdmin.get(url)).json<Page<User>>();
      seen.push(...page.items);
      if (!page.nextCursor) break;
      url = `/api/users?role=clinician&limit=3&cursor=${page.nextCursor}`;
    }
    expect(seen.map((u) => u.displayName)).toEqual([...names].sort());
    expect(new Set(seen.map((u) => u.id)).size).toBe(4);

    // 'cleo' cannot occur in the random hex of the test accounts' emails.
    const byName = (await otherAdmin.get('/api/users?q=CLEO')).json<Page<User>>();
    expect(byName.items.map((u) => u.displayName)).toEqual(['Cleo Nurse']);
    const admins = (await otherAdmin.get('/api/users?role=admin')).json<Page<User>>();
    expect(admins.items).toHaveLength(1);
    // The other organization's accounts never show.
    const mine = (await admin.get('/api/users?q=nurse')).json<Page<User>>();
    expect(mine.items).toEqual([]);

    const badCursor = await otherAdmin.get('/api/users?cursor=WyJ4Il0');
    expect(badCursor.statusCode).toBe(400);
    expect(badCursor.json()).toMatchObject({ path: '/query/cursor' });
  });

  it('disabling an account ends its sessions and refuses sign-in until it is enabled', async () => {
    const { email, user } = await createStaff('care-coordinator');
    const session = await login(app, email, PASSWORD);
    expect((await session.get('/api/auth/me')).statusCode).toBe(200);

    const disabled = await admin.patch(`/api/users/${user.id}`, { disabled: true });
    expect(disabled.statusCode).toBe(200);
    expect(disabled.json<User>().disabled).toBe(true);
    expect((await session.get('/api/auth/me')).statusCode).toBe(401);
    expect((await anyoneSignIn(email, PASSWORD)).statusCode).toBe(401);
    const listed = (await admin.get('/api/users?disabled=true')).json<Page<User>>();
    expect(listed.items.map((u) => u.id)).toContain(user.id);

    const enabled = await admin.patch(`/api/users/${user.id}`, { disabled: false });
    expect(enabled.json<User>().disabled).toBe(false);
    await login(app, email, PASSWORD);

    const events = await auditOf(user.id);
    expect(events.map((e) => [e.action, e.reason])).toEqual([
      ['create', null],
      ['update', 'disabled; sessions revoked'],
      ['update', 'enabled'],
    ]);
    expect(events[1]).toMatchObject({
      actorId: admin.userId,
      actorRole: 'admin',
      outcome: 'success',
    });
  });

  it('changing the role ends the sessions opened under the old role', async () => {
    const { email, user } = await createStaff('clinician');
    const session = await login(app, email, PASSWORD);
    const res = await admin.patch(`/api/users/${user.id}`, { role: 'front-desk' });
    expect(res.json<User>().role).toBe('front-desk');
    expect((await session.get('/api/auth/me')).statusCode).toBe(401);
    const fresh = await login(app, email, PASSWORD);
    expect((await fresh.get('/api/auth/me')).json()).toMatchObject({
      user: { role: 'front-desk' },
    });
  });

  it('a password reset ends sessions and replaces the password; a rename does not sign out', async () => {
    const { email, user } = await createStaff('clinician');
    const session = await login(app, email, PASSWORD);
    const renamed = await admin.patch(`/api/users/${user.id}`, { displayName: 'Dana Renamed' });
    expect(renamed.json<User>().displayName).toBe('Dana Renamed');
    expect((await session.get('/api/auth/me')).statusCode).toBe(200);

    const weak = await admin.patch(`/api/users/${user.id}`, { password: 'password1234' });
    expect(weak.statusCode).toBe(400);
    expect(weak.json()).toMatchObject({ path: '/body/password' });
    expect(weak.json().message).toMatch(/too easy to guess/);
    const newPassword = 'another long passphrase';
    await admin.patch(`/api/users/${user.id}`, { password: newPassword });
    expect((await session.get('/api/auth/me')).statusCode).toBe(401);
    expect((await anyoneSignIn(email, PASSWORD)).statusCode).toBe(401);
    await login(app, email, newPassword);
    const events = await auditOf(user.id);
    expect(events.at(-1)?.reason).toBe('password reset; sessions revoked');
    expect(JSON.stringify(events)).not.toContain(newPassword);
  });

  it('names an admin privacy officer and back, audited; refuses the flag for another role', async () => {
    const { user: other } = await createStaff('admin', 'Pat Officer');
    const named = await admin.patch(`/api/users/${other.id}`, { privacyOfficer: true });
    expect(named.statusCode, named.body).toBe(200);
    expect(named.json<User>().privacyOfficer).toBe(true);
    const listed = (await admin.get('/api/users?q=Pat%20Officer')).json<Page<User>>();
    expect(listed.items.map((u) => u.privacyOfficer)).toEqual([true]);
    const [row] = await app.database.system((tx) =>
      tx.select({ po: users.privacyOfficer }).from(users).where(eq(users.id, other.id)),
    );
    expect(row?.po).toBe(true);
    const cleared = await admin.patch(`/api/users/${other.id}`, { privacyOfficer: false });
    expect(cleared.json<User>().privacyOfficer).toBe(false);
    const reasons = (await auditOf(other.id)).map((e) => e.reason);
    expect(reasons).toContain('named privacy officer');
    expect(reasons).toContain('no longer privacy officer');

    const { user: clinician } = await createStaff('clinician');
    const refused = await admin.patch(`/api/users/${clinician.id}`, { privacyOfficer: true });
    expect(refused.statusCode).toBe(400);
    expect(refused.json()).toMatchObject({ path: '/body/privacyOfficer' });
    // Demoting a privacy officer ends the flag with the role.
    await admin.patch(`/api/users/${other.id}`, { privacyOfficer: true });
    const demoted = await admin.patch(`/api/users/${other.id}`, { role: 'clinician' });
    expect(demoted.json<User>()).toMatchObject({ role: 'clinician', privacyOfficer: false });
  });

  it('an admin cannot disable themselves or change their own role', async () => {
    const selfDisable = await admin.patch(`/api/users/${admin.userId}`, { disabled: true });
    expect(selfDisable.statusCode).toBe(400);
    expect(selfDisable.json()).toMatchObject({ path: '/body/disabled' });
    const selfDemote = await admin.patch(`/api/users/${admin.userId}`, { role: 'analyst' });
    expect(selfDemote.statusCode).toBe(400);
    expect(selfDemote.json()).toMatchObject({ path: '/body/role' });
    expect((await admin.get('/api/auth/me')).statusCode).toBe(200);
  });

  it("answers 404 for another organization's account", async () => {
    const other = await TestTenant.create(app);
    const stranger = await other.signIn('clinician');
    const res = await admin.patch(`/api/users/${stranger.userId}`, { disabled: true });
    expect(res.statusCode).toBe(404);
    expect((await stranger.get('/api/auth/me')).statusCode).toBe(200);
  });

  it('is for admins only, needs a session, and a CSRF token to change anything', async () => {
    const frontDesk = await tenant.signIn('front-desk');
    expect((await frontDesk.get('/api/users')).statusCode).toBe(403);
    const escalate = await frontDesk.patch(`/api/users/${frontDesk.userId}`, { role: 'admin' });
    expect(escalate.statusCode).toBe(403);
    expect((await app.app.inject({ method: 'GET', url: '/api/users' })).statusCode).toBe(401);
    const noCsrf = await app.app.inject({
      method: 'POST',
      url: '/api/users',
      headers: { cookie: admin.cookie, 'content-type': 'application/json' },
      payload: JSON.stringify({ email: uniqueEmail(), displayName: 'X', role: 'clinician' }),
    });
    expect(noCsrf.statusCode).toBe(403);
    expect(noCsrf.json()).toMatchObject({ code: 'csrf_failed' });
  });

  it('lists active staff, never patients or disabled accounts, to whoever assigns tasks', async () => {
    const own = await tenant.createPatient();
    const patientUser = await tenant.signIn('patient', { patientId: own.id });
    const leaver = await tenant.signIn('clinician');
    await admin.patch(`/api/users/${leaver.userId}`, { disabled: true });
    const frontDesk = await tenant.signIn('front-desk');
    const res = await frontDesk.get('/api/staff');
    expect(res.statusCode).toBe(200);
    const ids = res.json<{ items: { id: string; role: string }[] }>().items.map((s) => s.id);
    expect(ids).toContain(frontDesk.userId);
    expect(ids).toContain(admin.userId);
    expect(ids).not.toContain(patientUser.userId);
    expect(ids).not.toContain(leaver.userId);
    expect(res.body).not.toContain('@');
    const marketer = await tenant.signIn('marketer');
    expect((await marketer.get('/api/staff')).statusCode).toBe(403);
  });

  it('creates accounts from the CLI, audited as the CLI', async () => {
    const email = uniqueEmail('cli');
    const { user, generatedPassword } = await app.services.users.create(tenant.orgId, {
      email,
      displayName: 'First Admin',
      role: 'admin',
    });
    expect(generatedPassword).toBeTruthy();
    const [event] = await auditOf(user.id);
    expect(event).toMatchObject({
      orgId: tenant.orgId,
      action: 'create',
      actorId: null,
      actorRole: null,
      actorEmail: null,
      ip: null,
      userAgent: 'careloop-cli',
    });
  });
});
