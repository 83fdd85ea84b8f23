import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { rowsOf } from '../../db/rows.js';
import { createTestApp, type TestApp, TestTenant } from '../../test/app.js';
import { TestClock } from '../../test/clock.js';
import { describeEachDatabase } from '../../test/databases.js';
import { bundle, entry } from '../../test/fhir/fixtures.js';
import { siu } from '../../test/hl7/messages.js';
import type { AuditActor } from '../audit/service.js';

/**
 * Appointments an EHR feed or a file brings in reach journeys as a booking in Careloop does:
 * an `appointment.changed` job in the importer's transaction, for news only (an appointment
 * still to come, or a visit outcome of the last day), never for history.
 */
describeEachDatabase('imported appointments announced to journeys', (kind) => {
  let app: TestApp;
  let tenant: TestTenant;
  let actor: AuditActor;
  const clock = new TestClock('2026-12-06T09:00:00Z');

  beforeAll(async () => {
    app = await createTestApp(kind, {}, {}, () => clock.now());
    await app.services.jobs.start();
    tenant = await TestTenant.create(app);
    actor = {
      orgId: tenant.orgId,
      userId: null,
      email: null,
      role: 'cli',
      ip: null,
      userAgent: 'test',
    };
  }, 120_000);

  afterAll(async () => {
    await app?.close();
  });

  /** The `appointment.changed` jobs sent for this tenant, oldest first. */
  const announced = async () => {
    const result = await app.database.system((tx) =>
      tx.execute(
        sql`select data->>'appointmentId' as "appointmentId", data->>'event' as event
            from pgboss.job where name = 'appointment.changed' and data->>'orgId' = ${tenant.orgId}
            order by created_on, id`,
      ),
    );
    return rowsOf<{ appointmentId: string; event: string }>(result);
  };

  const feed = async (text: string) => {
    const receipt = await app.services.hl7.receive(tenant.orgId, text, { channel: 'file', actor });
    expect(receipt.messages.map((m) => m.ackCode)).toEqual(['AA']);
  };

  const person = { mrn: 'IMP-1', family: 'Adeyemi', given: 'Tolu' };

  it('an SIU booking, move and cancellation of a visit still to come each start the journey event', async () => {
    await feed(siu('S12', 'c-1', person, { filler: 'F-1', start: '202612100930', minutes: 30 }));
    await feed(siu('S13', 'c-2', person, { filler: 'F-1', start: '202612111030', minutes: 30 }));
    // A change of reason only: nothing journeys react to.
    await feed(
      siu('S14', 'c-3', person, {
        filler: 'F-1',
        start: '202612111030',
        minutes: 30,
        reason: 'Knee',
      }),
    );
    await feed(siu('S15', 'c-4', person, { filler: 'F-1', start: '202612111030', minutes: 30 }));
    const jobs = await announced();
    expect(jobs.map((j) => j.event)).toEqual(['booked', 'rescheduled', 'cancelled']);
    expect(new Set(jobs.map((j) => j.appointmentId)).size).toBe(1);
  });

  it('history announces nothing: a feed of 2020 bookings starts no reminders', async () => {
    const before = (await announced()).length;
    await feed(siu('S12', 'c-5', person, { filler: 'F-2', start: '202003100930', minutes: 30 }));
    await feed(siu('S26', 'c-6', person, { filler: 'F-2', start: '202003100930', minutes: 30 }));
    expect((await announced()).length).toBe(before);
  });

  it('a CSV of appointments announces the ones still to come, in the rows that commit', async () => {
    const admin = await tenant.signIn('admin');
    // A patient created in the console gets an MRN from the organization's sequence.
    const patient = await tenant.createPatient();
    const list = (await admin.get('/api/patients?limit=100')).json<{
      items: { id: string; mrn: string | null }[];
    }>();
    const mrn = list.items.find((p) => p.id === patient.id)?.mrn;
    expect(mrn).toBeTruthy();
    const before = (await announced()).length;
    const text = [
      'Appt ID,MRN,Date,Time,Minutes,Status',
      `B-1,${mrn},2026-12-20,09:30,30,booked`,
      `B-2,${mrn},2019-02-01,09:30,30,booked`,
      'B-3,NOPE,2026-12-21,09:30,30,booked',
    ].join('\n');
    const res = await admin.post('/api/imports/csv/commit', {
      type: 'appointments',
      fileName: 'schedule.csv',
      text,
      mapping: [
        { column: 'Appt ID', field: 'sourceId' },
        { column: 'MRN', field: 'patientMrn' },
        { column: 'Date', field: 'date' },
        { column: 'Time', field: 'time' },
        { column: 'Minutes', field: 'durationMinutes' },
        { column: 'Status', field: 'status' },
      ],
    });
    expect(res.statusCode, res.body).toBeLessThan(300);
    expect(res.body, res.body).toContain('"created":2');
    const jobs = (await announced()).slice(before);
    expect(jobs.map((j) => j.event)).toEqual(['booked']);
  });

  it('a FHIR appointment 2 days ahead is announced as booked, its move as rescheduled, history not at all', async () => {
    const admin = await tenant.signIn('admin');
    const patient = {
      resourceType: 'Patient' as const,
      id: 'fhir-pat-1',
      name: [{ family: 'Okafor', given: ['Ada'] }],
      birthDate: '1980-04-02',
    };
    const appointment = (id: string, start: string, end: string) => ({
      resourceType: 'Appointment' as const,
      id,
      status: 'booked' as const,
      start,
      end,
      participant: [{ actor: { reference: 'urn:uuid:fhir-pat-1' }, status: 'accepted' as const }],
    });
    const send = async (resources: ReturnType<typeof appointment>[]) => {
      const res = await admin.post(
        '/fhir/R4?source=fhir-ehr',
        bundle('transaction', [entry(patient), ...resources.map((r) => entry(r))]),
      );
      expect(res.statusCode, res.body).toBe(200);
    };
    const before = (await announced()).length;
    await send([
      appointment('fhir-appt-1', '2026-12-08T09:00:00Z', '2026-12-08T09:30:00Z'),
      appointment('fhir-appt-old', '2020-03-10T09:00:00Z', '2020-03-10T09:30:00Z'),
    ]);
    // The same appointment again, moved a day later: an update of the record imported before.
    await send([appointment('fhir-appt-1', '2026-12-09T09:00:00Z', '2026-12-09T09:30:00Z')]);
    const jobs = (await announced()).slice(before);
    expect(jobs.map((j) => j.event)).toEqual(['booked', 'rescheduled']);
    expect(new Set(jobs.map((j) => j.appointmentId)).size).toBe(1);
  });
});
