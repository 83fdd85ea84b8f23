import type { PatientCreate, SourceDemographics } from '@careloop/core';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, samplePatient, type TestApp, TestTenant } from '../../test/app.js';
import { describeEachDatabase } from '../../test/databases.js';
import { patients } from '../patients/schema.js';
import { blockedCandidatesOfMany } from './candidates.js';

describeEachDatabase('blocking candidates for several people at once', (kind) => {
  let t: TestApp;
  let tenant: TestTenant;
  const ids: Record<string, string> = {};

  const create = async (name: string, overrides: Partial<PatientCreate>) => {
    // samplePatient gives each record a phone, email and MRN of its own; every birth date and
    // family name below is different, so each record shares exactly the key it is named for.
    ids[name] = (await tenant.createPatient({ ...samplePatient(), ...overrides })).id;
  };

  beforeAll(async () => {
    t = await createTestApp(kind);
    tenant = await TestTenant.create(t);
    await create('birth', {
      givenName: 'Mirela',
      familyName: 'Quintanar',
      birthDate: '1971-03-14',
    });
    await create('swapped', {
      givenName: 'Oskar',
      familyName: 'Lindqvist',
      birthDate: '1980-07-04',
    });
    await create('name', { givenName: 'Teodora', familyName: 'Vasquez', birthDate: '1990-11-23' });
    await create('phone', {
      givenName: 'Ines',
      familyName: 'Marchetti',
      birthDate: '1955-06-30',
      contactPoints: [{ system: 'phone', value: '(413) 555-0142' }],
    });
    await create('email', {
      givenName: 'Ruth',
      familyName: 'Okafor',
      birthDate: '1966-09-17',
      contactPoints: [{ system: 'email', value: 'r.okafor@example.org' }],
    });
    await create('identifier', {
      givenName: 'Pavel',
      familyName: 'Dvorak',
      birthDate: '1949-12-01',
      identifiers: [{ system: 'urn:careloop:mrn', value: 'QX-4417' }],
    });
    await create('merged', { givenName: 'Alma', familyName: 'Berglund', birthDate: '1962-02-27' });
    await t.database.system((tx) =>
      tx
        .update(patients)
        .set({ status: 'merged' })
        .where(eq(patients.id, ids.merged ?? '')),
    );
  });
  afterAll(() => t.close());

  it('finds each person by every kind of blocking key, and only their own candidates', async () => {
    const people: [string | null, SourceDemographics][] = [
      ['birth', { given: 'Someone', family: 'Else', birthDate: '19710314' }],
      ['swapped', { given: 'Other', family: 'Person', birthDate: '1980-04-07' }],
      ['name', { given: 'Teresa', family: 'Vásquez', birthDate: '2001-01-01' }],
      ['phone', { given: 'A', family: 'B', birthDate: '2002-02-02', phone: '413-555-0142' }],
      [
        'email',
        { given: 'C', family: 'D', birthDate: '2003-03-03', email: 'R.Okafor@Example.org' },
      ],
      [
        'identifier',
        { given: 'E', family: 'F', identifiers: [{ system: 'urn:other', value: 'QX-4417' }] },
      ],
      // Only a merged record has this birth date: merged records are never candidates.
      [null, { given: 'Alma', family: 'Else', birthDate: '1962-02-27' }],
      [null, { given: 'Nobody', family: 'Known', birthDate: '2004-04-04' }],
      [null, {}],
    ];
    const found = await t.database.withTenant(tenant.orgId, (tx) =>
      blockedCandidatesOfMany(
        tx,
        people.map(([, d]) => d),
      ),
    );
    expect(found.map((rows) => rows.map((r) => r.id))).toEqual(
      people.map(([name]) => (name ? [ids[name]] : [])),
    );
    // The rows describe the golden record as the matcher compares it.
    const [phone] = found[3] ?? [];
    expect(phone).toMatchObject({ given_name: 'Ines', family_name: 'Marchetti' });
    expect(phone?.phone).toMatch(/4135550142$/);
  });

  it('gives a record to every person who shares a key with it', async () => {
    const found = await t.database.withTenant(tenant.orgId, (tx) =>
      blockedCandidatesOfMany(tx, [
        { given: 'X', family: 'Y', birthDate: '1971-03-14' },
        { given: 'Mira', family: 'Quintanar', birthDate: '1999-09-09' },
      ]),
    );
    expect(found.map((rows) => rows.map((r) => r.id))).toEqual([[ids.birth], [ids.birth]]);
  });

  describe('with no one to look for', () => {
    it('reads nothing', async () => {
      const found = await t.database.withTenant(tenant.orgId, (tx) =>
        blockedCandidatesOfMany(tx, []),
      );
      expect(found).toEqual([]);
    });
  });
});
