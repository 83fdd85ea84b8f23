import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { and, eq, sql } from 'drizzle-orm';
import { expect, it } from 'vitest';
import { rowsOf } from '../../db/rows.js';
import { TestTenant } from '../../test/app.js';
import { describeEachDatabase } from '../../test/databases.js';
import { MllpClient } from '../../test/hl7/mllp-client.js';
import { SHARED_DATA, sharedDataAvailable } from '../../test/shared-data.js';
import { serviceRequests } from '../clinical/schema.js';
import type { JobPayload } from '../jobs/names.js';
import { journeyEnrolments } from '../journeys/schema.js';
import { useJourneyApp } from '../journeys/test/journey-app.js';
import { outboundMessages } from '../messaging/schema.js';
import { tasks } from '../tasks/schema.js';
import { touchpoints } from '../timeline/schema.js';
import { frame } from './mllp/framer.js';
import { startMllpListener } from './mllp/listener.js';

/**
 * Issue 11 (h11o): ORM^O01 orders that need a visit become referrals awaiting scheduling
 * (docs/adr/0044), announced to journeys by REF^I12's rule, over the real samples in
 * ../shared/data/hl7v2/samples (read there, never copied).
 */
const SAMPLES = path.join(SHARED_DATA, 'hl7v2/samples');
const sample = (name: string) => readFile(path.join(SAMPLES, name), 'utf8');

/** The samples' orders are written (ORC-9) 2021-10-20 11:26 +02:15: the next day they are news. */
const NEXT_DAY = new Date('2021-10-21T09:00:00Z');

