import { eq } from 'drizzle-orm';
import { MergeRefused, mergePatients } from '../../mpi/service.js';
import { patients } from '../../patients/schema.js';
import { HL7_ERROR } from '../parse/ack.js';
import { Hl7ContentError, missing } from '../parse/errors.js';
import type { Segment } from '../parse/message.js';
import { readPatientIdentifiers } from '../parse/patient.js';
import { type Hl7Handler, hl7Touchpoint } from './context.js';
import { matchHl7Patient, upsertPatient } from './patient-upsert.js';

function summary(counts: Record<string, number>): string {
  const parts = Object.entries(counts).map(([table, n]) => `${table} ${n}`);
  return parts.length ? parts.join(', ') : 'none';
}

/**
 * A40 (merge patient, patient identifier list): each PID/MRG pair names the surviving patient
 * (PID) and the one merged into it (MRG-1). Already merged (both name one record) or a prior
 * patient Careloop never knew: nothing to merge, the survivor is still brought up to date.
 */
export const mergePatientMessage: Hl7Handler = async (tx, message, hc) => {
  const pairs: { pid: Segment; mrg: Segment }[] = [];
  let pid: Segment | null = null;
  for (const seg of message.segments) {
    if (seg.name === 'PID') pid = seg;
    else if (seg.name === 'MRG' && pid) pairs.push({ pid, mrg: seg });
  }
  if (pairs.length === 0) throw missing('MRG', 'merge patient information segment');
  let last: string | null = null;
  for (const { pid: survivorPid, mrg } of pairs) {
    const identifiers = readPatientIdentifiers(mrg, [1], hc.sender);
    if (identifiers.length === 0) throw missing('MRG-1', 'prior patient identifier list');
    const prior = await matchHl7Patient(tx, hc, {
      identifiers,
      name: null,
      birth: null,
      sex: null,
      addresses: [],
      contactPoints: [],
      language: null,
      deceasedAt: null,
      deceased: false,
    });
    const mergedId = prior.kind === 'existing' ? prior.patientId : null;
    const { patientId: survivor } = await upsertPatient(tx, hc, survivorPid);
    last = survivor;
    if (!mergedId || mergedId === survivor) continue;
    // The merge moves rows in the database: what this message deferred must be there first.
    await hc.batch.flush(tx);
    const [merged] = await tx
      .select({ status: patients.status })
      .from(patients)
      .where(eq(patients.id, mergedId));
    if (merged?.status === 'merged') {
      throw new Hl7ContentError(
        'MRG-1 names a patient already merged into another',
        'MRG-1',
        HL7_ERROR.unknownKey,
      );
    }
    const report = await mergePatients(tx, hc.orgId, {
      survivorId: survivor,
      mergedId,
      origin: 'hl7',
      reason: `HL7 ${hc.label} from ${hc.sender}`,
    }).catch((error: unknown) => {
      if (error instanceof MergeRefused) {
        throw new Hl7ContentError(error.message, 'MRG-1', HL7_ERROR.unknownKey);
      }
      throw error;
    });
    await hc.followMerge(tx, survivor, mergedId);
    hc.batch.forget();
    await hc.batch.touchpoints(tx, [
      hl7Touchpoint(hc, {
        patientId: survivor,
        direction: 'internal',
        type: 'patient.merged',
        stage: 'awareness',
        summary: `Duplicate record merged into this one (HL7 ${hc.label} from ${hc.sender})`,
        nonClinicalSummary: `Duplicate record merged into this one (HL7 ${hc.label} from ${hc.sender})`,
        subjectType: 'patient',
        subjectId: mergedId,
        occurredAt: hc.eventAt,
      }),
    ]);
    hc.domainEvent({
      type: 'patient.merged',
      data: { patientId: survivor, mergedPatientId: mergedId },
    });
    const reason = `merged ${mergedId} into ${survivor}; moved: ${summary(report.moved)}; dropped duplicates: ${summary(report.dropped)}`;
    hc.audit({
      action: 'update',
      recordType: 'patient',
      recordId: mergedId,
      patientId: mergedId,
      reason,
    });
    hc.audit({
      action: 'update',
      recordType: 'patient',
      recordId: survivor,
      patientId: survivor,
      reason,
    });
  }
  return { patientId: last };
};
