import type { BreakGlassGrant, Hl7MessageDetail, Hl7MessageSummary } from '@careloop/core';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type Session, type TestApp, TestTenant } from '../../test/app.js';
import { describeEachDatabase } from '../../test/databases.js';
import { adt } from '../../test/hl7/messages.js';
import { auditEvents } from '../audit/schema.js';
import { MASKED_VALUE, structureOnly } from './log/message-view.js';

describe('structureOnly', () => {
  it('keeps MSH and every separator, and replaces each other value', () => {
    const text =
      'MSH|^~\\&|EPIC|NORTH|||20240301||ADT^A08|C-1|P|2.5.1\rPID|1||M1^^^N&1&ISO^MR||Doe^Jane\\T\\Co||19700707|F';
    expect(structureOnly(text)).toBe(
      'MSH|^~\\&|EPIC|NORTH|||20240301||ADT^A08|C-1|P|2.5.1\rPID|***||***^^^***&***&***^***||***^***||***|***',
    );
    expect(structureOnly('not hl7 at all')).not.toContain('hl7');
  });
});

describeEachDatabase('HL7 message log of restricted patients', (kind) => {
  const now = new Date('2026-12-05T10:00:00.000Z');
  let t: TestApp;
  let tenant: TestTenant;
  let outsider: Session;
  let team: Session;
  let patientId: string;
  const family = 'Quietvale';
  const byControlId = new Map<string, string>();

  beforeAll(async () => {
    t = await createTestApp(kind, {}, {}, () => now);
    tenant = await TestTenant.create(t);
    outsider = await tenant.signIn('admin');
    team = await tenant.signIn('admin');
    const feed = [
      adt('A28', 'Q-1', { mrn: 'Q1', family, birthDate: '19700707', phone: '6175550199' }),
      adt('A28', 'Q-2', { mrn: 'Q2', family: 'Openshaw' }),
    ];
    for (const text of feed) await t.services.hl7.receive(tenant.orgId, text, { channel: 'mllp' });
    const list = (await outsider.get('/api/hl7/messages')).json<{ items: Hl7MessageSummary[] }>();
    for (const m of list.items) byControlId.set(m.controlId, m.id);
    const applied = list.items.find((m) => m.controlId === 'Q-1')?.patientId;
    if (!applied) throw new Error('Q-1 was not applied to a patient');
    patientId = applied;
    await team.request('PUT', `/api/patients/${patientId}/restriction`, { kind: 'vip' });
    await team.post(`/api/patients/${patientId}/care-team`, { userId: team.userId });
    // Fails (no birth date) before it is applied: its patient is found by its identifiers.
    await t.services.hl7.receive(
      tenant.orgId,
      adt('A04', 'Q-3', { mrn: 'Q1', family, birthDate: '' }),
      {
        channel: 'mllp',
      },
    );
    const again = (await outsider.get('/api/hl7/messages')).json<{ items: Hl7MessageSummary[] }>();
    for (const m of again.items) byControlId.set(m.controlId, m.id);
  });
  afterAll(() => t.close());

  const detail = async (s: Session, controlId: string) => {
    const res = await s.get(`/api/hl7/messages/${byControlId.get(controlId)}`);
    expect(res.statusCode, res.body).toBe(200);
    return res.json<Hl7MessageDetail>();
  };

  it('lists a restricted patient’s messages without the patient to those who may not open it', async () => {
    const items = (await outsider.get('/api/hl7/messages')).json<{ items: Hl7MessageSummary[] }>()
      .items;
    expect(items.find((m) => m.controlId === 'Q-1')).toMatchObject({
      restricted: true,
      patientId: null,
      messageType: 'ADT',
      triggerEvent: 'A28',
      status: 'processed',
    });
    expect(items.find((m) => m.controlId === 'Q-2')).toMatchObject({ restricted: false });
    const asTeam = (await team.get('/api/hl7/messages')).json<{ items: Hl7MessageSummary[] }>();
    expect(asTeam.items.find((m) => m.controlId === 'Q-1')).toMatchObject({
      restricted: false,
      patientId,
    });
  });

  it('shows the structure of such a message, not its values, applied or failed', async () => {
    for (const controlId of ['Q-1', 'Q-3']) {
      const shown = await detail(outsider, controlId);
      expect(shown.restricted, controlId).toBe(true);
      expect(shown.patientId, controlId).toBeNull();
      expect(shown.raw, controlId).toContain(`|${controlId}|P|2.5.1`);
      expect(shown.raw, controlId).toContain(`\rPID|${MASKED_VALUE}||${MASKED_VALUE}^^^`);
      for (const value of [family, '19700707', '6175550199', 'Q1^^^', 'Elm St']) {
        expect(shown.raw, `${controlId}: ${value}`).not.toContain(value);
      }
    }
    expect((await detail(outsider, 'Q-3')).error).toBeTruthy();
    expect((await detail(outsider, 'Q-2')).raw).toContain('Openshaw');
  });

  it('puts the read of a message that failed before it was applied in its patient’s history', async () => {
    const id = byControlId.get('Q-3') ?? '';
    expect((await detail(team, 'Q-3')).patientId).toBeNull();
    const reads = await t.database.system((tx) =>
      tx
        .select({ patientId: auditEvents.patientId })
        .from(auditEvents)
        .where(
          and(
            eq(auditEvents.recordType, 'hl7-message'),
            eq(auditEvents.recordId, id),
            eq(auditEvents.actorId, team.userId),
          ),
        ),
    );
    expect(reads).toEqual([{ patientId }]);
  });

  it('shows the whole message to the care team and during a break-glass', async () => {
    expect((await detail(team, 'Q-1')).raw).toContain(family);
    expect((await detail(team, 'Q-3')).raw).toContain(family);
    const grant = await outsider.post(`/api/patients/${patientId}/break-glass`, {
      reason: 'Fixing the registration feed for this patient',
    });
    expect(grant.statusCode, grant.body).toBe(200);
    expect(grant.json<BreakGlassGrant>().patientId).toBe(patientId);
    expect((await detail(outsider, 'Q-1')).raw).toContain('19700707');
  });
});
