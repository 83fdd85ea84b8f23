import type { Hl7MessageDetail, Hl7MessageSummary } from '@careloop/core';
import { and, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { UNREADABLE } from '../../crypto/field-cipher.js';
import { createTestApp, type Session, type TestApp, TestTenant } from '../../test/app.js';
import { describeEachDatabase } from '../../test/databases.js';
import { adt, result } from '../../test/hl7/messages.js';
import { auditEvents } from '../audit/schema.js';

describeEachDatabase('HL7 message routes', (kind) => {
  let t: TestApp;
  let tenant: TestTenant;
  let admin: Session;
  beforeAll(async () => {
    t = await createTestApp(kind);
    tenant = await TestTenant.create(t);
    admin = await tenant.signIn('admin');
    const feed = [
      adt('A28', 'R-1', { mrn: 'R1' }),
      adt('A04', 'R-2', { mrn: 'R2', birthDate: '' }, { visit: 'RV2' }),
      result('R-3', { mrn: 'R1' }),
      adt('A02', 'R-4', { mrn: 'R1' }, { visit: 'RV1' }),
      adt('A08', 'R-5', { mrn: 'R1', family: 'Renamed' }),
    ];
    for (const text of feed) await t.services.hl7.receive(tenant.orgId, text, { channel: 'mllp' });
  });
  afterAll(() => t.close());

  const page = async (query: string) => {
    const res = await admin.get(`/api/hl7/messages${query}`);
    expect(res.statusCode, res.body).toBe(200);
    return res.json<{ items: Hl7MessageSummary[]; nextCursor: string | null }>();
  };

  it('lists messages newest first, and pages through them with the cursor', async () => {
    const first = await page('?limit=3');
    expect(first.items.map((m) => m.controlId)).toEqual(['R-5', 'R-4', 'R-3']);
    const rest = await page(`?limit=3&cursor=${first.nextCursor}`);
    expect(rest.items.map((m) => m.controlId)).toEqual(['R-2', 'R-1']);
    expect(rest.nextCursor).toBeNull();
  });

  it('filters by status and by type or type and event', async () => {
    expect((await page('?status=error')).items.map((m) => m.controlId)).toEqual(['R-2']);
    expect((await page('?status=rejected')).items).toMatchObject([
      { controlId: 'R-4', ackCode: 'AR', replayable: true, errorLocation: 'MSH-9' },
    ]);
    expect((await page('?type=ORU')).items.map((m) => m.controlId)).toEqual(['R-3']);
    expect((await page('?type=ADT^A08')).items.map((m) => m.controlId)).toEqual(['R-5']);
  });

  it('refuses a malformed filter or cursor with 400', async () => {
    expect((await admin.get('/api/hl7/messages?type=ADT;drop')).statusCode).toBe(400);
    expect((await admin.get('/api/hl7/messages?cursor=nope')).statusCode).toBe(400);
  });

  it('shows one message with its text, and audits the read', async () => {
    const [oru] = (await page('?type=ORU')).items;
    const res = await admin.get(`/api/hl7/messages/${oru?.id}`);
    expect(res.statusCode).toBe(200);
    const detail = res.json<Hl7MessageDetail>();
    expect(detail.raw.startsWith('MSH|^~\\&|EPIC|NORTH|')).toBe(true);
    expect(detail.raw).toContain('\rOBX|1|NM|718-7');
    const reads = await t.database.withTenant(tenant.orgId, (tx) =>
      tx
        .select()
        .from(auditEvents)
        .where(
          and(eq(auditEvents.recordType, 'hl7-message'), eq(auditEvents.recordId, oru?.id ?? '')),
        ),
    );
    expect(reads.map((r) => r.action)).toEqual(['read']);
  });

  it('audits each listing as a search, naming who listed how many', async () => {
    const events = () =>
      t.database.withTenant(tenant.orgId, (tx) =>
        tx
          .select()
          .from(auditEvents)
          .where(and(eq(auditEvents.recordType, 'hl7-message'), eq(auditEvents.action, 'search')))
          .orderBy(auditEvents.seq),
      );
    const before = (await events()).length;
    await page('?limit=2');
    const after = await events();
    expect(after).toHaveLength(before + 1);
    expect(after.at(-1)).toMatchObject({
      actorId: admin.userId,
      outcome: 'success',
      reason: '2 messages listed',
    });
  });

  it('answers 404 for a message of another organization', async () => {
    const other = await TestTenant.create(t);
    const receipt = await t.services.hl7.receive(other.orgId, adt('A28', 'X-1', { mrn: 'X1' }), {
      channel: 'file',
    });
    const id = receipt.messages[0]?.messageId;
    expect((await admin.get(`/api/hl7/messages/${id}`)).statusCode).toBe(404);
    expect((await admin.post(`/api/hl7/messages/${id}/replay`)).statusCode).toBe(404);
  });

  it('keeps the log from staff without interop:write', async () => {
    const frontDesk = await tenant.signIn('front-desk');
    expect((await frontDesk.get('/api/hl7/messages')).statusCode).toBe(403);
    const [any] = (await page('?limit=1')).items;
    expect((await frontDesk.post(`/api/hl7/messages/${any?.id}/replay`)).statusCode).toBe(403);
  });

  it('shows a message moved from another row as unreadable, and refuses to replay it (409)', async () => {
    const [oru] = (await page('?type=ORU')).items;
    const [failed] = (await page('?status=error')).items;
    // As the owner role, past row-level security: the ORU's ciphertext into the failed A04.
    await t.database.system((tx) =>
      tx.execute(sql`update hl7_messages set raw_encrypted =
        (select raw_encrypted from hl7_messages where id = ${oru?.id ?? ''})
        where id = ${failed?.id ?? ''}`),
    );
    const shown = await admin.get(`/api/hl7/messages/${failed?.id}`);
    expect(shown.statusCode).toBe(200);
    expect(shown.json<Hl7MessageDetail>().raw).toBe(UNREADABLE);
    const replay = await admin.post(`/api/hl7/messages/${failed?.id}/replay`);
    expect(replay.statusCode).toBe(409);
    expect(replay.body).not.toContain('OBX');
  });
});
