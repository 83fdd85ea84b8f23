import { readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { AvailableSlot } from '@careloop/core';
import type { Appointment, Patient } from '@medplum/fhirtypes';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestApp, type Session, type TestApp, TestTenant } from '../../test/app.js';
import { TestClock } from '../../test/clock.js';
import { describeEachDatabase } from '../../test/databases.js';
import { bundle, entry, systemActor } from '../../test/fhir/fixtures.js';
import { SHARED_DATA } from '../../test/shared-data.js';
import type { AuditActor } from '../audit/service.js';
import { NPI_SYSTEM } from '../fhir/mapping/directory.js';
import { sourceLinks } from '../mpi/schema.js';
import { appointments } from './schema.js';
import { ehrSchedule } from './test/ehr-schedule.js';

// Where CARELOOP_SHARED_DATA says (a worktree is not beside ../shared/data).
const SAMPLES = pathToFileURL(path.join(SHARED_DATA, 'hl7v2/samples/'));

/**
 * A real SIU sample (../shared/data/hl7v2/samples), its 2021 visit moved to the test's day
 * (09:00 in New York) and its ids made this test's own. Its AIP-3 names practitioner 1210.
 */
function sample(name: string, ids: { placer: string; filler: string }, aip3?: string): string {
  let text = readFileSync(new URL(name, SAMPLES), 'utf8')
    .replace(/\r?\n/g, '\r')
    .replace(/\r+$/, '')
    .replaceAll('20210924093000+0215', '20261210090000-0500')
    .replace(/^SCH\|12345\|36996\|/m, `SCH|${ids.placer}|${ids.filler}|`);
  if (aip3) text = text.replace('AIP|001||1210^GE^Robert^C|', `AIP|001||${aip3}|`);
  return text;
}

/**
 * Issue 13: appointments from the EHR's feed carry their practitioner (HL7 AIP-3, a FHIR
 * participant given by identifier), resolved to the directory, so EHR-mode availability leaves
 * their time out before the EHR's own slot update arrives.
 */
