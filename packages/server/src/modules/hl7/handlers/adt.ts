import type { EncounterClass } from '@careloop/core';
import { and, desc, eq } from 'drizzle-orm';
import type { Db } from '../../../db/client.js';
import { encounters } from '../../clinical/schema.js';
import { readCoded, readTime } from '../parse/datatypes.js';
import { invalid, missing } from '../parse/errors.js';
import { visitKey } from '../parse/keys.js';
import { LINK } from '../parse/links.js';
import type { Hl7Read, Segment } from '../parse/message.js';
import {
  type HandlerContext,
  type HandlerResult,
  type Hl7Handler,
  hl7Touchpoint,
  localWhen,
} from './context.js';
import { upsertPatient } from './patient-upsert.js';

/** PV1-2 patient class (table 0004) → Careloop's encounter class. */
const CLASS: Record<string, EncounterClass> = {
  E: 'emergency',
  I: 'inpatient',
  B: 'inpatient',
  O: 'ambulatory',
  P: 'ambulatory',
  R: 'ambulatory',
  C: 'ambulatory',
  N: 'ambulatory',
  U: 'ambulatory',
};

const CLASS_LABEL: Record<EncounterClass, string> = {
  ambulatory: 'Outpatient visit',
  emergency: 'Emergency visit',
  inpatient: 'Inpatient stay',
  virtual: 'Virtual visit',
  home: 'Home visit',
};

/** PV1-10 hospital service (table 0069), the common codes. */
const SERVICE: Record<string, string> = {
  MED: 'Medical service',
  SUR: 'Surgical service',
  CAR: 'Cardiac service',
  PUL: 'Pulmonary service',
  URO: 'Urology service',
};

export interface VisitFacts {
  key: string | null;
  class: EncounterClass;
  type: string;
  reason: string | null;
  start: Date | null;
  end: Date | null;
}

function timeOf(seg: Segment, field: number, hc: HandlerContext, location: string): Date | null {
  const text = seg.value(field);
  if (!text) return null;
  const t = readTime(text, hc.timeZone);
  if (!t) throw invalid(location, 'date/time');
  return t.instant;
}

/** What PV1 (and PV2) say about the visit. */
export function readVisit(message: Hl7Read, hc: HandlerContext): VisitFacts {
  const pv1 = message.segment('PV1');
  if (!pv1) throw missing('PV1', 'patient visit segment');
  const encounterClass = CLASS[pv1.value(2).toUpperCase()] ?? 'ambulatory';
  const service = pv1.value(10).toUpperCase();
  const pv2 = message.segment('PV2');
  const reason = pv2 ? readCoded(pv2, 3) : null;
  return {
    key: visitKey(pv1, hc.sender),
    class: encounterClass,
    type: SERVICE[service] ?? (service || CLASS_LABEL[encounterClass]),
    reason: reason ? (reason.text || reason.code).slice(0, 500) : null,
    start: timeOf(pv1, 44, hc, 'PV1-44'),
    end: timeOf(pv1, 45, hc, 'PV1-45'),
  };
}

async function linkVisit(
  tx: Db,
  hc: HandlerContext,
  key: string | null,
  id: string,
  patientId: string,
) {
  if (!key) return;
  await hc.batch.saveLink(tx, {
    orgId: hc.orgId,
    sourceSystem: hc.sourceSystem,
    sourceType: LINK.visit,
    sourceId: key,
    recordType: 'encounter',
    recordId: id,
    patientId,
  });
}

/** A01 (admit) and A04 (register): the patient, and their visit opened. */
async function openVisit(
  tx: Db,
  message: Hl7Read,
  hc: HandlerContext,
  kind: 'admitted' | 'registered',
): Promise<HandlerResult> {
  const visit = readVisit(message, hc);
  const { patientId } = await upsertPatient(tx, hc, message.segment('PID'));
  const start = visit.start ?? hc.eventAt;
  const link = visit.key
    ? await hc.batch.findLink(tx, hc.sourceSystem, LINK.visit, visit.key, 'encounter')
    : null;
  const encounterId = link ? link.recordId : crypto.randomUUID();
  const values = {
    patientId,
    class: visit.class,
    type: visit.type,
    reason: visit.reason,
    status: 'in-progress',
    startAt: start,
    endAt: null,
  };
  if (link) {
    await hc.batch.update(tx, 'encounters', hc.orgId, encounterId, values);
  } else {
    await hc.batch.insertEncounter(tx, { ...values, id: encounterId, orgId: hc.orgId });
    await linkVisit(tx, hc, visit.key, encounterId, patientId);
  }
  await hc.batch.touchpoints(tx, [
    hl7Touchpoint(hc, {
      patientId,
      channel: visit.class === 'virtual' ? 'telehealth' : 'in-person',
      type: kind === 'admitted' ? 'encounter.admitted' : 'encounter.registered',
      stage: 'visit',
      outcome: kind,
      summary: `${kind === 'admitted' ? 'Admitted' : 'Registered'}: ${visit.type}, ${localWhen(start, hc.timeZone)}`,
      // The service ("Psychiatry") says what the care is for: clinical.
      nonClinicalSummary: `${kind === 'admitted' ? 'Admitted' : 'Registered'}, ${localWhen(start, hc.timeZone)}`,
      subjectType: 'encounter',
      subjectId: encounterId,
      occurredAt: start,
    }),
  ]);
  hc.audit({
    action: link ? 'update' : 'create',
    recordType: 'encounter',
    recordId: encounterId,
    patientId,
  });
  return { patientId };
}

