import { sql } from 'drizzle-orm';
import {
  conversationBodyAad,
  inboundBodyAad,
  outboundTextAad,
} from '../crypto/encrypted-fields.js';
import type { FieldCipher } from '../crypto/field-cipher.js';
import type { Db } from '../db/client.js';
import { rowsOf } from '../db/rows.js';
import { conversationEntries, conversations } from '../modules/inbox/schema.js';
import { inboundMessages, outboundMessages } from '../modules/messaging/schema.js';
import { raiseMention } from '../modules/tasks/service.js';
import { appendTouchpoints, type NewTouchpoint } from '../modules/timeline/service.js';
import { DAY_MS, weekday } from './calendar.js';
import { Random } from './random.js';
import { type ConversationScript, DEMO_CONVERSATIONS } from './reference/conversations.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/** The demo's inbox: this many conversations, each script used by one patient or more. */
export const DEMO_THREADS = 30;

export interface DemoPatient {
  id: string;
  givenName: string;
  locationId: string | null;
  phone: string | null;
}

/**
 * The first patients of the organization (by id, which follows the seed's index), with a phone
 * when they have one: whom the demo's conversations and waitlist entries belong to.
 */
export async function demoPatients(tx: Db, orgId: string, limit: number): Promise<DemoPatient[]> {
  const rows = rowsOf<{
    id: string;
    given_name: string;
    location_id: string | null;
    phone: string | null;
  }>(
    await tx.execute(sql`select p.id, p.given_name, p.primary_location_id as location_id,
        (select c.value from patient_contact_points c
          where c.org_id = p.org_id and c.patient_id = p.id and c.system = 'phone'
          order by c.is_primary desc, c.value limit 1) as phone
      from patients p where p.org_id = ${orgId} and p.status <> 'merged'
      order by p.id limit ${limit}`),
  );
  return rows.map((r) => ({
    id: r.id,
    givenName: r.given_name,
    locationId: r.location_id,
    phone: r.phone,
  }));
}

export interface DemoInboxOptions {
  orgId: string;
  /** Demo sign-ins by role (`front-desk`, `care-coordinator`, …). */
  staff: ReadonlyMap<string, string>;
  patients: readonly DemoPatient[];
  /** The seed's "today" at 00:00 UTC: every message is before it. */
  anchorMs: number;
  streamKey: string;
  tag: number;
}

export interface DemoInboxReport {
  conversations: number;
  entries: number;
  mentions: number;
  /** Timeline rows written: one per patient message and portal reply, one per mention task. */
  touchpoints: number;
}

interface Thread {
  id: string;
  script: ConversationScript;
  patient: DemoPatient;
  lastMs: number;
}

/**
 * Conversations in the demo organization's inbox, written as the live paths write them: a
 * patient's text is an inbound message (body sealed) filed into the patient's one text
 * conversation, with the `message.received` touchpoint; a portal message is a thread entry with
 * its touchpoint; a reply by text is a sent outbound message; a portal reply has the
 * `inbox.reply` touchpoint; a note with an @mention raises the mention task. Recent patient
 * messages in open conversations stay unread. Nothing here reads the wall clock.
 */
