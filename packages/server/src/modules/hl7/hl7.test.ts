import { and, asc, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appointmentCancelReasonAad, appointmentReasonAad } from '../../crypto/encrypted-fields.js';
import { createTestApp, type TestApp, TestTenant } from '../../test/app.js';
import { describeEachDatabase } from '../../test/databases.js';
import { adt, merge, referral, result, siu } from '../../test/hl7/messages.js';
import { MllpClient } from '../../test/hl7/mllp-client.js';
import { auditEvents } from '../audit/schema.js';
import { encounters, serviceRequests } from '../clinical/schema.js';
import { patientContactPoints, patientIdentifiers, patients } from '../patients/schema.js';
import { appointments } from '../scheduling/schema.js';
import { touchpoints } from '../timeline/schema.js';
import { startHl7FromEnv } from './runtime.js';
import { hl7Messages } from './schema.js';

describeEachDatabase('HL7 v2 inbound', (kind) => {
  let t: TestApp;
  let tenant: TestTenant;
  beforeAll(async () => {
    t = await createTestApp(kind);
    tenant = await TestTenant.create(t);
  });
  afterAll(() => t.close());

  const send = async (text: string) => {
    const receipt = await t.services.hl7.receive(tenant.orgId, text, {
      channel: 'mllp',
      peer: '10.0.0.5:40000',
    });
    const [first] = receipt.messages;
    if (!first) throw new Error('no outcome');
    return { ...first, reply: receipt.reply };
  };
  const patientByMrn = async (mrn: string) => {
    const [row] = await t.database.withTenant(tenant.orgId, (tx) =>
      tx
        .select({
          id: patients.id,
          status: patients.status,
          family: patients.familyName,
          birthDate: patients.birthDate,
        })
        .from(patientIdentifiers)
        .innerJoin(patients, eq(patients.id, patientIdentifiers.patientId))
        .where(eq(patientIdentifiers.value, mrn)),
    );
    return row ?? null;
  };
  const timeline = (patientId: string) =>
    t.database.withTenant(tenant.orgId, (tx) =>
      tx
        .select({
          type: touchpoints.type,
          stage: touchpoints.stage,
          source: touchpoints.sourceSystem,
          summary: touchpoints.summary,
        })
        .from(touchpoints)
        .where(eq(touchpoints.patientId, patientId))
        .orderBy(asc(touchpoints.occurredAt)),
    );

  describe('ADT', () => {
    it('registers the patient and opens the visit on A04, and answers AA naming MSH-10', async () => {
      const out = await send(
        adt(
          'A04',
          'REG-1',
          { mrn: 'M1001', phone: '6175550142' },
          { visit: 'V1001', patientClass: 'O' },
        ),
      );
      expect(out).toMatchObject({ ackCode: 'AA', status: 'processed', duplicate: false });
      expect(out.reply.split('\r')[1]).toBe('MSA|AA|REG-1');
      const patient = await patientByMrn('M1001');
      expect(patient).toMatchObject({
        family: 'Okafor',
        birthDate: '1979-02-14',
        status: 'active',
      });
      const visits = await t.database.withTenant(tenant.orgId, (tx) =>
        tx
          .select()
          .from(encounters)
          .where(eq(encounters.patientId, patient?.id ?? '')),
      );
      expect(visits).toMatchObject([{ status: 'in-progress', class: 'ambulatory' }]);
      const events = await timeline(patient?.id ?? '');
      expect(events).toHaveLength(2);
      expect(events).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ type: 'patient.registered', source: 'hl7' }),
          expect.objectContaining({ type: 'encounter.registered', stage: 'visit', source: 'hl7' }),
        ]),
      );
      const audit = await t.database.withTenant(tenant.orgId, (tx) =>
        tx
          .select()
          .from(auditEvents)
          .where(eq(auditEvents.patientId, patient?.id ?? '')),
      );
      expect(audit.map((a) => `${a.action} ${a.recordType} ${a.actorRole} ${a.ip}`).sort()).toEqual(
        ['create encounter hl7-interface 10.0.0.5', 'create patient hl7-interface 10.0.0.5'],
      );
    });

    it('closes the visit A01 opened when A03 names the same visit number', async () => {
      await send(
        adt('A01', 'ADM-1', { mrn: 'M1002' }, { visit: 'V2002', admitAt: '202403010815-0500' }),
      );
      const out = await send(
        adt(
          'A03',
          'DIS-1',
          { mrn: 'M1002' },
          { visit: 'V2002', admitAt: '202403010815-0500', dischargeAt: '202403041130-0500' },
        ),
      );
      expect(out.ackCode).toBe('AA');
      const patient = await patientByMrn('M1002');
      const visits = await t.database.withTenant(tenant.orgId, (tx) =>
        tx
          .select()
          .from(encounters)
          .where(eq(encounters.patientId, patient?.id ?? '')),
      );
      expect(visits).toHaveLength(1);
      expect(visits[0]).toMatchObject({ status: 'finished', class: 'inpatient' });
      expect(visits[0]?.startAt.toISOString()).toBe('2024-03-01T13:15:00.000Z');
      expect(visits[0]?.endAt?.toISOString()).toBe('2024-03-04T16:30:00.000Z');
      expect((await timeline(patient?.id ?? '')).map((e) => e.type)).toContain(
        'encounter.discharged',
      );
    });

    it('undoes a discharge on A13 and an admission on A11', async () => {
      const who = { mrn: 'M1011' };
      await send(adt('A01', 'UNDO-1', who, { visit: 'V1011', admitAt: '202403010815-0500' }));
      await send(adt('A03', 'UNDO-2', who, { visit: 'V1011', dischargeAt: '202403020900-0500' }));
      expect((await send(adt('A13', 'UNDO-3', who, { visit: 'V1011' }))).ackCode).toBe('AA');
      const patient = await patientByMrn('M1011');
      const visit = () =>
        t.database.withTenant(tenant.orgId, (tx) =>
          tx
            .select()
            .from(encounters)
            .where(eq(encounters.patientId, patient?.id ?? '')),
        );
      expect(await visit()).toMatchObject([{ status: 'in-progress', endAt: null }]);
      expect((await send(adt('A11', 'UNDO-4', who, { visit: 'V1011' }))).ackCode).toBe('AA');
      expect(await visit()).toMatchObject([{ status: 'cancelled' }]);
    });

    it('updates demographics on A08, adds a new phone beside the old, and logs only real changes', async () => {
      await send(adt('A04', 'UPD-0', { mrn: 'M1003', phone: '6175550100' }, { visit: 'V3003' }));
      const out = await send(
        adt('A08', 'UPD-1', { mrn: 'M1003', family: 'Okafor-Reyes', phone: '6175550199' }),
      );
      expect(out.ackCode).toBe('AA');
      const patient = await patientByMrn('M1003');
      expect(patient?.family).toBe('Okafor-Reyes');
      const phones = await t.database.withTenant(tenant.orgId, (tx) =>
        tx
          .select({ value: patientContactPoints.value })
          .from(patientContactPoints)
          .where(eq(patientContactPoints.patientId, patient?.id ?? '')),
      );
      expect(phones.map((p) => p.value).sort()).toEqual(['+16175550100', '+16175550199']);
      await send(
        adt('A08', 'UPD-2', { mrn: 'M1003', family: 'Okafor-Reyes', phone: '6175550199' }),
      );
      const updates = (await timeline(patient?.id ?? '')).filter(
        (e) => e.type === 'patient.updated',
      );
      expect(updates).toHaveLength(1);
      expect(updates[0]?.summary).toContain('familyName');
      expect(updates[0]?.summary).not.toContain('Okafor-Reyes');
    });

    it('acknowledges a resent message AA without applying it twice', async () => {
      const text = adt('A01', 'DUP-1', { mrn: 'M1004' }, { visit: 'V4004' });
      const first = await send(text);
      const again = await send(text);
      expect(again).toMatchObject({ ackCode: 'AA', duplicate: true, messageId: first.messageId });
      const patient = await patientByMrn('M1004');
      const visits = await t.database.withTenant(tenant.orgId, (tx) =>
        tx
          .select()
          .from(encounters)
          .where(eq(encounters.patientId, patient?.id ?? '')),
      );
      expect(visits).toHaveLength(1);
    });

    it('merges on A40: the prior record is marked merged and its rows follow the survivor, audited on both', async () => {
      await send(adt('A04', 'MRG-0a', { mrn: 'M1005', given: 'Keep' }, { visit: 'V5005' }));
      await send(
        adt(
          'A04',
          'MRG-0b',
          { mrn: 'M1006', given: 'Dup', email: 'dup@example.org' },
          { visit: 'V5006' },
        ),
      );
      await send(
        siu(
          'S12',
          'MRG-0c',
          { mrn: 'M1006' },
          { filler: 'APT-5006', start: '202404021000-0400', minutes: 20 },
        ),
      );
      const survivor = await patientByMrn('M1005');
      const prior = await patientByMrn('M1006');
      const out = await send(merge('MRG-1', { mrn: 'M1005', given: 'Keep' }, 'M1006'));
      expect(out.ackCode).toBe('AA');
      const [merged] = await t.database.withTenant(tenant.orgId, (tx) =>
        tx
          .select({ status: patients.status })
          .from(patients)
          .where(eq(patients.id, prior?.id ?? '')),
      );
      expect(merged?.status).toBe('merged');
      expect((await patientByMrn('M1006'))?.id).toBe(survivor?.id);
      const [moved] = await t.database.withTenant(tenant.orgId, (tx) =>
        tx
          .select({ patientId: appointments.patientId })
          .from(appointments)
          .where(eq(appointments.patientId, survivor?.id ?? '')),
      );
      expect(moved).toBeDefined();
      const visits = await t.database.withTenant(tenant.orgId, (tx) =>
        tx
          .select()
          .from(encounters)
          .where(eq(encounters.patientId, survivor?.id ?? '')),
      );
      expect(visits).toHaveLength(2);
      const audit = await t.database.withTenant(tenant.orgId, (tx) =>
        tx
          .select()
          .from(auditEvents)
          .where(and(eq(auditEvents.recordType, 'patient'), eq(auditEvents.action, 'update'))),
      );
      const mergeEvents = audit.filter((a) => a.reason?.startsWith(`merged ${prior?.id}`));
      expect(mergeEvents.map((a) => a.recordId).sort()).toEqual([prior?.id, survivor?.id].sort());
      expect(mergeEvents[0]?.reason).toMatch(/moved: .*appointments 1/);
      // The same merge again: nothing left to merge, still AA.
      expect((await send(merge('MRG-2', { mrn: 'M1005', given: 'Keep' }, 'M1006'))).ackCode).toBe(
        'AA',
      );
    });

    it('answers AE naming PID-7 when a new patient has no birth date, and a replay succeeds once it is known', async () => {
      const failed = await send(
        adt('A04', 'NODOB-1', { mrn: 'M1007', birthDate: '' }, { visit: 'V7007' }),
      );
      expect(failed).toMatchObject({ ackCode: 'AE', status: 'error' });
      expect(failed.reply).toContain(
        'ERR||PID^1^7|101^Required field missing^HL70357|E||||PID-7 (date of birth) is missing',
      );
      expect(await patientByMrn('M1007')).toBeNull();
      await send(adt('A28', 'NODOB-2', { mrn: 'M1007' }));
      const session = await tenant.signIn('admin');
      const replay = await session.post(`/api/hl7/messages/${failed.messageId}/replay`);
      expect(replay.statusCode).toBe(200);
      expect(replay.json()).toMatchObject({
        message: { status: 'processed', ackCode: 'AA', attempts: 2 },
      });
      const again = await session.post(`/api/hl7/messages/${failed.messageId}/replay`);
      expect(again.statusCode).toBe(409);
    });

    it('answers AE naming PID-7 when the birth date is after the day the message was received', async () => {
      const receivedAt = new Date('2026-03-10T12:00:00Z');
      const sendOn = async (text: string) =>
        (await t.services.hl7.receive(tenant.orgId, text, { channel: 'mllp', receivedAt }))
          .messages[0];
      const future = adt(
        'A04',
        'FUTDOB-1',
        { mrn: 'M1010', birthDate: '20260312' },
        { visit: 'V7010' },
      );
      const refused = await t.services.hl7.receive(tenant.orgId, future, {
        channel: 'mllp',
        receivedAt,
      });
      expect(refused.messages[0]).toMatchObject({ ackCode: 'AE', status: 'error' });
      expect(refused.reply).toContain(
        'ERR||PID^1^7|102^Data type error^HL70357|E||||PID-7 (date of birth) is in the future',
      );
      expect(await patientByMrn('M1010')).toBeNull();
      // Born that day: taken, as the REST API and the CSV import take it.
      const born = await sendOn(
        adt('A04', 'FUTDOB-2', { mrn: 'M1010', birthDate: '20260310' }, { visit: 'V7011' }),
      );
      expect(born?.ackCode).toBe('AA');
      expect(await patientByMrn('M1010')).toMatchObject({ birthDate: '2026-03-10' });
    });

    it('answers AE when the identifiers belong to two different patients, without naming them', async () => {
      await send(adt('A28', 'CONF-0a', { mrn: 'M1008' }));
      await send(adt('A28', 'CONF-0b', { mrn: 'M1009' }));
      const twoMrns = adt('A08', 'CONF-1', { mrn: 'M1008' }).replace(
        'M1008^^^NORTH&2.16.840.1.113883.19.5&ISO^MR',
        'M1008^^^NORTH&2.16.840.1.113883.19.5&ISO^MR~M1009^^^NORTH&2.16.840.1.113883.19.5&ISO^MR',
      );
      const out = await send(twoMrns);
      expect(out).toMatchObject({ ackCode: 'AE', error: { location: 'PID-3' } });
      expect(out.error?.text).not.toContain('M100');
    });

    it('rejects an unsupported event with AR 201 and keeps it for replay', async () => {
      const out = await send(adt('A02', 'XFER-1', { mrn: 'M1010' }, { visit: 'V1010' }));
      expect(out).toMatchObject({ ackCode: 'AR', status: 'rejected', error: { code: 201 } });
      const [row] = await t.database.withTenant(tenant.orgId, (tx) =>
        tx
          .select()
          .from(hl7Messages)
          .where(eq(hl7Messages.id, out.messageId ?? '')),
      );
      expect(row).toMatchObject({ replayable: true, messageType: 'ADT', triggerEvent: 'A02' });
    });

    it('rejects a message it cannot read with AR, and stores it, encrypted, as not replayable', async () => {
      const out = await send('MSH|^|||||||^A|||2.2|SECRET-NAME');
      expect(out).toMatchObject({ ackCode: 'AR', status: 'rejected' });
      const [row] = await t.database.withTenant(tenant.orgId, (tx) =>
        tx
          .select()
          .from(hl7Messages)
          .where(eq(hl7Messages.id, out.messageId ?? '')),
      );
      expect(row?.replayable).toBe(false);
      expect(row?.rawEncrypted).not.toContain('SECRET-NAME');
    });
    it('answers AE naming PID-3 when it holds thousands of identifiers, and the rest of its batch goes on', async () => {
      const ids = Array.from({ length: 140_000 }, (_, i) => `W${i}`).join('~');
      const wide = adt('A04', 'WIDE-1', { mrn: 'WIDE' }, { visit: 'WIDE-V' }).replace(
        /^PID\|1\|\|[^|]*/m,
        `PID|1||${ids}`,
      );
      expect(wide).toContain('~W139999');
      // Sent together, so the lane reads both in one batch.
      const [bad, good] = await Promise.all(
        [wide, adt('A04', 'NARROW-1', { mrn: 'NARROW' }, { visit: 'NARROW-V' })].map((text) =>
          t.services.hl7.receive(tenant.orgId, text, { channel: 'mllp' }),
        ),
      );
      expect(bad?.messages[0]).toMatchObject({ ackCode: 'AE', status: 'error' });
      expect(bad?.reply).toContain('ERR||PID^1^3|102^');
      expect(bad?.reply).toContain('more than 50 identifiers');
      expect(good?.messages[0]).toMatchObject({ ackCode: 'AA' });
      expect(await patientByMrn('NARROW')).toMatchObject({ status: 'active' });
      expect(await patientByMrn('W1')).toBeNull();
    });

    it('answers AE naming PID-13 when it holds thousands of phone numbers', async () => {
      const phones = Array.from(
        { length: 60_000 },
        (_, i) => `617555${String(i % 10_000).padStart(4, '0')}`,
      );
      const text = adt('A04', 'PHONES-1', { mrn: 'PHONES' }, { visit: 'PHONES-V' }).replace(
        /^(PID(?:\|[^|\r]*){12})\|[^|\r]*/m,
        `$1|${phones.join('~')}`,
      );
      expect(text).toContain('~6175559999');
      const out = await send(text);
      expect(out.reply).toContain('ERR||PID^1^13|102^');
      expect(out).toMatchObject({ ackCode: 'AE', status: 'error' });
    });
  });

  describe('SIU', () => {
    it('books, reschedules, then cancels one appointment found by its filler id', async () => {
      const who = { mrn: 'M2001' };
      expect(
        (
          await send(
            siu('S12', 'SIU-1', who, {
              filler: 'F-1',
              placer: 'P-1',
              start: '202404021000-0400',
              minutes: 20,
            }),
          )
        ).ackCode,
      ).toBe('AA');
      await send(siu('S13', 'SIU-2', who, { filler: 'F-1', start: '202404031430-0400' }));
      await send(siu('S15', 'SIU-3', who, { filler: 'F-1', reason: 'Patient request' }));
      const patient = await patientByMrn('M2001');
      const rows = await t.database.withTenant(tenant.orgId, (tx) =>
        tx
          .select()
          .from(appointments)
          .where(eq(appointments.patientId, patient?.id ?? '')),
      );
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({
        status: 'cancelled',
        cancelReason: null,
        reason: null,
      });
      // The cancellation reason (SCH-6) is sealed to the appointment too.
      const sealedCancel = rows[0]?.cancelReasonEncrypted ?? '';
      expect(sealedCancel).not.toContain('Patient request');
      expect(
        t.services.cipher.decrypt(
          sealedCancel,
          appointmentCancelReasonAad(rows[0]?.id ?? '', tenant.orgId),
        ),
      ).toBe('Patient request');
      // The reason is stored encrypted, bound to the appointment, and kept across updates.
      const sealed = rows[0]?.reasonEncrypted ?? '';
      expect(sealed).not.toContain('Follow-up');
      expect(
        t.services.cipher.decrypt(sealed, appointmentReasonAad(rows[0]?.id ?? '', tenant.orgId)),
      ).toBe('Follow-up visit');
      expect(rows[0]?.startAt.toISOString()).toBe('2024-04-03T18:30:00.000Z');
      expect(rows[0]?.endAt.toISOString()).toBe('2024-04-03T18:50:00.000Z');
      expect((await timeline(patient?.id ?? '')).map((e) => e.type).sort()).toEqual([
        'appointment.booked',
        'appointment.cancelled',
        'appointment.rescheduled',
        'patient.registered',
      ]);
    });

    it('finds the appointment by its placer id, and records a no-show (S26)', async () => {
      const who = { mrn: 'M2002' };
      await send(siu('S12', 'SIU-4', who, { placer: 'P-2', start: '202404051000-0400' }));
      await send(siu('S26', 'SIU-5', who, { placer: 'P-2' }));
      const patient = await patientByMrn('M2002');
      const rows = await t.database.withTenant(tenant.orgId, (tx) =>
        tx
          .select()
          .from(appointments)
          .where(eq(appointments.patientId, patient?.id ?? '')),
      );
      expect(rows.map((r) => r.status)).toEqual(['noshow']);
    });

    it('answers AE naming AIS-4 for a booking without a start time', async () => {
      const out = await send(siu('S12', 'SIU-6', { mrn: 'M2003' }, { filler: 'F-3' }));
      expect(out).toMatchObject({ ackCode: 'AE', error: { location: 'AIS-4' } });
    });
  });

  describe('REF and ORU', () => {
    it('turns a REF^I12 into a referral for the patient', async () => {
      expect((await send(referral('REF-1', { mrn: 'M3001' }, 'R-77'))).ackCode).toBe('AA');
      const patient = await patientByMrn('M3001');
      const rows = await t.database.withTenant(tenant.orgId, (tx) =>
        tx
          .select()
          .from(serviceRequests)
          .where(eq(serviceRequests.patientId, patient?.id ?? '')),
      );
      expect(rows).toMatchObject([
        {
          category: 'referral',
          status: 'active',
          priority: 'routine',
          performerName: 'Dr Paul McWilliams, Gastroenterology Clinic',
        },
      ]);
    });

    it('stores an ORU as received and links it to the known patient without mapping it', async () => {
      await send(adt('A28', 'ORU-0', { mrn: 'M3002' }));
      const out = await send(result('ORU-1', { mrn: 'M3002' }));
      const patient = await patientByMrn('M3002');
      expect(out).toMatchObject({ ackCode: 'AA', status: 'processed', patientId: patient?.id });
    });
  });

  it('listens beside the API when HL7_PORT is set, for HL7_ORG, and not otherwise', async () => {
    expect(await startHl7FromEnv(t.services, {}, '127.0.0.1')).toBeNull();
    await expect(startHl7FromEnv(t.services, { HL7_PORT: 'x' }, '127.0.0.1')).rejects.toThrow(
      /HL7_PORT/,
    );
    const running = await startHl7FromEnv(
      t.services,
      { HL7_PORT: '0', HL7_ORG: 'Env Clinic' },
      '127.0.0.1',
    );
    try {
      expect(running?.organization).toMatchObject({ name: 'Env Clinic', created: true });
      const client = await MllpClient.connect(running?.listener.port ?? 0);
      expect((await client.send(adt('A28', 'ENV-1', { mrn: 'E1' }))).split('\r')[1]).toBe(
        'MSA|AA|ENV-1',
      );
      client.close();
    } finally {
      await running?.close();
    }
  });

  it('applies each patient’s messages in arrival order when many arrive at once, and a merge alone', async () => {
    // Fired without waiting, as many senders do: the lane batches them, but never two messages
    // about one patient in the same batch, and a merge in a batch of its own.
    const people = Array.from({ length: 24 }, (_, i) => ({
      mrn: `CC${i}`,
      family: `Concur${String.fromCharCode(97 + i)}`,
      given: ['Aiko', 'Bram', 'Cleo', 'Dov'][i % 4] ?? 'Aiko',
      birthDate: `19${String(40 + i).padStart(2, '0')}0${1 + (i % 9)}1${i % 10}`,
      street: `${100 + i} Birch St`,
    }));
    const texts = people.flatMap((p, i) => [
      adt('A04', `CC-${i}-1`, p, {
        visit: `CCV${i}`,
        patientClass: 'O',
        admitAt: '202405010900-0400',
      }),
      adt('A08', `CC-${i}-2`, { ...p, family: `${p.family}-B` }),
      adt(
        'A03',
        `CC-${i}-3`,
        { ...p, family: `${p.family}-B` },
        { visit: `CCV${i}`, patientClass: 'O', dischargeAt: '202405011030-0400' },
      ),
    ]);
    const [first, second] = people;
    if (!first || !second) throw new Error('no people');
    texts.push(merge('CC-M', { ...first, family: `${first.family}-B` }, second.mrn));
    texts.push(adt('A08', 'CC-after', { ...first, family: `${first.family}-C` }));
    const outcomes = await Promise.all(
      texts.map((text) => t.services.hl7.receive(tenant.orgId, text, { channel: 'mllp' })),
    );
    expect(outcomes.map((o) => o.messages[0]?.ackCode)).toEqual(texts.map(() => 'AA'));
    for (const [i, p] of people.entries()) {
      const patient = await patientByMrn(p.mrn);
      if (i === 1) {
        // Merged into the first: its identifier moved to the survivor.
        expect(patient?.id).toBe((await patientByMrn(first.mrn))?.id);
        continue;
      }
      expect(patient).toMatchObject({
        status: 'active',
        family: i === 0 ? `${p.family}-C` : `${p.family}-B`,
      });
      const visits = await t.database.withTenant(tenant.orgId, (tx) =>
        tx
          .select({ status: encounters.status })
          .from(encounters)
          .where(eq(encounters.patientId, patient?.id ?? '')),
      );
      expect(visits.map((v) => v.status)).toEqual(
        i === 0 ? ['finished', 'finished'] : ['finished'],
      );
    }
  });

  it('keeps each organization’s messages to itself', async () => {
    const other = await TestTenant.create(t);
    await t.services.hl7.receive(other.orgId, adt('A28', 'ISO-1', { mrn: 'M9001' }), {
      channel: 'file',
    });
    const mine = await t.database.withTenant(tenant.orgId, (tx) =>
      tx.select({ id: hl7Messages.controlId }).from(hl7Messages),
    );
    expect(mine.length).toBeGreaterThan(0);
    expect(mine.map((m) => m.id)).not.toContain('ISO-1');
  });
});
