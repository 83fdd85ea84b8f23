import type { EncounterClass } from '@careloop/core';
import type { Observation, ObservationComponent, Reference } from '@medplum/fhirtypes';
import { eq } from 'drizzle-orm';
import { encounters } from '../../clinical/schema.js';
import { NotMapped } from '../outcome.js';
import {
  calendarDateOf,
  codeOf,
  codeValue,
  firstLabel,
  instantOf,
  labelOf,
  periodOf,
  quantityText,
} from '../values.js';
import { type MapContext, mapperFor, quietly, target, upsert } from './context.js';

/** Clinical records of a patient: visits, problems, procedures, results, medicines, plans. */

const ENCOUNTER_CLASSES: Record<string, EncounterClass> = {
  AMB: 'ambulatory',
  FLD: 'ambulatory',
  EMER: 'emergency',
  IMP: 'inpatient',
  ACUTE: 'inpatient',
  NONAC: 'inpatient',
  SS: 'inpatient',
  OBSENC: 'inpatient',
  PRENC: 'ambulatory',
  VR: 'virtual',
  HH: 'home',
};

const CLASS_LABELS: Record<EncounterClass, string> = {
  ambulatory: 'Ambulatory visit',
  emergency: 'Emergency visit',
  inpatient: 'Hospital stay',
  virtual: 'Virtual visit',
  home: 'Home visit',
};

/** The practitioner among a list of participants, if one is there. */
async function practitionerAmong(
  ctx: MapContext,
  refs: (Reference | undefined)[],
  path: (i: number) => string,
) {
  for (const [i, ref] of refs.entries()) {
    const type = ctx.referenceType(ref);
    if (type === 'Practitioner' || type === 'PractitionerRole') {
      return ctx.link(ref, path(i), ['Practitioner', 'PractitionerRole']);
    }
  }
  return null;
}

export const mapEncounter = mapperFor('Encounter', async (encounter, ctx) => {
  const patient = await ctx.patient(encounter.subject, 'subject');
  const period = periodOf(encounter.period);
  const startAt = period.start ?? period.end;
  if (!startAt) throw new NotMapped('The encounter has no period', 'period');
  const encounterClass = ENCOUNTER_CLASSES[encounter.class.code ?? ''] ?? 'ambulatory';
  const location = await ctx.link(encounter.location?.[0]?.location, 'location[0].location', [
    'Location',
  ]);
  const practitioner = await practitionerAmong(
    ctx,
    (encounter.participant ?? []).map((p) => p.individual),
    (i) => `participant[${i}].individual`,
  );
  const id = target(ctx, 'encounter');
  const before = id.created ? null : await encounterState(ctx, id.id);
  const write = upsert('encounters', id, {
    orgId: ctx.orgId,
    patientId: patient.recordId,
    class: encounterClass,
    type:
      firstLabel(encounter.type) ??
      labelOf(encounter.serviceType) ??
      encounter.class.display ??
      CLASS_LABELS[encounterClass],
    reason: firstLabel(encounter.reasonCode),
    status: encounter.status,
    locationId: location?.recordId ?? null,
    practitionerId: practitioner?.recordId ?? null,
    startAt,
    endAt: period.end,
  });
  const finished = encounter.status === 'finished';
  return {
    record: { recordType: 'encounter', recordId: id.id, patientId: patient.recordId },
    created: id.created,
    writes: [write],
    touchpoints: id.created
      ? [
          {
            orgId: ctx.orgId,
            patientId: patient.recordId,
            occurredAt: startAt,
            channel: encounterClass === 'virtual' ? 'telehealth' : 'in-person',
            direction: 'inbound',
            type: finished ? 'visit.completed' : `visit.${encounter.status}`,
            stage: 'visit',
            sourceSystem: 'fhir',
            outcome: encounter.status,
            summary: CLASS_LABELS[encounterClass],
            nonClinicalSummary: CLASS_LABELS[encounterClass],
            subjectType: 'encounter',
            subjectId: id.id,
          },
        ]
      : [],
    encounterChange: {
      orgId: ctx.orgId,
      encounterId: id.id,
      patientId: patient.recordId,
      before,
      after: {
        status: encounter.status,
        class: encounterClass,
        endAt: period.end,
        dischargeDisposition: encounter.hospitalization?.dischargeDisposition !== undefined,
      },
    },
  };
});

/** An encounter's status as an earlier import left it: what tells a discharge from a repeat. */
async function encounterState(ctx: MapContext, id: string): Promise<{ status: string } | null> {
  const [row] = await ctx.tx
    .select({ status: encounters.status })
    .from(encounters)
    .where(eq(encounters.id, id));
  return row ?? null;
}

