import { randomUUID } from 'node:crypto';
import type { Location, Practitioner, Service } from '@careloop/core';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestApp, type Session, type TestApp, TestTenant } from '../../test/app.js';
import { describeEachDatabase } from '../../test/databases.js';
import { messageTemplates } from '../templates/schema.js';
import { READY_TEMPLATES } from '../templates/service.js';

interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

describeEachDatabase('directory', (kind) => {
  let app: TestApp;
  let tenant: TestTenant;
  let admin: Session;

  beforeAll(async () => {
    app = await createTestApp(kind);
    tenant = await TestTenant.create(app);
    admin = await tenant.signIn('admin');
  });
  afterAll(() => app.close());

  it('creates a location, lists it and changes it', async () => {
    const created = await admin.post('/api/locations', {
      name: '  Back Bay Clinic ',
      city: 'Boston',
      state: 'MA',
      timeZone: 'America/New_York',
    });
    expect(created.statusCode).toBe(200);
    const location = created.json<Location>();
    expect(location).toMatchObject({ name: 'Back Bay Clinic', city: 'Boston', active: true });

    const listed = await admin.get('/api/locations?q=back%20BAY');
    expect(listed.json<Page<Location>>().items.map((l) => l.id)).toEqual([location.id]);

    const changed = await admin.patch(`/api/locations/${location.id}`, {
      active: false,
      phone: '617-555-0100',
    });
    expect(changed.statusCode).toBe(200);
    expect(changed.json<Location>()).toMatchObject({ active: false, phone: '617-555-0100' });
    const active = await admin.get('/api/locations?active=true&q=back%20bay');
    expect(active.json<Page<Location>>().items).toEqual([]);
    const inactive = await admin.get('/api/locations?active=false&q=back%20bay');
    expect(inactive.json<Page<Location>>().items.map((l) => l.id)).toEqual([location.id]);
  });

  it('treats % and _ in q as plain characters', async () => {
    await admin.post('/api/locations', { name: 'Wing 100% Care' });
    await admin.post('/api/locations', { name: 'Wing 100 Care' });
    const res = await admin.get('/api/locations?q=100%25');
    expect(res.json<Page<Location>>().items.map((l) => l.name)).toEqual(['Wing 100% Care']);
  });

  it('pages locations by name with cursors, without gaps or repeats', async () => {
    const other = await TestTenant.create(app);
    const otherAdmin = await other.signIn('admin');
    // Equal names make the id the tie-breaker of the keyset.
    const names = ['Cedar', 'Alder', 'Birch', 'Birch', 'Elm', 'Alder', 'Dogwood'];
    for (const name of names) {
      expect((await otherAdmin.post('/api/locations', { name })).statusCode).toBe(200);
    }
    const seen: Location[] = [];
    let url = '/api/locations?limit=3';
    for (let pages = 0; pages < 5; pages += 1) {
      const page = (await otherAdmin.get(url)).json<Page<Location>>();
      seen.push(...page.items);
      if (!page.nextCursor) break;
      url = `/api/locations?limit=3&cursor=${page.nextCursor}`;
    }
    expect(seen.map((l) => l.name)).toEqual([...names].sort());
    expect(new Set(seen.map((l) => l.id)).size).toBe(names.length);
  });

  it('refuses a malformed cursor with 400 on the cursor', async () => {
    for (const cursor of ['not-a-cursor', 'WyJhIl0', 'WyJhIiwibm90LWEtdXVpZCJd']) {
      const res = await admin.get(`/api/locations?cursor=${cursor}`);
      expect(res.statusCode).toBe(400);
      expect(res.json()).toMatchObject({ path: '/query/cursor' });
    }
  });

  it('validates bodies with the path of the offending field', async () => {
    const noName = await admin.post('/api/locations', { city: 'Boston' });
    expect(noName.statusCode).toBe(400);
    expect(noName.json()).toMatchObject({ code: 'validation_failed', path: '/body/name' });

    const badZone = await admin.post('/api/locations', { name: 'X', timeZone: 'Mars/Olympus' });
    expect(badZone.statusCode).toBe(400);
    expect(badZone.json()).toMatchObject({ path: '/body/timeZone' });

    const badNpi = await admin.post('/api/practitioners', {
      givenName: 'Ana',
      familyName: 'Ruiz',
      npi: '12345',
    });
    expect(badNpi.statusCode).toBe(400);
    expect(badNpi.json()).toMatchObject({ path: '/body/npi' });

    const badEmail = await admin.post('/api/practitioners', {
      givenName: 'Ana',
      familyName: 'Ruiz',
      email: 'ana-at-example',
    });
    expect(badEmail.statusCode).toBe(400);
    expect(badEmail.json()).toMatchObject({ path: '/body/email' });
  });

  it('creates practitioners with a display name and searches them by full name', async () => {
    const loc = (await admin.post('/api/locations', { name: 'Fenway' })).json<Location>();
    const res = await admin.post('/api/practitioners', {
      givenName: 'Ana',
      familyName: 'Ruiz-Okafor',
      prefix: 'Dr.',
      npi: '1234567893',
      email: 'Ana.Ruiz@Example.org',
      locationId: loc.id,
    });
    expect(res.statusCode).toBe(200);
    const practitioner = res.json<Practitioner>();
    expect(practitioner).toMatchObject({
      displayName: 'Dr. Ana Ruiz-Okafor',
      email: 'ana.ruiz@example.org',
      locationId: loc.id,
    });
    for (const q of ['ana%20ruiz', 'RUIZ-OK', 'okafor']) {
      const page = (await admin.get(`/api/practitioners?q=${q}`)).json<Page<Practitioner>>();
      expect(page.items.map((p) => p.id)).toEqual([practitioner.id]);
    }
    const moved = await admin.patch(`/api/practitioners/${practitioner.id}`, {
      locationId: null,
      specialty: 'Cardiology',
    });
    expect(moved.json<Practitioner>()).toMatchObject({ locationId: null, specialty: 'Cardiology' });
  });

  it('pages practitioners by family then given name', async () => {
    const other = await TestTenant.create(app);
    const otherAdmin = await other.signIn('admin');
    const people = [
      ['Zoe', 'Adams'],
      ['Amy', 'Adams'],
      ['Bo', 'Chen'],
      ['Al', 'Baker'],
    ];
    for (const [givenName, familyName] of people) {
      await otherAdmin.post('/api/practitioners', { givenName, familyName });
    }
    const first = (await otherAdmin.get('/api/practitioners?limit=2')).json<Page<Practitioner>>();
    expect(first.items.map((p) => p.displayName)).toEqual(['Amy Adams', 'Zoe Adams']);
    const second = (
      await otherAdmin.get(`/api/practitioners?limit=2&cursor=${first.nextCursor}`)
    ).json<Page<Practitioner>>();
    expect(second.items.map((p) => p.displayName)).toEqual(['Al Baker', 'Bo Chen']);
    expect(second.nextCursor).toBeNull();
  });

  it("refuses a practitioner at another organization's location", async () => {
    const other = await TestTenant.create(app);
    const otherAdmin = await other.signIn('admin');
    const theirs = (await otherAdmin.post('/api/locations', { name: 'Theirs' })).json<Location>();
    const res = await admin.post('/api/practitioners', {
      givenName: 'Ana',
      familyName: 'Ruiz',
      locationId: theirs.id,
    });
    expect(res.statusCode).toBe(422);
    expect(res.json()).toMatchObject({ path: '/body/locationId' });
  });

  it('creates service lines with unique codes per organization', async () => {
    const res = await admin.post('/api/services', {
      code: 'mammo',
      name: 'Screening mammography',
      defaultDurationMinutes: 20,
    });
    expect(res.statusCode).toBe(200);
    const service = res.json<Service>();
    expect(service).toMatchObject({ code: 'mammo', defaultDurationMinutes: 20, active: true });

    const duplicate = await admin.post('/api/services', { code: 'mammo', name: 'Again' });
    expect(duplicate.statusCode).toBe(409);
    expect(duplicate.json()).toMatchObject({ code: 'conflict', path: '/body/code' });

    const other = await TestTenant.create(app);
    const otherAdmin = await other.signIn('admin');
    const elsewhere = await otherAdmin.post('/api/services', { code: 'mammo', name: 'Mammo' });
    expect(elsewhere.statusCode).toBe(200);

    const pcp = (
      await admin.post('/api/services', { code: 'pcp', name: 'Primary care' })
    ).json<Service>();
    const clash = await admin.patch(`/api/services/${pcp.id}`, { code: 'mammo' });
    expect(clash.statusCode).toBe(409);
    const renamed = await admin.patch(`/api/services/${pcp.id}`, { name: 'Primary care visit' });
    expect(renamed.json<Service>().name).toBe('Primary care visit');

    const badCode = await admin.post('/api/services', { code: 'Has Spaces', name: 'X' });
    expect(badCode.statusCode).toBe(400);
    expect(badCode.json()).toMatchObject({ path: '/body/code' });

    const list = (await admin.get('/api/services?q=MAMMO')).json<Page<Service>>();
    expect(list.items.map((s) => s.id)).toEqual([service.id]);
  });

  it("answers 404 for another organization's records", async () => {
    const other = await TestTenant.create(app);
    const otherAdmin = await other.signIn('admin');
    const loc = (await otherAdmin.post('/api/locations', { name: 'Private' })).json<Location>();
    const svc = (await otherAdmin.post('/api/services', { code: 'x', name: 'X' })).json<Service>();
    const doc = (
      await otherAdmin.post('/api/practitioners', { givenName: 'A', familyName: 'B' })
    ).json<Practitioner>();

    expect((await admin.patch(`/api/locations/${loc.id}`, { name: 'Mine' })).statusCode).toBe(404);
    expect((await admin.patch(`/api/services/${svc.id}`, { name: 'Mine' })).statusCode).toBe(404);
    expect((await admin.patch(`/api/practitioners/${doc.id}`, {})).statusCode).toBe(404);
    const mine = (await admin.get('/api/locations?q=private')).json<Page<Location>>();
    expect(mine.items).toEqual([]);
  });

  it('lets every staff role read the directory but only admins change it', async () => {
    const marketer = await tenant.signIn('marketer');
    expect((await marketer.get('/api/locations')).statusCode).toBe(200);
    expect((await marketer.get('/api/practitioners')).statusCode).toBe(200);
    expect((await marketer.get('/api/services')).statusCode).toBe(200);
    const denied = await marketer.post('/api/locations', { name: 'Nope' });
    expect(denied.statusCode).toBe(403);
    expect(denied.json()).toMatchObject({ code: 'forbidden' });
    const clinician = await tenant.signIn('clinician');
    expect((await clinician.post('/api/services', { code: 'y', name: 'Y' })).statusCode).toBe(403);
  });

  it('refuses patients, anonymous callers and writes without the CSRF token', async () => {
    const anonymous = await app.app.inject({ method: 'GET', url: '/api/locations' });
    expect(anonymous.statusCode).toBe(401);

    const noCsrf = await app.app.inject({
      method: 'POST',
      url: '/api/locations',
      headers: { cookie: admin.cookie, 'content-type': 'application/json' },
      payload: JSON.stringify({ name: 'Sneaky' }),
    });
    expect(noCsrf.statusCode).toBe(403);
    expect(noCsrf.json()).toMatchObject({ code: 'csrf_failed' });
  });

  it('finds and creates organizations for the CLI', async () => {
    const { directory } = app.services;
    const name = `CLI Org ${randomUUID().slice(0, 8)}`;
    expect(await directory.findOrganizationByName(name)).toBeNull();
    const created = await directory.createOrganization(name, 'America/Chicago');
    expect(created).toMatchObject({ name, timeZone: 'America/Chicago' });
    expect(await directory.findOrganizationByName(name)).toEqual(created);
    // With Careloop's ready templates (issue 11, h11t): its journeys and offers never send
    // generic text.
    const keys = await app.database.withTenant(created.id, (tx) =>
      tx
        .select({ key: messageTemplates.key })
        .from(messageTemplates)
        .where(eq(messageTemplates.orgId, created.id)),
    );
    expect(keys.map((k) => k.key).sort()).toEqual(READY_TEMPLATES.map((t) => t.key).sort());
    await expect(directory.createOrganization(name)).rejects.toMatchObject({
      problem: { status: 409 },
    });
    await expect(directory.createOrganization('X', 'Nowhere/City')).rejects.toMatchObject({
      problem: { status: 400 },
    });
  });
});
