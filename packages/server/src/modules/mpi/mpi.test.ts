import { randomUUID } from 'node:crypto';
import type {
  MergeSummary,
  Patient360,
  PatientCreate,
  PatientSources,
  ReviewItem,
  ReviewPage,
} from '@careloop/core';
import { MRN_SYSTEM } from '@careloop/core';
import { and, eq, inArray } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type Session, type TestApp, TestTenant } from '../../test/app.js';
import { describeEachDatabase } from '../../test/databases.js';
import { adt, merge } from '../../test/hl7/messages.js';
import { auditEvents } from '../audit/schema.js';
import { patientIdentifiers, patients } from '../patients/schema.js';
import { patientMerges } from './schema.js';

/** 1 → 'b', 27 → 'bb': a name suffix without digits (search reads digits as a phone). */
/** The values of identifiers other than the Careloop MRN console registration assigns, sorted. */
const imported = (ids: { system: string; value: string }[]): string[] =>
  ids
    .filter((i) => i.system !== MRN_SYSTEM)
    .map((i) => i.value)
    .sort();

const letters = (n: number): string =>
  (n >= 26 ? letters(Math.floor(n / 26)) : '') + String.fromCharCode(97 + (n % 26));

/** A person with nothing in common with anyone else in the tenant, unless told. */
let serial = 0;
function person(overrides: Partial<PatientCreate> = {}): PatientCreate {
  serial += 1;
  return {
    givenName: 'Catherine',
    familyName: `Zeller${letters(serial)}`,
    birthDate: `19${50 + (serial % 40)}-0${1 + (serial % 9)}-1${serial % 10}`,
    administrativeSex: 'female',
    contactPoints: [{ system: 'phone', value: `(508) 555-${String(1000 + serial).slice(-4)}` }],
    addresses: [{ line1: `${serial} Harbor Rd`, city: 'Salem', state: 'MA', postalCode: '01970' }],
    ...overrides,
  };
}