export const mapCondition = mapperFor('Condition', async (condition, ctx) => {
  const patient = await ctx.patient(condition.subject, 'subject');
  const code = codeOf(condition.code);
  if (!code) throw new NotMapped('The condition has no code', 'code');
  const id = target(ctx, 'condition');
  const onset =
    condition.onsetDateTime ?? condition.onsetPeriod?.start ?? condition.onsetString ?? undefined;
  const abatement = condition.abatementDateTime ?? condition.abatementPeriod?.start;
  return quietly(
    { recordType: 'condition', recordId: id.id, patientId: patient.recordId },
    id.created,
    [
      upsert('conditions', id, {
        orgId: ctx.orgId,
        patientId: patient.recordId,
        codeSystem: code.system,
        code: code.code,
        display: code.display,
        clinicalStatus: codeValue(condition.clinicalStatus) ?? (abatement ? 'resolved' : 'active'),
        onsetDate: calendarDateOf(onset)?.date ?? null,
        abatementDate: calendarDateOf(abatement)?.date ?? null,
        recordedAt: instantOf(condition.recordedDate) ?? instantOf(onset) ?? new Date(),
      }),
    ],
  );
});

export const mapProcedure = mapperFor('Procedure', async (procedure, ctx) => {
  const patient = await ctx.patient(procedure.subject, 'subject');
  const code = codeOf(procedure.code);
  if (!code) throw new NotMapped('The procedure has no code', 'code');
  const encounter = await ctx.link(procedure.encounter, 'encounter', ['Encounter']);
  const practitioner = await practitionerAmong(
    ctx,
    (procedure.performer ?? []).map((p) => p.actor),
    (i) => `performer[${i}].actor`,
  );
  const location = await ctx.link(procedure.location, 'location', ['Location']);
  const period = periodOf(procedure.performedPeriod);
  const id = target(ctx, 'procedure');
  return quietly(
    { recordType: 'procedure', recordId: id.id, patientId: patient.recordId },
    id.created,
    [
      upsert('procedures', id, {
        orgId: ctx.orgId,
        patientId: patient.recordId,
        encounterId: encounter?.recordId ?? null,
        codeSystem: code.system,
        code: code.code,
        display: code.display,
        status: procedure.status,
        performedAt: instantOf(procedure.performedDateTime) ?? period.start,
        performedEndAt: period.end,
        practitionerId: practitioner?.recordId ?? null,
        locationId: location?.recordId ?? null,
        updatedAt: new Date(),
      }),
    ],
  );
});

type ObservationValue = {
  valueQuantity?: Observation['valueQuantity'];
  valueCodeableConcept?: Observation['valueCodeableConcept'];
  valueString?: string;
  valueBoolean?: boolean;
  valueInteger?: number;
  valueDateTime?: string;
  valueRange?: Observation['valueRange'];
  valueRatio?: Observation['valueRatio'];
  valuePeriod?: Observation['valuePeriod'];
  valueTime?: string;
  dataAbsentReason?: Observation['dataAbsentReason'];
};

function valueText(v: ObservationValue): string | null {
  if (v.valueQuantity) return quantityText(v.valueQuantity);
  if (v.valueCodeableConcept) return labelOf(v.valueCodeableConcept);
  if (v.valueString !== undefined) return v.valueString.slice(0, 500);
  if (v.valueBoolean !== undefined) return v.valueBoolean ? 'yes' : 'no';
  if (v.valueInteger !== undefined) return String(v.valueInteger);
  if (v.valueDateTime) return v.valueDateTime;
  if (v.valueTime) return v.valueTime;
  if (v.valueRange) {
    return `${quantityText(v.valueRange.low) ?? ''}–${quantityText(v.valueRange.high) ?? ''}`;
  }
  if (v.valueRatio) {
    return `${quantityText(v.valueRatio.numerator) ?? ''}/${quantityText(v.valueRatio.denominator) ?? ''}`;
  }
  if (v.valuePeriod) return `${v.valuePeriod.start ?? ''}/${v.valuePeriod.end ?? ''}`;
  if (v.dataAbsentReason) return `absent: ${labelOf(v.dataAbsentReason) ?? 'unknown'}`;
  return null;
}

const componentText = (c: ObservationComponent) =>
  `${labelOf(c.code) ?? 'component'}: ${valueText(c) ?? '—'}`;

/** An observation kept as a compact summary: what, the value with its unit, and when. */
export const mapObservation = mapperFor('Observation', async (observation, ctx) => {
  if (ctx.referenceType(observation.subject) !== 'Patient') {
    throw new NotMapped('The observation is not about a patient', 'subject');
  }
  const patient = await ctx.patient(observation.subject, 'subject');
  const code = codeOf(observation.code);
  if (!code) throw new NotMapped('The observation has no code', 'code');
  const encounter = await ctx.link(observation.encounter, 'encounter', ['Encounter']);
  const q = observation.valueQuantity;
  const number =
    q?.value !== undefined && Number.isFinite(q.value)
      ? String(q.value)
      : observation.valueInteger !== undefined
        ? String(observation.valueInteger)
        : null;
  const components = observation.component?.map(componentText).join('; ');
  const id = target(ctx, 'observation');
  return quietly(
    { recordType: 'observation', recordId: id.id, patientId: patient.recordId },
    id.created,
    [
      upsert('observations', id, {
        orgId: ctx.orgId,
        patientId: patient.recordId,
        encounterId: encounter?.recordId ?? null,
        category: codeValue(observation.category?.[0]) ?? labelOf(observation.category?.[0]),
        codeSystem: code.system,
        code: code.code,
        display: code.display,
        status: observation.status,
        valueNumber: number,
        valueUnit: q ? (q.unit ?? q.code ?? null) : null,
        valueText: (components || valueText(observation))?.slice(0, 1000) ?? null,
        effectiveAt:
          instantOf(observation.effectiveDateTime) ??
          instantOf(observation.effectiveInstant) ??
          instantOf(observation.effectivePeriod?.start) ??
          instantOf(observation.issued),
        updatedAt: new Date(),
      }),
    ],
  );
});

