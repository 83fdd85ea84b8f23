import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { Bundle, Encounter } from '@medplum/fhirtypes';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rowsOf } from '../../db/rows.js';
import { createTestApp, type Session, type TestApp, TestTenant } from '../../test/app.js';
import { TestClock } from '../../test/clock.js';
import { describeEachDatabase } from '../../test/databases.js';
import { bundle, systemActor } from '../../test/fhir/fixtures.js';
import { adt } from '../../test/hl7/messages.js';
import { SHARED_DATA, sharedDataAvailable } from '../../test/shared-data.js';
import { onEncounterDischarged } from '../journeys/discharges.js';

const SYNTHEA = path.join(SHARED_DATA, 'synthea-fhir-r4', 'bundles');
const PATIENT_FILE = 'Maida_Gerhold_40f86343-0170-40ca-b4ca-21ab9094da93.json';
const HOUR = 3_600_000;

const readBundle = (file: string) =>
  JSON.parse(readFileSync(path.join(SYNTHEA, file), 'utf8')) as Bundle;

/**
 * A discharge that arrives as a FHIR Encounter (a stay that became `finished`) does what an
 * HL7 A03 does: `encounter.discharged` to subscribed webhooks and the post-discharge journey,
 * once, and only for news (a history import of Synthea's stays of 2011 starts nothing).
 */