describeEachDatabase('master patient index', (kind) => {
  let t: TestApp;
  let tenant: TestTenant;
  let desk: Session;

  beforeAll(async () => {
    t = await createTestApp(kind);
    tenant = await TestTenant.create(t);
    desk = await tenant.signIn('front-desk');
  });
  afterAll(() => t.close());

  const register = async (input: PatientCreate, session = desk) => {
    const res = await session.post('/api/patients', input);
    expect(res.statusCode, res.body).toBe(200);
    return res.json<Patient360>().patient.id;
  };
  const reviewsFor = async (patientId: string, status = 'open') => {
    const res = await desk.get(`/api/mpi/reviews?status=${status}&limit=200`);
    expect(res.statusCode, res.body).toBe(200);
    return res
      .json<ReviewPage>()
      .items.filter(
        (i) => i.incoming.patientId === patientId || i.candidate.patientId === patientId,
      );
  };
  const sources = async (patientId: string) => {
    const res = await desk.get(`/api/patients/${patientId}/sources`);
    expect(res.statusCode, res.body).toBe(200);
    return res.json<PatientSources>();
  };

  describe('registration at the desk', () => {
    it('sends a likely duplicate to the review queue instead of linking it, with the field comparison', async () => {
      const first = person();
      const a = await register(first);
      // The same woman, registered again with a typo in her family name and a new phone.
      const b = await register({
        ...first,
        familyName: `${first.familyName.slice(0, -1)}x`,
        contactPoints: [{ system: 'phone', value: '(508) 555-9911' }],
      });
      expect(b).not.toBe(a);
      const [item] = await reviewsFor(b);
      expect(item).toMatchObject({
        status: 'open',
        incoming: { patientId: b },
        candidate: { patientId: a, givenName: 'Catherine' },
      });
      expect(item?.fields.find((f) => f.field === 'birthDate')).toMatchObject({ level: 'exact' });
      expect(item?.fields.find((f) => f.field === 'phone')).toMatchObject({ level: 'disagree' });
      expect(item?.score).toBeGreaterThan(8);
    });

    it('refuses a registration whose identifier another patient holds', async () => {
      const identifiers = [{ system: 'urn:test:mrn', value: `MRN-${randomUUID().slice(0, 8)}` }];
      await register(person({ identifiers }));
      const res = await desk.post('/api/patients', person({ identifiers }));
      expect(res.statusCode).toBe(409);
      expect(res.json()).toMatchObject({ code: 'conflict', path: '/body/identifiers/0/value' });
    });

    it('keeps twins apart: same birth date and address, different given names', async () => {
      const twin = person({ givenName: 'Rosalind' });
      const a = await register(twin);
      const b = await register({
        ...twin,
        givenName: 'Theodora',
        contactPoints: [{ system: 'phone', value: '(508) 555-7766' }],
      });
      expect(b).not.toBe(a);
      for (const id of [a, b]) expect((await sources(id)).status).toBe('active');
      const items = await reviewsFor(b);
      expect(items.every((i) => i.reason === 'twins' || i.score < 8)).toBe(true);
    });

    it('lists people registered in distinct tenants separately: no cross-tenant review', async () => {
      const other = await TestTenant.create(t);
      const otherDesk = await other.signIn('front-desk');
      const p = person();
      const a = await register(p);
      const b = await register(p, otherDesk);
      expect(await reviewsFor(a)).toEqual([]);
      const res = await otherDesk.get(`/api/patients/${a}/sources`);
      expect(res.statusCode).toBe(404);
      expect((await otherDesk.get(`/api/patients/${b}/sources`)).statusCode).toBe(200);
    });
  });

  describe('review, merge and unmerge', () => {
    it('merges on "same person", moves the records, and unmerges back exactly', async () => {
      const n = serial;
      const first = person({ identifiers: [{ system: 'urn:test:mrn', value: `A-${n}` }] });
      const a = await register(first);
      const b = await register({
        ...first,
        givenName: 'Cathrine',
        identifiers: [{ system: 'urn:test:other', value: `B-${n}` }],
      });
      const noteRes = await desk.post(`/api/patients/${b}/notes`, { body: 'Prefers mornings' });
      expect(noteRes.statusCode).toBe(200);
      const [item] = await reviewsFor(b);
      if (!item) throw new Error('expected a review item');
      const openCount = async () => {
        const res = await desk.get('/api/mpi/reviews/count');
        expect(res.statusCode, res.body).toBe(200);
        return res.json<{ open: number }>().open;
      };
      const before = await openCount();
      expect(before).toBe(
        (await desk.get('/api/mpi/reviews?limit=200')).json<{ items: unknown[] }>().items.length,
      );

      const decided = await desk.post(`/api/mpi/reviews/${item.id}/decision`, {
        decision: 'merge',
        reason: 'same insurance card',
      });
      expect(decided.statusCode, decided.body).toBe(200);
      expect(await openCount()).toBe(before - 1);
      expect(decided.json<ReviewItem>()).toMatchObject({
        status: 'merged',
        decidedBy: 'Test front-desk',
        decisionReason: 'same insurance card',
        survivorId: a,
        mergeId: expect.any(String),
      });
      const again = await desk.post(`/api/mpi/reviews/${item.id}/decision`, {
        decision: 'distinct',
      });
      expect(again.statusCode).toBe(409);

      // The survivor (the existing record) now holds the duplicate's note, identifier, sources.
      const survivor = (await desk.get(`/api/patients/${a}`)).json<Patient360>();
      expect(survivor.notes?.map((n) => n.body)).toContain('Prefers mornings');
      // The record the reviewer kept keeps its own name, though the duplicate's is newer.
      expect(survivor.patient.givenName).toBe('Catherine');
      // Each record registered in the console also holds its Careloop MRN (urn:careloop:mrn).
      expect(imported(survivor.identifiers)).toEqual([`A-${n}`, `B-${n}`].sort());
      expect(survivor.identifiers.filter((i) => i.system === MRN_SYSTEM)).toHaveLength(2);
      const merged = await sources(b);
      expect(merged).toMatchObject({ status: 'merged', mergedInto: a });
      const provenance = await sources(a);
      expect(provenance.sources.map((s) => s.sourceId).sort()).toEqual([a, b].sort());
      expect(provenance.fields.find((f) => f.field === 'givenName')).toMatchObject({
        kind: 'staff',
        rule: expect.stringContaining('most trusted'),
      });
      const [history] = provenance.merges;
      expect(history).toMatchObject({
        survivorId: a,
        mergedId: b,
        origin: 'review',
        survivorName: `Catherine ${first.familyName} (${first.birthDate})`,
        mergedName: `Cathrine ${first.familyName} (${first.birthDate})`,
      });
      expect(history?.moved.notes).toBe(1);
      // A merged record no longer appears in search.
      const search = await desk.get(`/api/patients?q=${encodeURIComponent(first.familyName)}`);
      expect(search.json<{ items: { id: string }[] }>().items.map((p) => p.id)).toEqual([a]);

      const undone = await desk.post(`/api/mpi/merges/${history?.id}/unmerge`, {
        reason: 'different people after all',
      });
      expect(undone.statusCode, undone.body).toBe(200);
      expect(undone.json<MergeSummary>().unmergedBy).toBe('Test front-desk');
      expect((await desk.post(`/api/mpi/merges/${history?.id}/unmerge`, {})).statusCode).toBe(409);

      const back = (await desk.get(`/api/patients/${b}`)).json<Patient360>();
      expect(back.patient.status).toBe('active');
      expect(back.notes?.map((n) => n.body)).toEqual(['Prefers mornings']);
      expect(imported(back.identifiers)).toEqual([`B-${n}`]);
      expect(back.patient.givenName).toBe('Cathrine');
      const kept = (await desk.get(`/api/patients/${a}`)).json<Patient360>();
      expect(imported(kept.identifiers)).toEqual([`A-${n}`]);
      expect(kept.patient.givenName).toBe('Catherine');
      expect((await reviewsFor(b, 'distinct')).map((i) => i.id)).toContain(item.id);

      const audit = await t.database.withTenant(tenant.orgId, (tx) =>
        tx
          .select({ action: auditEvents.action, patientId: auditEvents.patientId })
          .from(auditEvents)
          .where(inArray(auditEvents.action, ['merge', 'unmerge'])),
      );
      for (const id of [a, b]) {
        expect(audit).toContainEqual({ action: 'merge', patientId: id });
        expect(audit).toContainEqual({ action: 'unmerge', patientId: id });
      }
    });

    it('records "different people" and does not ask about the pair again', async () => {
      const first = person();
      const a = await register(first);
      const b = await register({ ...first, givenName: 'Katherine' });
      const [item] = await reviewsFor(b);
      if (!item) throw new Error('expected a review item');
      const res = await desk.post(`/api/mpi/reviews/${item.id}/decision`, {
        decision: 'distinct',
      });
      expect(res.statusCode).toBe(200);
      expect(res.json<ReviewItem>().status).toBe('distinct');
      expect((await sources(a)).status).toBe('active');
      expect((await sources(b)).status).toBe('active');
      expect(await reviewsFor(b)).toEqual([]);
    });

    it('merges a duplicate staff found by hand, and refuses nonsense', async () => {
      const a = await register(person());
      const b = await register(person());
      expect((await desk.post(`/api/patients/${a}/merge`, { mergedId: a })).statusCode).toBe(409);
      const missing = await desk.post(`/api/patients/${a}/merge`, {
        mergedId: '00000000-0000-4000-8000-000000000000',
      });
      expect(missing.statusCode).toBe(404);
      const res = await desk.post(`/api/patients/${a}/merge`, { mergedId: b });
      expect(res.statusCode, res.body).toBe(200);
      expect(res.json<MergeSummary>()).toMatchObject({
        survivorId: a,
        mergedId: b,
        origin: 'staff',
      });
      expect((await desk.post(`/api/patients/${b}/merge`, { mergedId: a })).statusCode).toBe(409);
    });

    it('lets only registration and coordination staff review and merge', async () => {
      const a = await register(person());
      const b = await register(person());
      for (const role of ['marketer', 'analyst', 'clinician'] as const) {
        const s = await tenant.signIn(role);
        expect((await s.get('/api/mpi/reviews')).statusCode).toBe(403);
        expect((await s.get('/api/mpi/reviews/count')).statusCode).toBe(403);
        expect((await s.post(`/api/patients/${a}/merge`, { mergedId: b })).statusCode).toBe(403);
      }
      const coordinator = await tenant.signIn('care-coordinator');
      expect((await coordinator.get('/api/mpi/reviews')).statusCode).toBe(200);
      const bad = await desk.get('/api/mpi/reviews?cursor=not-a-cursor');
      expect(bad.statusCode).toBe(400);
      expect((await desk.get('/api/mpi/reviews/not-a-uuid')).statusCode).toBe(400);
    });
  });

  describe('other sources', () => {
    const hl7 = async (text: string) => {
      const receipt = await t.services.hl7.receive(tenant.orgId, text, {
        channel: 'mllp',
        peer: '10.0.0.9:4000',
      });
      const [first] = receipt.messages;
      expect(first?.ackCode, JSON.stringify(first)).toBe('AA');
      return first;
    };
    const byMrn = async (mrn: string) => {
      const [row] = await t.database.withTenant(tenant.orgId, (tx) =>
        tx
          .select({ id: patients.id })
          .from(patientIdentifiers)
          .innerJoin(patients, eq(patients.id, patientIdentifiers.patientId))
          .where(eq(patientIdentifiers.value, mrn)),
      );
      return row?.id ?? null;
    };

    it('links an HL7 registration to the golden record staff created, by score, and shows both sources', async () => {
      const a = await register({
        givenName: 'Oluwaseun',
        familyName: 'Adebayo-Hart',
        birthDate: '1983-07-21',
        administrativeSex: 'male',
        contactPoints: [{ system: 'phone', value: '(617) 555-0177' }],
        addresses: [{ line1: '48 Tremont St', city: 'Boston', state: 'MA', postalCode: '02108' }],
      });
      await hl7(
        adt(
          'A04',
          `MPI-${serial}`,
          {
            mrn: 'HL7-77001',
            family: 'Adebayo-Hart',
            given: 'Oluwaseun',
            birthDate: '19830721',
            sex: 'M',
            phone: '6175550177',
            street: '48 Tremont Street',
          },
          { visit: `V-${serial}`, patientClass: 'O' },
        ),
      );
      expect(await byMrn('HL7-77001')).toBe(a);
      const view = await sources(a);
      expect(view.sources.map((s) => s.kind).sort()).toEqual(['hl7', 'staff']);
      expect(view.sources.find((s) => s.kind === 'hl7')).toMatchObject({
        linkMethod: 'score',
        sourceId: expect.stringContaining('HL7-77001'),
      });
    });

    it('keeps an A40 merge from a feed as a merge staff can undo', async () => {
      await hl7(
        adt(
          'A04',
          `A40-a-${serial}`,
          { mrn: 'HL7-88001', given: 'Pieter', family: 'Vanderlinde' },
          { visit: 'V-88001', patientClass: 'O' },
        ),
      );
      await hl7(
        adt(
          'A04',
          `A40-b-${serial}`,
          {
            mrn: 'HL7-88002',
            given: 'Annelies',
            family: 'Vanderlinde',
            birthDate: '19610303',
          },
          { visit: 'V-88002', patientClass: 'O' },
        ),
      );
      const survivor = await byMrn('HL7-88001');
      const prior = await byMrn('HL7-88002');
      if (!survivor || !prior) throw new Error('both registered');
      expect(survivor).not.toBe(prior);
      await hl7(
        merge(
          `A40-m-${serial}`,
          { mrn: 'HL7-88001', given: 'Pieter', family: 'Vanderlinde' },
          'HL7-88002',
        ),
      );
      const [row] = await t.database.withTenant(tenant.orgId, (tx) =>
        tx
          .select()
          .from(patientMerges)
          .where(and(eq(patientMerges.survivorId, survivor), eq(patientMerges.mergedId, prior))),
      );
      expect(row).toMatchObject({ origin: 'hl7', mergedBy: null });
      const res = await desk.post(`/api/mpi/merges/${row?.id}/unmerge`, {});
      expect(res.statusCode, res.body).toBe(200);
      expect(await byMrn('HL7-88002')).toBe(prior);
      expect((await sources(prior)).status).toBe('active');
    });
  });
});