describeEachDatabase('the practitioner of a feed appointment', (kind) => {
  let app: TestApp;
  let tenant: TestTenant;
  let desk: Session;
  let serviceId: string;
  let practitionerId: string;
  const clock = new TestClock('2026-12-06T09:00:00Z');
  const DAY = '2026-12-10';
  const actor = (): AuditActor => ({
    orgId: tenant.orgId,
    userId: null,
    email: null,
    role: 'cli',
    ip: null,
    userAgent: 'test',
  });

  beforeAll(async () => {
    // The mode needs an endpoint configured; nothing is booked here, so nothing is sent to it.
    app = await createTestApp(kind, { EHR_MLLP_ENDPOINT: '127.0.0.1:9' }, {}, () => clock.now());
    tenant = await TestTenant.create(app);
    const admin = await tenant.signIn('admin');
    desk = await tenant.signIn('front-desk');
    // The EHR's free slots for the day, 09:00-15:00 New York, as its last FHIR import left them.
    ({ practitionerId, serviceId } = await ehrSchedule(app, tenant, admin, {
      clinic: 'GH Clinic',
      practitioner: { givenName: 'Robert', familyName: 'GE', npi: '1234567893' },
      slots: [
        {
          status: 'free',
          startAt: new Date(`${DAY}T14:00:00Z`),
          endAt: new Date(`${DAY}T20:00:00Z`),
        },
      ],
    }));
    // Imported from the EHR's FHIR server as Practitioner/1210, the id its SIU feed uses.
    await app.database.system((tx) =>
      tx.insert(sourceLinks).values({
        orgId: tenant.orgId,
        sourceSystem: 'ehr-fhir',
        sourceType: 'Practitioner',
        sourceId: '1210',
        recordType: 'practitioner',
        recordId: practitionerId,
      }),
    );
  }, 180_000);

  afterAll(() => app?.close());

  const open = async () => {
    const res = await desk.get(
      `/api/availability?service=${serviceId}&from=${DAY}T00:00:00Z&to=${DAY}T23:59:00Z`,
    );
    expect(res.statusCode, res.body).toBe(200);
    return res.json<{ slots: AvailableSlot[] }>().slots.map((s) => s.start.slice(11, 16));
  };

  const receive = async (text: string) => {
    const receipt = await app.services.hl7.receive(tenant.orgId, text, {
      channel: 'file',
      actor: actor(),
    });
    expect(receipt.messages[0]?.ackCode, JSON.stringify(receipt.messages[0])).toBe('AA');
  };

  const practitionerOfFiller = async (filler: string) => {
    const rows = await app.database.withTenant(tenant.orgId, (tx) =>
      tx
        .select({ practitionerId: appointments.practitionerId, linked: sourceLinks.sourceId })
        .from(appointments)
        .innerJoin(sourceLinks, eq(sourceLinks.recordId, appointments.id))
        .where(eq(sourceLinks.sourceId, filler)),
    );
    expect(rows).toHaveLength(1);
    return rows[0]?.practitionerId ?? null;
  };

  it('subtracts an SIU^S12’s visit from the EHR’s free slots by its AIP-3, the EHR’s practitioner id', async () => {
    expect((await open()).slice(0, 3)).toEqual(['14:00', '14:30', '15:00']);
    await receive(sample('SIU-S12-01.hl7', { placer: 'P-1', filler: 'F-1' }));
    expect(await practitionerOfFiller('F-1')).toBe(practitionerId);
    // The sample's visit is 50 minutes from 09:00 New York (14:00Z): 14:00 and 14:30 are gone.
    expect((await open()).slice(0, 2)).toEqual(['15:00', '15:30']);
  });

  it('follows the visit when an SIU^S13 moves it', async () => {
    await receive(
      sample('SIU-S13-01.hl7', { placer: 'P-1', filler: 'F-1' }).replaceAll(
        '20261210090000-0500',
        '20261210110000-0500',
      ),
    );
    expect(await practitionerOfFiller('F-1')).toBe(practitionerId);
    const now = await open();
    expect(now.slice(0, 2)).toEqual(['14:00', '14:30']);
    expect(now).not.toContain('16:00');
    expect(now).not.toContain('16:30');
  });

  it('resolves an AIP-3 typed as an NPI to the practitioner with that NPI', async () => {
    await receive(
      sample(
        'SIU-S12-01.hl7',
        { placer: 'P-2', filler: 'F-2' },
        '1234567893^GE^Robert^C^^^^^^^^^NPI',
      ).replaceAll('20261210090000-0500', '20261210120000-0500'),
    );
    expect(await practitionerOfFiller('F-2')).toBe(practitionerId);
    expect(await open()).not.toContain('17:00');
  });

  it('keeps no practitioner for an id the directory does not know, and offers its time still', async () => {
    await receive(
      sample('SIU-S12-01.hl7', { placer: 'P-3', filler: 'F-3' }, '7777^Nobody^Known').replaceAll(
        '20261210090000-0500',
        '20261210130000-0500',
      ),
    );
    expect(await practitionerOfFiller('F-3')).toBeNull();
    expect(await open()).toContain('18:00');
  });

  it('resolves a FHIR Appointment’s participant given by NPI identifier only', async () => {
    const patient: Patient = {
      resourceType: 'Patient',
      id: 'fhir-pat-1',
      name: [{ family: 'Lindqvist', given: ['Maja'] }],
      birthDate: '1980-02-03',
    };
    const visit: Appointment = {
      resourceType: 'Appointment',
      id: 'fhir-appt-1',
      status: 'booked',
      start: `${DAY}T14:00:00Z`,
      end: `${DAY}T14:30:00Z`,
      participant: [
        { actor: { reference: 'urn:uuid:fhir-pat-1' }, status: 'accepted' },
        {
          actor: {
            type: 'Practitioner',
            identifier: { system: NPI_SYSTEM, value: '1234567893' },
          },
          status: 'accepted',
        },
      ],
    };
    const result = await app.services.fhir.imports.importBundle(
      tenant.orgId,
      systemActor(tenant.orgId),
      bundle('transaction', [entry(patient), entry(visit)]),
      { sourceSystem: 'ehr-fhir', asOf: clock.now() },
    );
    const outcome = result.entries.find((e) => e.resourceType === 'Appointment');
    expect(outcome?.outcome, JSON.stringify(result.entries)).toBe('created');
    const [row] = await app.database.withTenant(tenant.orgId, (tx) =>
      tx
        .select({ practitionerId: appointments.practitionerId })
        .from(appointments)
        .innerJoin(sourceLinks, eq(sourceLinks.recordId, appointments.id))
        .where(eq(sourceLinks.sourceId, 'fhir-appt-1')),
    );
    expect(row?.practitionerId).toBe(practitionerId);
    expect(await open()).not.toContain('14:00');
  });
});
