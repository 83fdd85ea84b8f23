import {
  type OrderControl,
  type OrderStatus,
  orderControl,
  orderNeedsVisit,
  orderStatus,
  referralClosed,
  referralIsNews,
} from '@careloop/core';
import { eq } from 'drizzle-orm';
import type { Db } from '../../../db/client.js';
import { serviceRequests } from '../../clinical/schema.js';
import { practitionerNamed } from '../../scheduling/service.js';
import { readTime } from '../parse/datatypes.js';
import { invalid, missing } from '../parse/errors.js';
import { visitKey } from '../parse/keys.js';
import { LINK, type LinkedRecord } from '../parse/links.js';
import type { Hl7Read } from '../parse/message.js';
import { type Hl7Order, readOrders } from '../parse/orders.js';
import { type HandlerContext, type Hl7Handler, hl7Touchpoint } from './context.js';
import { linkStoredMessage, upsertPatient } from './patient-upsert.js';

/** Priority (TQ1-9, ORC-7.6, OBR-27.6; table 0027) → a ServiceRequest priority. */
const PRIORITY: Record<string, string> = { S: 'stat', A: 'asap', R: 'routine', T: 'urgent' };

// The NPI's assigning authority (XCN-9.2), as SIU's AIP-3 reads it.
const NPI_OID = '2.16.840.1.113883.4.6';

/** What one order of the message does: create a referral, change one, or nothing. */
type Plan =
  | { kind: 'create'; order: Hl7Order; status: OrderStatus }
  | { kind: 'update'; order: Hl7Order; status: OrderStatus; link: LinkedRecord; full: boolean };

async function linkOf(tx: Db, hc: HandlerContext, order: Hl7Order): Promise<LinkedRecord | null> {
  const placer = order.placer
    ? await hc.batch.findLink(
        tx,
        hc.sourceSystem,
        LINK.placerOrder,
        order.placer,
        'service-request',
      )
    : null;
  if (placer || !order.filler) return placer;
  return hc.batch.findLink(tx, hc.sourceSystem, LINK.fillerOrder, order.filler, 'service-request');
}

/**
 * What an order does (docs/adr/0044): a placed order that needs a visit creates a referral, or
 * updates the one its placer (else filler) number found; a cancel, hold or release changes the
 * status of a known one. Anything else (a lab, pharmacy, supply or diet order; a cancel of an
 * order never seen; a control Careloop does not map) changes nothing.
 */
async function planOf(
  tx: Db,
  hc: HandlerContext,
  order: Hl7Order,
  n: number,
): Promise<Plan | null> {
  const code = order.orc.value(1);
  if (!code) throw missing(`ORC-1`, `order control of order ${n}`);
  const control: OrderControl | null = orderControl(code);
  if (!control) return null;
  const status = orderStatus(control, order.orc.value(5));
  const visit = orderNeedsVisit(order.facts);
  if (control === 'place' && visit && !order.placer && !order.filler) {
    throw missing('ORC-2', `placer order number of order ${n}`);
  }
  const link = await linkOf(tx, hc, order);
  if (link) {
    if (control === 'place' && !visit) return null;
    return { kind: 'update', order, status, link, full: control === 'place' };
  }
  return control === 'place' && visit ? { kind: 'create', order, status } : null;
}

/** ORC-9 transaction time, else OBR-6 requested time: when the order was written. */
function authoredOf(order: Hl7Order, hc: HandlerContext): Date | null {
  const [field, text] = order.orc.value(9)
    ? ['ORC-9', order.orc.value(9)]
    : ['OBR-6', order.obr?.value(6) ?? ''];
  if (!text) return null;
  const time = readTime(text, hc.timeZone);
  if (!time) throw invalid(field, 'date/time');
  return time.instant;
}

function priorityOf(message: Hl7Read, order: Hl7Order): string {
  const code =
    message.segment('TQ1')?.value(9) ||
    order.orc.value(7, 6) ||
    order.obr?.value(27, 6) ||
    order.obr?.value(5) ||
    '';
  return PRIORITY[code.toUpperCase()] ?? 'routine';
}

/** The ordering provider (ORC-12, else OBR-16) in the directory, by its id or NPI. */
async function requesterOf(tx: Db, hc: HandlerContext, order: Hl7Order): Promise<string | null> {
  const [seg, field] = order.orc.value(12) ? [order.orc, 12] : [order.obr, 16];
  const id = seg?.value(field, 1);
  if (!seg || !id) return null;
  const npi = seg.value(field, 13).toUpperCase() === 'NPI' || seg.value(field, 9, 2) === NPI_OID;
  return practitionerNamed(tx, hc.orgId, { id, npi });
}

async function saveKeys(
  tx: Db,
  hc: HandlerContext,
  order: Hl7Order,
  recordId: string,
  patientId: string,
): Promise<void> {
  const keys = [
    [LINK.placerOrder, order.placer],
    [LINK.fillerOrder, order.filler],
  ] as const;
  for (const [sourceType, sourceId] of keys) {
    if (!sourceId) continue;
    await hc.batch.saveLink(tx, {
      orgId: hc.orgId,
      sourceSystem: hc.sourceSystem,
      sourceType,
      sourceId,
      recordType: 'service-request',
      recordId,
      patientId,
    });
  }
}

type ServiceRequestRow = typeof serviceRequests.$inferSelect;