export const mapImmunization = mapperFor('Immunization', async (immunization, ctx) => {
  const patient = await ctx.patient(immunization.patient, 'patient');
  const code = codeOf(immunization.vaccineCode);
  if (!code) throw new NotMapped('The immunization has no vaccine code', 'vaccineCode');
  const encounter = await ctx.link(immunization.encounter, 'encounter', ['Encounter']);
  const id = target(ctx, 'immunization');
  return quietly(
    { recordType: 'immunization', recordId: id.id, patientId: patient.recordId },
    id.created,
    [
      upsert('immunizations', id, {
        orgId: ctx.orgId,
        patientId: patient.recordId,
        encounterId: encounter?.recordId ?? null,
        vaccineSystem: code.system,
        vaccineCode: code.code,
        display: code.display,
        status: immunization.status,
        occurredAt: instantOf(immunization.occurrenceDateTime) ?? instantOf(immunization.recorded),
        updatedAt: new Date(),
      }),
    ],
  );
});

export const mapMedicationRequest = mapperFor('MedicationRequest', async (request, ctx) => {
  const patient = await ctx.patient(request.subject, 'subject');
  let code = codeOf(request.medicationCodeableConcept);
  if (!code && request.medicationReference) {
    const contained = ctx.contained(request.medicationReference, 'medicationReference');
    if (contained?.resourceType === 'Medication') code = codeOf(contained.code);
    const display = request.medicationReference.display;
    code ??= display ? { system: 'urn:careloop:text', code: display, display } : null;
  }
  if (!code) throw new NotMapped('The request names no medication Careloop can read', 'medication');
  const encounter = await ctx.link(request.encounter, 'encounter', ['Encounter']);
  const requester = await practitionerAmong(ctx, [request.requester], () => 'requester');
  const id = target(ctx, 'medication-request');
  return quietly(
    { recordType: 'medication-request', recordId: id.id, patientId: patient.recordId },
    id.created,
    [
      upsert('medicationRequests', id, {
        orgId: ctx.orgId,
        patientId: patient.recordId,
        encounterId: encounter?.recordId ?? null,
        medicationSystem: code.system,
        medicationCode: code.code,
        display: code.display,
        status: request.status,
        intent: request.intent,
        authoredAt: instantOf(request.authoredOn),
        requesterId: requester?.recordId ?? null,
        dosage: request.dosageInstruction?.[0]?.text ?? null,
        updatedAt: new Date(),
      }),
    ],
  );
});

export const mapAllergyIntolerance = mapperFor('AllergyIntolerance', async (allergy, ctx) => {
  const patient = await ctx.patient(allergy.patient, 'patient');
  const code = codeOf(allergy.code);
  if (!code) throw new NotMapped('The allergy has no code', 'code');
  const id = target(ctx, 'allergy');
  return quietly(
    { recordType: 'allergy', recordId: id.id, patientId: patient.recordId },
    id.created,
    [
      upsert('allergies', id, {
        orgId: ctx.orgId,
        patientId: patient.recordId,
        codeSystem: code.system,
        code: code.code,
        display: code.display,
        clinicalStatus: codeValue(allergy.clinicalStatus),
        verificationStatus: codeValue(allergy.verificationStatus),
        category: allergy.category?.[0] ?? null,
        criticality: allergy.criticality ?? null,
        recordedAt: instantOf(allergy.recordedDate) ?? instantOf(allergy.onsetDateTime),
        updatedAt: new Date(),
      }),
    ],
  );
});

export const mapCarePlan = mapperFor('CarePlan', async (plan, ctx) => {
  const patient = await ctx.patient(plan.subject, 'subject');
  const encounter = await ctx.link(plan.encounter, 'encounter', ['Encounter']);
  const period = periodOf(plan.period);
  const activities = (plan.activity ?? [])
    .map((a) => labelOf(a.detail?.code) ?? a.reference?.display ?? null)
    .filter((a): a is string => Boolean(a));
  const id = target(ctx, 'care-plan');
  return quietly(
    { recordType: 'care-plan', recordId: id.id, patientId: patient.recordId },
    id.created,
    [
      upsert('carePlans', id, {
        orgId: ctx.orgId,
        patientId: patient.recordId,
        encounterId: encounter?.recordId ?? null,
        status: plan.status,
        intent: plan.intent,
        title: plan.title ?? firstLabel(plan.category) ?? 'Care plan',
        activities,
        periodStart: period.start,
        periodEnd: period.end,
        updatedAt: new Date(),
      }),
    ],
  );
});