describeEachDatabase('discharges from FHIR encounters', (kind) => {
  const present = sharedDataAvailable('synthea-fhir-r4');
  let app: TestApp;
  let tenant: TestTenant;
  let admin: Session;
  let endpointId: string;
  let receiver: Server;
  const received: string[] = [];
  const clock = new TestClock('2026-12-06T09:00:00Z');

  beforeAll(async () => {
    receiver = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        received.push(Buffer.concat(chunks).toString('utf8'));
        res.end('ok');
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
    app = await createTestApp(kind, { INTEGRATION_ALLOWED_HOSTS: '127.0.0.1' }, { clock }, () =>
      clock.now(),
    );
    await app.services.jobs.start();
    tenant = await TestTenant.create(app);
    admin = await tenant.signIn('admin');
    const res = await admin.post('/api/integrations/webhooks', {
      url,
      eventTypes: ['encounter.discharged'],
    });
    expect(res.statusCode, res.body).toBe(200);
    endpointId = res.json<{ endpoint: { id: string } }>().endpoint.id;
    await app.services.journeys.enableReady(
      { orgId: tenant.orgId, userId: null },
      'post-discharge-follow-up',
    );
  }, 120_000);

  afterAll(async () => {
    await app?.close();
    await new Promise<void>((resolve) => receiver.close(() => resolve()));
  });

  /** The `encounter.discharged` jobs sent for this tenant, oldest first. */
  const jobs = async () =>
    rowsOf<{ encounterId: string; dischargedAt: string | null }>(
      await app.database.system((tx) =>
        tx.execute(
          sql`select data->>'encounterId' as "encounterId", data->>'dischargedAt' as "dischargedAt"
              from pgboss.job where name = 'encounter.discharged' and data->>'orgId' = ${tenant.orgId}
              order by created_on, id`,
        ),
      ),
    );

  /** Delivers the queued webhooks and returns the payloads the receiver got. */
  const deliverWebhooks = async (): Promise<unknown[]> => {
    const res = await admin.get(`/api/integrations/deliveries?endpointId=${endpointId}`);
    expect(res.statusCode, res.body).toBe(200);
    const queued = res
      .json<{ items: { id: string; status: string }[] }>()
      .items.filter((d) => d.status === 'queued');
    const before = received.length;
    for (const d of queued) {
      expect(await app.services.outbox.deliver({ orgId: tenant.orgId, messageId: d.id })).toBe(
        'delivered',
      );
    }
    return received.slice(before).map((body) => JSON.parse(body) as unknown);
  };

  /** The post-discharge enrolments of this tenant: patient, context key and discharge time. */
  const enrolments = async () =>
    rowsOf<{ patientId: string; contextKey: string; dischargedAt: string }>(
      await app.database.system((tx) =>
        tx.execute(
          sql`select e.patient_id as "patientId", e.context_key as "contextKey",
                     e.context->'times'->>'encounter.discharged_at' as "dischargedAt"
              from journey_enrolments e join journeys j on j.id = e.journey_id
              where e.org_id = ${tenant.orgId} and j.key = 'post-discharge-follow-up'
              order by e.created_at, e.id`,
        ),
      ),
    );

  const patientIdOf = async (encounterId: string) => {
    const [row] = rowsOf<{ patientId: string }>(
      await app.database.system((tx) =>
        tx.execute(sql`select patient_id as "patientId" from encounters where id = ${encounterId}`),
      ),
    );
    if (!row) throw new Error(`no encounter ${encounterId}`);
    return row.patientId;
  };

  describe.skipIf(!present)('with Synthea bundles', () => {
    let stay: Encounter;

    it('a history import of stays (Synthea, 2011) announces no discharge', async () => {
      for (const file of [
        'hospitalInformation1559319163815.json',
        'practitionerInformation1559319163815.json',
        PATIENT_FILE,
      ]) {
        const result = await app.services.fhir.imports.importBundle(
          tenant.orgId,
          systemActor(tenant.orgId),
          readBundle(file),
          { sourceSystem: 'synthea', asOf: clock.now() },
        );
        expect(result.committed, JSON.stringify(result.failure)).toBe(true);
      }
      const found = readBundle(PATIENT_FILE).entry?.find(
        (e) => e.resource?.resourceType === 'Encounter' && e.resource.class.code === 'IMP',
      )?.resource;
      if (found?.resourceType !== 'Encounter') throw new Error('no inpatient stay in the bundle');
      stay = found;
      expect(await jobs()).toEqual([]);
      expect(await deliverWebhooks()).toEqual([]);
    }, 120_000);

    it('a stay that finishes now sends encounter.discharged and enrols the follow-up, once', async () => {
      const admitted = new Date(clock.now().getTime() - 72 * HOUR).toISOString();
      const discharged = new Date(clock.now().getTime() - 2 * HOUR).toISOString();
      const send = async (encounter: Encounter) => {
        const res = await admin.post(
          '/fhir/R4?source=synthea',
          bundle('transaction', [
            {
              fullUrl: 'urn:uuid:7d1f3c2e-5b8a-4c1e-9f0d-2a6b8e4c1d01',
              resource: encounter,
              request: { method: 'PUT', url: 'Encounter/7d1f3c2e-5b8a-4c1e-9f0d-2a6b8e4c1d01' },
            },
          ]),
        );
        expect(res.statusCode, res.body).toBe(200);
      };
      // The same patient's new stay, as the EHR sends it: admitted, then discharged.
      const current: Encounter = {
        ...stay,
        id: '7d1f3c2e-5b8a-4c1e-9f0d-2a6b8e4c1d01',
        status: 'in-progress',
        period: { start: admitted },
      };
      await send(current);
      expect(await jobs()).toEqual([]);
      await send({ ...current, status: 'finished', period: { start: admitted, end: discharged } });
      // Sent again, finished and with a word changed: an update, and no second discharge.
      await send({
        ...current,
        status: 'finished',
        period: { start: admitted, end: discharged },
        type: [{ text: 'Admission to surgical department (revised)' }],
      });
      const sent = await jobs();
      expect(sent).toEqual([{ encounterId: expect.any(String), dischargedAt: discharged }]);
      const [job] = sent;
      if (!job) throw new Error('no job');
      const patientId = await patientIdOf(job.encounterId);
      expect(await deliverWebhooks()).toEqual([
        {
          type: 'encounter.discharged',
          timestamp: expect.any(String),
          data: { encounterId: job.encounterId, patientId },
        },
      ]);
      const ids = await onEncounterDischarged(app.database, app.services.journeys.runtime, {
        orgId: tenant.orgId,
        encounterId: job.encounterId,
        dischargedAt: discharged,
      });
      expect(ids).toHaveLength(1);
      // The job again (a retry): the enrolment exists, nothing new.
      expect(
        await onEncounterDischarged(app.database, app.services.journeys.runtime, {
          orgId: tenant.orgId,
          encounterId: job.encounterId,
          dischargedAt: discharged,
        }),
      ).toEqual([]);
      expect(await enrolments()).toEqual([
        { patientId, contextKey: `encounter:${job.encounterId}`, dischargedAt: discharged },
      ]);
    }, 120_000);
  });

  it('an emergency visit first heard of finished 3 days ago is history; one 1 hour ago is news', async () => {
    const before = (await jobs()).length;
    const patient = {
      resourceType: 'Patient' as const,
      id: 'dis-pat-1',
      name: [{ family: 'Lindqvist', given: ['Ebba'] }],
      birthDate: '1961-02-03',
    };
    const visit = (id: string, endHoursAgo: number): Encounter => ({
      resourceType: 'Encounter',
      id,
      status: 'finished',
      class: { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'EMER' },
      subject: { reference: 'urn:uuid:dis-pat-1' },
      period: {
        start: new Date(clock.now().getTime() - (endHoursAgo + 5) * HOUR).toISOString(),
        end: new Date(clock.now().getTime() - endHoursAgo * HOUR).toISOString(),
      },
    });
    const res = await admin.post(
      '/fhir/R4?source=fhir-ehr',
      bundle('batch', [
        {
          fullUrl: 'urn:uuid:dis-pat-1',
          resource: patient,
          request: { method: 'POST', url: 'Patient' },
        },
        ...[visit('dis-old', 72), visit('dis-new', 1)].map((r) => ({
          fullUrl: `urn:uuid:${r.id}`,
          resource: r,
          request: { method: 'POST' as const, url: 'Encounter' },
        })),
      ]),
    );
    expect(res.statusCode, res.body).toBe(200);
    const sent = (await jobs()).slice(before);
    expect(sent).toHaveLength(1);
    expect(sent[0]?.dischargedAt).toBe(new Date(clock.now().getTime() - HOUR).toISOString());
  });

  it('an HL7 A03 of an inpatient stay starts the post-discharge journey too', async () => {
    const before = (await jobs()).length;
    const actor = systemActor(tenant.orgId);
    const person = { mrn: 'DIS-7', family: 'Okoye', given: 'Chidi' };
    for (const text of [
      adt('A01', 'd-1', person, { visit: 'V-7', patientClass: 'I', admitAt: '202612030815-0500' }),
      adt('A03', 'd-2', person, {
        visit: 'V-7',
        patientClass: 'I',
        admitAt: '202612030815-0500',
        dischargeAt: '202612052215-0500',
      }),
    ]) {
      const receipt = await app.services.hl7.receive(tenant.orgId, text, {
        channel: 'file',
        actor,
      });
      expect(receipt.messages.map((m) => m.ackCode)).toEqual(['AA']);
    }
    const sent = (await jobs()).slice(before);
    expect(sent).toEqual([{ encounterId: expect.any(String), dischargedAt: null }]);
    const encounterId = sent[0]?.encounterId ?? '';
    const ids = await onEncounterDischarged(app.database, app.services.journeys.runtime, {
      orgId: tenant.orgId,
      encounterId,
    });
    expect(ids).toHaveLength(1);
    const enrolled = (await enrolments()).find((e) => e.contextKey === `encounter:${encounterId}`);
    expect(enrolled?.dischargedAt).toBe('2026-12-06T03:15:00.000Z');
  });
});