/** The referral as it is before the message changes it (null if it is not there). */
async function currentOf(
  tx: Db,
  hc: HandlerContext,
  id: string,
): Promise<ServiceRequestRow | null> {
  hc.batch.written(id);
  const [current] = await tx.select().from(serviceRequests).where(eq(serviceRequests.id, id));
  return current ?? null;
}

/** Whether the referral already holds every value of `changes` (its update time aside). */
function unchanged(
  current: ServiceRequestRow | null,
  changes: Partial<Record<keyof ServiceRequestRow, unknown>>,
): boolean {
  if (!current) return false;
  return Object.entries(changes).every(([column, value]) => {
    if (column === 'updatedAt') return true;
    const now = current[column as keyof typeof current];
    return value instanceof Date && now instanceof Date
      ? value.getTime() === now.getTime()
      : value === now;
  });
}

const VERB: Record<OrderStatus, string> = {
  active: 'updated',
  'on-hold': 'on hold',
  revoked: 'cancelled',
  completed: 'completed',
  'entered-in-error': 'entered in error',
};

/** Creates or changes the referral one order names, with its touchpoint and audit event. */
async function apply(
  tx: Db,
  message: Hl7Read,
  hc: HandlerContext,
  plan: Plan,
  patientId: string,
  encounterId: string | null,
): Promise<void> {
  const { order, status } = plan;
  const display = (order.service?.text || order.service?.code || 'Order').slice(0, 300);
  const authored = authoredOf(order, hc);
  const details = {
    patientId,
    encounterId,
    status,
    intent: 'order',
    priority: priorityOf(message, order),
    category: 'referral',
    codeSystem: order.service?.code ? order.service.system || null : null,
    code: order.service?.code || null,
    display,
    requesterId: await requesterOf(tx, hc, order),
    authoredAt: authored ?? hc.eventAt,
    updatedAt: hc.receivedAt,
  };
  const requestId = plan.kind === 'update' ? plan.link.recordId : crypto.randomUUID();
  if (plan.kind === 'update') {
    const changes = plan.full ? details : { status, updatedAt: hc.receivedAt };
    const current = await currentOf(tx, hc, requestId);
    // A re-sent order (a new control id, the same order) changes nothing and says nothing.
    if (unchanged(current, changes)) return;
    await hc.batch.update(tx, 'serviceRequests', hc.orgId, requestId, changes);
    if (plan.full) await saveKeys(tx, hc, order, requestId, patientId);
    // Issue 11 (h11r): a cancel (CA, OC, DC…) ends the journeys the order started (ADR 0045).
    if (referralClosed(current?.status ?? null, status)) {
      hc.referralClosed({ orgId: hc.orgId, serviceRequestId: requestId, status });
    }
  } else {
    await hc.batch.insertServiceRequest(tx, { ...details, id: requestId, orgId: hc.orgId });
    await saveKeys(tx, hc, order, requestId, patientId);
    // Announced by REF^I12's rule (core's referralIsNews): created by this message, active,
    // written (ORC-9) within 14 days of receipt. A re-sent order finds its link: no news.
    const news = referralIsNews(
      { codes: [], labels: ['referral'], status, authoredAt: authored },
      true,
      hc.receivedAt,
    );
    if (news) hc.referralCreated({ orgId: hc.orgId, serviceRequestId: requestId });
  }
  const verb = plan.kind === 'create' ? 'received' : VERB[status];
  await hc.batch.touchpoints(tx, [
    hl7Touchpoint(hc, {
      patientId,
      type: plan.kind === 'create' ? 'referral.received' : 'referral.updated',
      stage: 'scheduling',
      outcome: status,
      summary: `Referral ${verb}: ${display}`,
      // What is ordered (a brain MRI) is clinical.
      nonClinicalSummary: `Referral ${verb}`,
      subjectType: 'service-request',
      subjectId: requestId,
      occurredAt: hc.eventAt,
    }),
  ]);
  hc.audit({
    action: plan.kind === 'create' ? 'create' : 'update',
    recordType: 'service-request',
    recordId: requestId,
    patientId,
    reason: `order (${hc.label})`,
  });
}

/**
 * ORM^O01 (general order, issue 11): each order that needs a visit (imaging, a consult, a
 * procedure: core's orderNeedsVisit) becomes a referral awaiting scheduling, keyed by its placer
 * and filler numbers so a re-sent or changed order updates it and a cancel revokes it. A message
 * with no such order (a lab draw, a prescription) is kept as received and linked to a known
 * patient, like an ORU.
 */
export const order: Hl7Handler = async (tx, message, hc) => {
  const pid = message.segment('PID');
  if (!pid) throw missing('PID', 'patient identification segment');
  const orders = readOrders(message);
  if (orders.length === 0) throw missing('ORC', 'common order segment');
  const plans: Plan[] = [];
  for (const [i, o] of orders.entries()) {
    const plan = await planOf(tx, hc, o, i + 1);
    if (plan) plans.push(plan);
  }
  // An order that starts no referral: kept, linked to the patient when the PID names one.
  if (plans.length === 0) return linkStoredMessage(tx, hc, pid);
  const { patientId } = await upsertPatient(tx, hc, pid);
  const pv1 = message.segment('PV1');
  const visit = pv1 ? visitKey(pv1, hc.sender) : null;
  const encounter = visit
    ? await hc.batch.findLink(tx, hc.sourceSystem, LINK.visit, visit, 'encounter')
    : null;
  for (const plan of plans) {
    await apply(tx, message, hc, plan, patientId, encounter?.recordId ?? null);
  }
  return { patientId };
};