/** The visit a message is about: by visit number, else the patient's latest in `status`. */
async function visitOf(
  tx: Db,
  hc: HandlerContext,
  key: string | null,
  patientId: string,
  status: string,
) {
  if (key) {
    const link = await hc.batch.findLink(tx, hc.sourceSystem, LINK.visit, key, 'encounter');
    if (link) return link.recordId;
  }
  const [latest] = await tx
    .select({ id: encounters.id })
    .from(encounters)
    .where(and(eq(encounters.patientId, patientId), eq(encounters.status, status)))
    .orderBy(desc(encounters.startAt))
    .limit(1);
  return latest?.id ?? null;
}

/**
 * A03 (discharge, end of visit): the visit is closed. A discharge for a visit Careloop never saw
 * opened (a feed joined mid-stay) records the visit as finished rather than refusing it.
 */
const discharge: Hl7Handler = async (tx, message, hc) => {
  const visit = readVisit(message, hc);
  const { patientId } = await upsertPatient(tx, hc, message.segment('PID'));
  const end = visit.end ?? hc.eventAt;
  const existing = await visitOf(tx, hc, visit.key, patientId, 'in-progress');
  let encounterId: string;
  if (existing) {
    encounterId = existing;
    await hc.batch.update(tx, 'encounters', hc.orgId, encounterId, {
      status: 'finished',
      endAt: end,
      patientId,
    });
  } else {
    encounterId = crypto.randomUUID();
    await hc.batch.insertEncounter(tx, {
      id: encounterId,
      orgId: hc.orgId,
      patientId,
      class: visit.class,
      type: visit.type,
      reason: visit.reason,
      status: 'finished',
      startAt: visit.start ?? end,
      endAt: end,
    });
    await linkVisit(tx, hc, visit.key, encounterId, patientId);
  }
  const stay = visit.class === 'inpatient' || visit.class === 'emergency';
  await hc.batch.touchpoints(tx, [
    hl7Touchpoint(hc, {
      patientId,
      channel: stay ? 'system' : 'in-person',
      type: stay ? 'encounter.discharged' : 'visit.completed',
      stage: stay ? 'follow-up' : 'visit',
      outcome: stay ? 'discharged' : 'completed',
      summary: `${stay ? 'Discharged' : 'Visit completed'}: ${visit.type}, ${localWhen(end, hc.timeZone)}`,
      nonClinicalSummary: `${stay ? 'Discharged' : 'Visit completed'}, ${localWhen(end, hc.timeZone)}`,
      subjectType: 'encounter',
      subjectId: encounterId,
      occurredAt: end,
    }),
  ]);
  hc.audit({
    action: existing ? 'update' : 'create',
    recordType: 'encounter',
    recordId: encounterId,
    patientId,
    reason: 'discharged',
  });
  if (stay) {
    hc.domainEvent({ type: 'encounter.discharged', data: { encounterId, patientId } });
  }
  return { patientId };
};

/**
 * A11 (cancel admit / visit) and A13 (cancel discharge): the earlier event is undone on the
 * visit it opened or closed. Nothing to undo (a visit Careloop never saw) is not an error.
 */
function undo(kind: 'admit' | 'discharge'): Hl7Handler {
  return async (tx, message, hc) => {
    const visit = readVisit(message, hc);
    const { patientId } = await upsertPatient(tx, hc, message.segment('PID'));
    const encounterId = await visitOf(
      tx,
      hc,
      visit.key,
      patientId,
      kind === 'admit' ? 'in-progress' : 'finished',
    );
    if (!encounterId) return { patientId };
    hc.batch.written(encounterId);
    await hc.batch.update(
      tx,
      'encounters',
      hc.orgId,
      encounterId,
      kind === 'admit' ? { status: 'cancelled' } : { status: 'in-progress', endAt: null },
    );
    await hc.batch.touchpoints(tx, [
      hl7Touchpoint(hc, {
        patientId,
        type: kind === 'admit' ? 'encounter.cancelled' : 'encounter.discharge-cancelled',
        stage: 'visit',
        outcome: kind === 'admit' ? 'cancelled' : 'in-progress',
        summary:
          kind === 'admit'
            ? `Visit cancelled: ${visit.type}`
            : `Discharge cancelled: ${visit.type}`,
        nonClinicalSummary: kind === 'admit' ? 'Visit cancelled' : 'Discharge cancelled',
        subjectType: 'encounter',
        subjectId: encounterId,
        occurredAt: hc.eventAt,
      }),
    ]);
    hc.audit({
      action: 'update',
      recordType: 'encounter',
      recordId: encounterId,
      patientId,
      reason: kind === 'admit' ? 'admission cancelled' : 'discharge cancelled',
    });
    return { patientId };
  };
}

export const cancelAdmit = undo('admit');
export const cancelDischarge = undo('discharge');

export const admit: Hl7Handler = (tx, message, hc) => openVisit(tx, message, hc, 'admitted');
export const register: Hl7Handler = (tx, message, hc) => openVisit(tx, message, hc, 'registered');
export { discharge };

/** A08 (update patient information), A28 (add person), A31 (update person): demographics only. */
export const updatePerson: Hl7Handler = async (tx, message, hc) => {
  const { patientId } = await upsertPatient(tx, hc, message.segment('PID'));
  return { patientId };
};