(sharedDataAvailable('hl7v2/samples') ? describeEachDatabase : () => {})(
  'HL7 ORM^O01 orders as referrals',
  (kind) => {
    const j = useJourneyApp(kind, { setupTimeoutMs: 300_000 });

    const receive = async (text: string, receivedAt = NEXT_DAY, orgId = j.tenant.orgId) => {
      const receipt = await j.app.services.hl7.receive(orgId, text, {
        channel: 'mllp',
        receivedAt,
      });
      const [first] = receipt.messages;
      if (!first) throw new Error('no outcome');
      return first;
    };

    const referrals = (orgId = j.tenant.orgId) =>
      j.app.database.system((tx) =>
        tx
          .select({
            id: serviceRequests.id,
            status: serviceRequests.status,
            display: serviceRequests.display,
            code: serviceRequests.code,
            updatedAt: serviceRequests.updatedAt,
          })
          .from(serviceRequests)
          .where(and(eq(serviceRequests.orgId, orgId), eq(serviceRequests.category, 'referral')))
          .orderBy(serviceRequests.display),
      );

    const announced = async (orgId = j.tenant.orgId) =>
      rowsOf<{ id: string }>(
        await j.app.database.system((tx) =>
          tx.execute(
            sql`select data->>'serviceRequestId' as id from pgboss.job
                where name = 'referral.created' and data->>'orgId' = ${orgId}`,
          ),
        ),
      );

    const closedJobs = async (orgId = j.tenant.orgId) =>
      rowsOf<{ data: JobPayload<'referral.closed'> }>(
        await j.app.database.system((tx) =>
          tx.execute(
            sql`select data from pgboss.job
                where name = 'referral.closed' and data->>'orgId' = ${orgId}`,
          ),
        ),
      ).map((r) => r.data);

    const messagesOf = (patientId: string) =>
      j.app.database.system((tx) =>
        tx
          .select({ status: outboundMessages.status })
          .from(outboundMessages)
          .where(eq(outboundMessages.patientId, patientId)),
      );

    const referralTouchpoints = () =>
      j.app.database.system((tx) =>
        tx
          .select({ type: touchpoints.type, outcome: touchpoints.outcome })
          .from(touchpoints)
          .where(
            and(
              eq(touchpoints.orgId, j.tenant.orgId),
              eq(touchpoints.subjectType, 'service-request'),
            ),
          )
          .orderBy(touchpoints.occurredAt, touchpoints.type, touchpoints.outcome),
      );

    /** The sample under another control id (MSH-10), with its text changed as given. */
    const variant = (text: string, controlId: string, from = '', to = '') =>
      text.replace('|MSG00018|', `|${controlId}|`).replace(from, to);

    it('each ORM sample is accepted (AA): imaging orders become referrals; lab, pharmacy, supply and diet orders do not', async () => {
      const expected: Record<string, string[]> = {
        'ORM-O01-01.hl7': ['CT Head'], // NW, OBR-4 CT Head: awaiting scheduling
        'ORM-O01-03.hl7': ['CT Head', 'MR Brain'], // two imaging orders
        'ORM-O01-04.hl7': [], // a diet order (ODS), no OBR
        'ORM-O01-05.hl7': [], // a supply order (RQD)
        'ORM-O01-06.hl7': [], // a pharmacy order (RXO)
        'LAB-ORM-1.hl7': [], // a hemogram, section OBR-24 HM: a lab draw
      };
      for (const [file, services] of Object.entries(expected)) {
        // Each in an organization of its own: the samples share a patient and order numbers.
        const { orgId } = await TestTenant.create(j.app);
        const outcome = await receive(await sample(file), NEXT_DAY, orgId);
        expect(outcome, file).toMatchObject({
          type: 'ORM^O01',
          ackCode: 'AA',
          status: 'processed',
        });
        expect(outcome.patientId === null, file).toBe(services.length === 0);
        const rows = await referrals(orgId);
        expect(
          rows.map((r) => r.display),
          file,
        ).toEqual(services);
        expect(rows.every((r) => r.status === 'active')).toBe(true);
        expect(await announced(orgId), file).toHaveLength(services.length);
      }
    });

    it('a new order is announced once; the message again, or re-sent under a new control id, changes and announces nothing', async () => {
      const first = await sample('ORM-O01-01.hl7');
      expect(await receive(first)).toMatchObject({ ackCode: 'AA', duplicate: false });
      const [created] = await referrals();
      expect(created).toMatchObject({ display: 'CT Head', code: '24725-4', status: 'active' });
      expect(await announced()).toEqual([{ id: created?.id }]);

      expect(await receive(first)).toMatchObject({ ackCode: 'AA', duplicate: true });
      const later = new Date(NEXT_DAY.getTime() + 3_600_000);
      expect(await receive(variant(first, 'MSG00018-B'), later)).toMatchObject({
        ackCode: 'AA',
        duplicate: false,
      });
      expect(await referrals()).toEqual([created]);
      expect(await referralTouchpoints()).toEqual([
        { type: 'referral.received', outcome: 'active' },
      ]);

      // The -03 sample re-sends that order (placer 1101) beside a new one (placer 2203).
      expect(await receive(await sample('ORM-O01-03.hl7'), later)).toMatchObject({
        ackCode: 'AA',
      });
      const both = await referrals();
      expect(both.map((r) => r.display)).toEqual(['CT Head', 'MR Brain']);
      expect(both[0]).toEqual(created);
      expect((await announced()).map((a) => a.id).sort()).toEqual(both.map((r) => r.id).sort());
      // Received in 2026, an order written in 2021 is history: kept, not announced.
      const { orgId } = await TestTenant.create(j.app);
      await receive(first, j.clock.now(), orgId);
      expect(await referrals(orgId)).toHaveLength(1);
      expect(await announced(orgId)).toEqual([]);
    });

    it('a change found by the filler number alone updates the referral; a cancel (ORC-1 CA) revokes it; a cancel of an order never seen changes nothing', async () => {
      const first = await sample('ORM-O01-01.hl7');
      await receive(first);
      const [created] = await referrals();
      // The filler's change order (XO) names the order by its filler number only.
      const change = variant(first, 'MSG00018-XO', 'ORC|NW|1101^GHHPlacer|', 'ORC|XO||').replace(
        '^CT Head^',
        '^CT Head with contrast^',
      );
      expect(await receive(change)).toMatchObject({ ackCode: 'AA' });
      expect(await referrals()).toEqual([
        expect.objectContaining({ id: created?.id, display: 'CT Head with contrast' }),
      ]);
      const cancel = variant(first, 'MSG00018-CA', 'ORC|NW|', 'ORC|CA|');
      expect(await receive(cancel)).toMatchObject({ ackCode: 'AA' });
      expect(await referrals()).toEqual([
        expect.objectContaining({ id: created?.id, status: 'revoked' }),
      ]);
      expect(await referralTouchpoints()).toEqual([
        { type: 'referral.received', outcome: 'active' },
        { type: 'referral.updated', outcome: 'active' },
        { type: 'referral.updated', outcome: 'revoked' },
      ]);
      expect(await announced()).toHaveLength(1);

      const { orgId } = await TestTenant.create(j.app);
      expect(await receive(cancel, NEXT_DAY, orgId)).toMatchObject({ ackCode: 'AA' });
      expect(await referrals(orgId)).toEqual([]);
      expect(await announced(orgId)).toEqual([]);
    });

    it('in one payload (one transaction), an order re-sent by the next message is found, not made twice', async () => {
      const payload = [
        await sample('ORM-O01-01.hl7'),
        variant(await sample('ORM-O01-03.hl7'), 'MSG00018-03').replace(/^\uFEFF/, ''),
      ].join('\n\n');
      const receipt = await j.app.services.hl7.receive(j.tenant.orgId, payload, {
        channel: 'file',
        receivedAt: NEXT_DAY,
      });
      expect(receipt.messages.map((m) => m.ackCode)).toEqual(['AA', 'AA']);
      expect((await referrals()).map((r) => r.display)).toEqual(['CT Head', 'MR Brain']);
      expect(await announced()).toHaveLength(2);
    });

    it('with referral follow-through enabled, an ORM referral enrols the patient', async () => {
      await j.enable('referral-follow-through');
      await receive(await sample('ORM-O01-01.hl7'));
      const [job] = await announced();
      if (!job) throw new Error('not announced');
      await j.runtime().onReferralCreated({ orgId: j.tenant.orgId, serviceRequestId: job.id });
      const enrolled = await j.app.database.system((tx) =>
        tx
          .select({ status: journeyEnrolments.status })
          .from(journeyEnrolments)
          .where(
            and(
              eq(journeyEnrolments.orgId, j.tenant.orgId),
              eq(journeyEnrolments.contextKey, `referral:${job.id}`),
            ),
          ),
      );
      expect(enrolled).toEqual([{ status: 'active' }]);
    });

    // Issue 11 (h11r): a cancel ends the follow-through the order started (docs/adr/0045).
    it('with referral follow-through running, a cancel (ORC-1 CA) before the 7 days ends the enrolment (referral.revoked): its invite withdrawn, and past the deadline no task and no message', async () => {
      await j.enable('referral-follow-through');
      // The sample's patient with a mobile number (PID-13 as parts), so the invite can go.
      const first = (await sample('ORM-O01-01.hl7')).replace(
        /\|78788788\^[^|]*\|/,
        '|^PRN^CP^^1^617^5553191|',
      );
      await receive(first);
      const [job] = await announced();
      if (!job) throw new Error('not announced');
      await j.runtime().onReferralCreated({ orgId: j.tenant.orgId, serviceRequestId: job.id });
      const enrolmentOf = async () => {
        const [row] = await j.app.database.system((tx) =>
          tx
            .select()
            .from(journeyEnrolments)
            .where(
              and(
                eq(journeyEnrolments.orgId, j.tenant.orgId),
                eq(journeyEnrolments.contextKey, `referral:${job.id}`),
              ),
            ),
        );
        if (!row) throw new Error('not enrolled');
        return row;
      };
      const { id: enrolmentId, patientId } = await enrolmentOf();
      await j.settle(patientId);
      expect(await j.stepsOf(patientId)).toEqual(['invite:queued', 'wait-booked:entered']);

      // A re-sent order closes nothing; the cancel closes the referral, announced once.
      await receive(variant(first, 'MSG00018-B'));
      expect(await closedJobs()).toEqual([]);
      await receive(variant(first, 'MSG00018-CA', 'ORC|NW|', 'ORC|CA|'));
      await receive(variant(first, 'MSG00018-CA2', 'ORC|NW|', 'ORC|CA|'));
      const closed = await closedJobs();
      expect(closed).toEqual([
        { orgId: j.tenant.orgId, serviceRequestId: job.id, status: 'revoked' },
      ]);
      for (const payload of closed) {
        expect(await j.runtime().onReferralClosed(payload)).toEqual([enrolmentId]);
      }
      // Once is enough: again, nothing is left to end.
      for (const payload of closed) expect(await j.runtime().onReferralClosed(payload)).toEqual([]);
      const ended = await enrolmentOf();
      expect(ended).toMatchObject({ status: 'exited', currentNode: 'wait-booked', wakeAt: null });
      expect(ended.state).toMatchObject({ status: 'exited', endReason: 'referral.revoked' });
      expect(await messagesOf(patientId)).toEqual([{ status: 'withdrawn' }]);

      // The 7 days pass: the wake that was queued finds the enrolment ended.
      j.clock.advance(8 * 86_400_000);
      expect(await j.runtime().runStep(j.tenant.orgId, enrolmentId)).toBe('idle');
      await j.settle(patientId);
      expect(await j.stepsOf(patientId)).toEqual(['invite:queued', 'wait-booked:entered']);
      expect(
        await j.app.database.system((tx) =>
          tx.select({ id: tasks.id }).from(tasks).where(eq(tasks.patientId, patientId)),
        ),
      ).toEqual([]);
      expect(await messagesOf(patientId)).toEqual([{ status: 'withdrawn' }]);
    });

    it('a malformed order is refused naming what is missing (no ORC, no PID, no order control), and changes nothing', async () => {
      const first = await sample('ORM-O01-01.hl7');
      const without = (controlId: string, name: string) =>
        variant(first, controlId)
          .split(/\r\n|\r|\n/)
          .filter((segment) => !segment.startsWith(name))
          .join('\r');
      expect(await receive(without('NO-ORC', 'ORC'))).toMatchObject({
        ackCode: 'AE',
        error: { location: 'ORC' },
      });
      expect(await receive(without('NO-PID', 'PID'))).toMatchObject({
        ackCode: 'AE',
        error: { location: 'PID' },
      });
      expect(await receive(variant(first, 'NO-CONTROL', 'ORC|NW|', 'ORC||'))).toMatchObject({
        ackCode: 'AE',
        error: { location: 'ORC-1' },
      });
      const unkeyed = variant(
        first,
        'NO-NUMBERS',
        'ORC|NW|1101^GHHPlacer|1201^GHHFiller|',
        'ORC|NW|||',
      );
      expect(await receive(unkeyed)).toMatchObject({
        ackCode: 'AE',
        error: { location: 'ORC-2' },
      });
      expect(await referrals()).toEqual([]);
      expect(await announced()).toEqual([]);
    });

    it('over an MLLP connection, the sample order is acknowledged AA', async () => {
      const listener = await startMllpListener({
        port: 0,
        handle: j.app.services.hl7.mllpHandler(j.tenant.orgId),
      });
      const client = await MllpClient.connect(listener.port);
      try {
        const reply = await client.send(
          frame(await readFile(path.join(SAMPLES, 'ORM-O01-01.hl7'))),
        );
        expect(reply).toContain('MSA|AA|MSG00018');
      } finally {
        client.close();
        await listener.close(1000);
      }
      expect(await referrals()).toHaveLength(1);
    });
  },
);