export async function seedDemoInbox(
  tx: Db,
  cipher: FieldCipher,
  options: DemoInboxOptions,
): Promise<DemoInboxReport> {
  const { orgId, anchorMs, tag } = options;
  const rng = new Random(`${options.streamKey}:demo-inbox`);
  let serial = 0;
  const newId = () => rng.uuid(tag, 0xfe000000 + serial++);
  // The showcase patient (the demo's portal sign-in, the first) gets the first portal thread.
  const [showcase, ...others] = options.patients;
  const texters = others.filter((p) => p.phone !== null);
  const portalPatients = showcase ? [showcase, ...others.filter((p) => p.phone === null)] : [];
  const threads: Thread[] = [];
  const used = new Set<string>();
  for (let i = 0; i < DEMO_THREADS; i++) {
    const script = DEMO_CONVERSATIONS[i % DEMO_CONVERSATIONS.length];
    if (!script) break;
    // A text conversation is one per patient; portal threads prefer patients who do not text.
    const pool = script.channel === 'sms' ? texters : [...portalPatients, ...others];
    const patient = pool.find((p) => !used.has(p.id));
    if (!patient) continue;
    used.add(patient.id);
    // The last working days before the seed's day, open ones the most recent, closed ones up
    // to two weeks back; the last line between 15:00 and 21:45 UTC (office hours in the
    // demo's clinics), so no one answers at night.
    let day = anchorMs / DAY_MS - (script.closed ? rng.int(2, 14) : rng.int(1, i < 10 ? 2 : 5));
    while (weekday(day) === 0 || weekday(day) === 6) day -= 1;
    const lastMs = day * DAY_MS + rng.int(15, 21) * HOUR + rng.pick([0, 15, 30, 45]) * MINUTE;
    threads.push({ id: newId(), script, patient, lastMs });
  }

  const conversationRows: (typeof conversations.$inferInsert)[] = [];
  const entryRows: (typeof conversationEntries.$inferInsert)[] = [];
  const inboundRows: (typeof inboundMessages.$inferInsert)[] = [];
  const outboundRows: (typeof outboundMessages.$inferInsert)[] = [];
  const timeline: NewTouchpoint[] = [];
  const mentions: { patientId: string; conversationId: string; at: Date; by: string }[] = [];
  for (const thread of threads) {
    const { script, patient } = thread;
    const lines = script.lines.map((line) => ({ ...line, ms: thread.lastMs - line.at * MINUTE }));
    const firstMs = Math.min(...lines.map((l) => l.ms));
    const last = lines.filter((l) => l.by === 'patient' || l.by === 'staff').at(-1);
    const status = script.closed ? 'closed' : last?.by === 'staff' ? 'pending' : 'open';
    const assigneeId = script.assignee ? (options.staff.get(script.assignee) ?? null) : null;
    const author = assigneeId ?? options.staff.get('front-desk') ?? null;
    conversationRows.push({
      id: thread.id,
      orgId,
      patientId: patient.id,
      channel: script.channel,
      counterpart: null,
      status,
      team: script.team,
      locationId: patient.locationId,
      assigneeId,
      lastMessageAt: new Date(last ? thread.lastMs - last.at * MINUTE : firstMs),
      createdAt: new Date(firstMs),
      textKey: script.channel === 'sms' ? `patient:${patient.id}` : null,
    });
    for (const line of lines) {
      const at = new Date(line.ms);
      const id = newId();
      const kind = line.by === 'patient' ? 'patient' : line.by === 'staff' ? 'staff' : 'note';
      // The care team has read what came before its own reply; an open thread's latest is new.
      const readByStaff = status !== 'open' || line !== lines.findLast((l) => l.by === 'patient');
      let inboundMessageId: string | null = null;
      let outboundMessageId: string | null = null;
      if (kind === 'patient' && script.channel === 'sms' && patient.phone) {
        inboundMessageId = newId();
        inboundRows.push({
          id: inboundMessageId,
          orgId,
          patientId: patient.id,
          channel: 'sms',
          sender: patient.phone,
          recipient: null,
          bodyEncrypted: cipher.encrypt(line.text, inboundBodyAad(inboundMessageId, orgId)),
          keyword: null,
          provider: 'local-sms',
          providerMessageId: `demo-${inboundMessageId}`,
          inReplyTo: null,
          receivedAt: at,
        });
      }
      if (kind === 'staff' && script.channel === 'sms' && patient.phone) {
        outboundMessageId = newId();
        outboundRows.push({
          id: outboundMessageId,
          orgId,
          patientId: patient.id,
          channel: 'sms',
          purpose: 'operations',
          recipient: patient.phone,
          textEncrypted: cipher.encrypt(line.text, outboundTextAad(outboundMessageId, orgId)),
          status: 'sent',
          attempts: 1,
          provider: 'local-sms',
          providerMessageId: `demo-${outboundMessageId}`,
          idempotencyKey: `inbox-reply:${thread.id}:${line.ms}`,
          createdAt: at,
          sentAt: at,
          admittedAt: at,
        });
      }
      entryRows.push({
        id,
        orgId,
        conversationId: thread.id,
        kind,
        bodyEncrypted: cipher.encrypt(line.text, conversationBodyAad(id, orgId)),
        authorId: kind === 'patient' ? null : author,
        inboundMessageId,
        outboundMessageId,
        createdAt: at,
        // A patient's message is read by the team; the team's by the patient who answered it.
        readAt:
          kind === 'note'
            ? null
            : kind === 'patient'
              ? readByStaff
                ? new Date(line.ms + 5 * MINUTE)
                : null
              : status === 'closed' || line !== last
                ? new Date(line.ms + HOUR)
                : null,
      });
      timeline.push(...touchpointsOf(orgId, thread, kind, inboundMessageId, at));
      if (line.by === 'mention' && author) {
        mentions.push({ patientId: patient.id, conversationId: thread.id, at, by: author });
      }
    }
  }

  if (inboundRows.length > 0) await tx.insert(inboundMessages).values(inboundRows);
  if (outboundRows.length > 0) await tx.insert(outboundMessages).values(outboundRows);
  if (conversationRows.length > 0) await tx.insert(conversations).values(conversationRows);
  if (entryRows.length > 0) await tx.insert(conversationEntries).values(entryRows);
  await appendTouchpoints(tx, timeline);
  const coordinator = options.staff.get('care-coordinator');
  if (coordinator) {
    for (const mention of mentions) {
      await raiseMention(tx, cipher, {
        orgId,
        patientId: mention.patientId,
        assigneeId: coordinator,
        createdBy: mention.by,
        conversationId: mention.conversationId,
        createdAt: mention.at,
      });
    }
  }
  return {
    conversations: conversationRows.length,
    entries: entryRows.length,
    mentions: coordinator ? mentions.length : 0,
    touchpoints: timeline.length + (coordinator ? mentions.length : 0),
  };
}

/** The touchpoints the live path appends for one entry (none for a note or a text reply). */
function touchpointsOf(
  orgId: string,
  thread: Thread,
  kind: 'patient' | 'staff' | 'note',
  inboundMessageId: string | null,
  at: Date,
): NewTouchpoint[] {
  const patientId = thread.patient.id;
  if (kind === 'patient' && inboundMessageId) {
    const summary = 'Text message received';
    return [
      {
        orgId,
        patientId,
        channel: 'sms',
        direction: 'inbound',
        type: 'message.received',
        stage: 'follow-up',
        summary,
        nonClinicalSummary: summary,
        subjectType: 'inbound-message',
        subjectId: inboundMessageId,
        occurredAt: at,
      },
    ];
  }
  if (thread.script.channel !== 'portal' || kind === 'note') return [];
  const summary =
    kind === 'patient' ? 'Secure message from the patient' : 'Secure message from the care team';
  return [
    {
      orgId,
      patientId,
      channel: 'portal',
      direction: kind === 'patient' ? 'inbound' : 'outbound',
      type: kind === 'patient' ? 'message.received' : 'inbox.reply',
      stage: 'follow-up',
      summary,
      nonClinicalSummary: summary,
      subjectType: 'conversation',
      subjectId: thread.id,
      occurredAt: at,
    },
  ];
}
