import { referralClosed, referralIsNews } from '@careloop/core';
import { eq } from 'drizzle-orm';
import { serviceRequests } from '../../clinical/schema.js';
import { readCoded, readTime } from '../parse/datatypes.js';
import { invalid, missing } from '../parse/errors.js';
import { referralKey, visitKey } from '../parse/keys.js';
import { LINK } from '../parse/links.js';
import type { Hl7Read } from '../parse/message.js';
import { type Hl7Handler, hl7Touchpoint } from './context.js';
import { upsertPatient } from './patient-upsert.js';

/** RF1-1 referral status (table 0283) → a ServiceRequest status. */
const STATUS: Record<string, string> = {
  P: 'active',
  A: 'active',
  R: 'revoked',
  E: 'revoked',
};

/** RF1-2 referral priority (table 0280). */
const PRIORITY: Record<string, string> = { S: 'stat', A: 'asap', R: 'routine' };

/** Who the referral is to: the PRD segment with role RT (referred to provider). */
function referredTo(message: Hl7Read): string | null {
  const prd = message.segmentsNamed('PRD').find((p) => p.value(1).toUpperCase() === 'RT');
  if (!prd) return null;
  const person = [prd.value(2, 5), prd.value(2, 2), prd.value(2, 1)].filter(Boolean).join(' ');
  const place = prd.value(4, 4) || prd.value(4, 9);
  const name = [person, place].filter(Boolean).join(', ');
  return name ? name.slice(0, 300) : null;
}

/**
 * REF I12 (patient referral): the patient, and the referral as a service request of category
 * `referral`, keyed by RF1-6 (originating referral id, else RF1-11 external referral id) so that
 * a later message about the same referral updates it.
 */
export const referral: Hl7Handler = async (tx, message, hc) => {
  const rf1 = message.segment('RF1');
  if (!rf1) throw missing('RF1', 'referral information segment');
  const key = referralKey(rf1);
  const { patientId } = await upsertPatient(tx, hc, message.segment('PID'));
  const authoredText = rf1.value(9) || rf1.value(7);
  const authored = authoredText ? readTime(authoredText, hc.timeZone) : null;
  if (authoredText && !authored) throw invalid(rf1.value(9) ? 'RF1-9' : 'RF1-7', 'date/time');
  const reason = readCoded(rf1, 10);
  const type = readCoded(rf1, 3);
  const pv1 = message.segment('PV1');
  const visit = pv1 ? visitKey(pv1, hc.sender) : null;
  const encounter = visit
    ? await hc.batch.findLink(tx, hc.sourceSystem, LINK.visit, visit, 'encounter')
    : null;
  const link = key
    ? await hc.batch.findLink(tx, hc.sourceSystem, LINK.referral, key, 'service-request')
    : null;
  const display = (reason?.text || reason?.code || type?.text || type?.code || 'Referral').slice(
    0,
    300,
  );
  const values = {
    patientId,
    encounterId: encounter?.recordId ?? null,
    status: STATUS[rf1.value(1).toUpperCase()] ?? 'active',
    intent: 'order',
    priority: PRIORITY[rf1.value(2).toUpperCase()] ?? 'routine',
    category: 'referral',
    codeSystem: reason?.code ? reason.system || null : null,
    code: reason?.code || null,
    display,
    performerName: referredTo(message),
    authoredAt: authored?.instant ?? hc.eventAt,
    updatedAt: new Date(),
  };
  const requestId = link?.recordId ?? crypto.randomUUID();
  if (link) {
    // Issue 11 (h11r): RF1-1 R or E of a known referral ends the journeys it started (ADR 0045).
    hc.batch.written(requestId);
    const [before] = await tx
      .select({ status: serviceRequests.status })
      .from(serviceRequests)
      .where(eq(serviceRequests.id, requestId));
    await hc.batch.update(tx, 'serviceRequests', hc.orgId, requestId, values);
    if (referralClosed(before?.status ?? null, values.status)) {
      hc.referralClosed({ orgId: hc.orgId, serviceRequestId: requestId, status: values.status });
    }
  } else {
    await hc.batch.insertServiceRequest(tx, { ...values, id: requestId, orgId: hc.orgId });
    if (key) {
      await hc.batch.saveLink(tx, {
        orgId: hc.orgId,
        sourceSystem: hc.sourceSystem,
        sourceType: LINK.referral,
        sourceId: key,
        recordType: 'service-request',
        recordId: requestId,
        patientId,
      });
    }
    // Issue 11 (h11w): announced to journeys by the FHIR path's rule (core's referralIsNews):
    // created by this message, active, authored (RF1-9, else RF1-7) within the last 14 days of
    // its receipt. A REF^I12 is a referral by its type; a re-sent one finds its link above.
    const news = referralIsNews(
      {
        codes: [],
        labels: ['referral'],
        status: values.status,
        authoredAt: authored?.instant ?? null,
      },
      true,
      hc.receivedAt,
    );
    if (news) hc.referralCreated({ orgId: hc.orgId, serviceRequestId: requestId });
  }
  await hc.batch.touchpoints(tx, [
    hl7Touchpoint(hc, {
      patientId,
      type: link ? 'referral.updated' : 'referral.received',
      stage: 'scheduling',
      outcome: values.status,
      summary: `Referral ${link ? 'updated' : 'received'}: ${display}${values.performerName ? ` (to ${values.performerName})` : ''}`,
      // What is referred, and to whom (an oncologist), are clinical.
      nonClinicalSummary: `Referral ${link ? 'updated' : 'received'}`,
      subjectType: 'service-request',
      subjectId: requestId,
      occurredAt: hc.eventAt,
    }),
  ]);
  hc.audit({
    action: link ? 'update' : 'create',
    recordType: 'service-request',
    recordId: requestId,
    patientId,
    reason: 'referral',
  });
  return { patientId };
};
