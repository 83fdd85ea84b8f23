import type {
  ClaimItem,
  ExplanationOfBenefitItem,
  ExplanationOfBenefitTotal,
  Money,
  Reference,
} from '@medplum/fhirtypes';
import { eq } from 'drizzle-orm';
import { externalOrganizations } from '../schema.js';
import { calendarDateOf, codeValue, instantOf, moneyOf, periodOf } from '../values.js';
import {
  type LinkedRecord,
  type MapContext,
  mapperFor,
  quietly,
  target,
  upsert,
} from './context.js';

/**
 * Coverage, claims and explanations of benefit. Billed and paid amounts are kept as exact
 * decimals with their currency: revenue attribution reads them.
 */

/** A payer's or provider's name: from the bundle, the reference's display, or the directory. */
async function organizationName(
  ctx: MapContext,
  ref: Reference | undefined,
  path: string,
): Promise<{ name: string | null; link: LinkedRecord | null }> {
  if (!ref) return { name: null, link: null };
  const link = await ctx.link(ref, path, ['Organization']);
  const resource = ctx.resourceOf(ref);
  if (resource?.resourceType === 'Organization' && resource.name) {
    return { name: resource.name, link };
  }
  if (ref.display) return { name: ref.display, link };
  if (link) {
    const [row] = await ctx.tx
      .select({ name: externalOrganizations.name })
      .from(externalOrganizations)
      .where(eq(externalOrganizations.id, link.recordId));
    return { name: row?.name ?? null, link };
  }
  return { name: null, link };
}

/** Who billed: a practitioner or an organization. */
async function providerOf(ctx: MapContext, ref: Reference | undefined, path: string) {
  const type = ctx.referenceType(ref);
  if (type === 'Practitioner' || type === 'PractitionerRole') {
    const link = await ctx.link(ref, path, ['Practitioner', 'PractitionerRole']);
    return { practitionerId: link?.recordId ?? null, organizationId: null };
  }
  const link = await ctx.link(ref, path, ['Organization']);
  return { practitionerId: null, organizationId: link?.recordId ?? null };
}

/** The payer named by the focal insurance's coverage (often contained: `#coverage`). */
async function payerOfInsurance(
  ctx: MapContext,
  insurance: { focal?: boolean; coverage?: Reference }[] | undefined,
  insurer: Reference | undefined,
): Promise<{ name: string | null; organizationId: string | null }> {
  if (insurer) {
    const payer = await organizationName(ctx, insurer, 'insurer');
    if (payer.name || payer.link)
      return { name: payer.name, organizationId: payer.link?.recordId ?? null };
  }
  const index = Math.max(0, insurance?.findIndex((i) => i.focal) ?? 0);
  const coverageRef = insurance?.[index]?.coverage;
  if (!coverageRef) return { name: null, organizationId: null };
  const coverage =
    ctx.resourceOf(coverageRef) ?? ctx.contained(coverageRef, `insurance[${index}].coverage`);
  if (coverage?.resourceType === 'Coverage') {
    const payor = coverage.payor[0];
    if (payor) {
      const payer = await organizationName(ctx, payor, `insurance[${index}].coverage.payor[0]`);
      return { name: payer.name, organizationId: payer.link?.recordId ?? null };
    }
  }
  return { name: coverageRef.display ?? null, organizationId: null };
}

/** When the services were given: the items' dates, else the billable period. */
export function servicePeriod(
  items: (ClaimItem | ExplanationOfBenefitItem)[] | undefined,
  billable: { start?: string; end?: string } | undefined,
) {
  const starts: Date[] = [];
  const ends: Date[] = [];
  for (const item of items ?? []) {
    const start = instantOf(item.servicedDate ?? item.servicedPeriod?.start);
    const end = instantOf(item.servicedPeriod?.end ?? item.servicedDate);
    if (start) starts.push(start);
    if (end) ends.push(end);
  }
  if (starts.length === 0) return periodOf(billable);
  // Loops, not Math.min(...items): a claim may list more items than a call takes arguments.
  let min: Date | null = null;
  for (const d of starts) if (min === null || d < min) min = d;
  let max: Date | null = null;
  for (const d of ends) if (max === null || d > max) max = d;
  return { start: min, end: max };
}

async function encounterOfItems(
  ctx: MapContext,
  items: { encounter?: Reference[] }[] | undefined,
): Promise<LinkedRecord | null> {
  for (const [i, item] of (items ?? []).entries()) {
    const ref = item.encounter?.[0];
    if (ref) return ctx.link(ref, `item[${i}].encounter[0]`, ['Encounter']);
  }
  return null;
}

function sumOf(amounts: (Money | undefined)[]): { amount: string; currency: string } | null {
  const present = amounts.map(moneyOf).filter((m) => m !== null);
  const first = present[0];
  if (!first) return null;
  const cents = present.reduce((sum, m) => sum + Math.round(Number(m.amount) * 100), 0);
  return { amount: (cents / 100).toFixed(2), currency: first.currency };
}

export const mapCoverage = mapperFor('Coverage', async (coverage, ctx) => {
  const patient = await ctx.patient(coverage.beneficiary, 'beneficiary');
  const payor = coverage.payor[0];
  const payer = payor ? await organizationName(ctx, payor, 'payor[0]') : null;
  const classOf = (code: string) =>
    coverage.class?.find((c) => c.type.coding?.some((t) => t.code === code));
  const plan = classOf('plan');
  const group = classOf('group');
  const period = coverage.period;
  const id = target(ctx, 'coverage');
  return quietly(
    { recordType: 'coverage', recordId: id.id, patientId: patient.recordId },
    id.created,
    [
      upsert('coverages', id, {
        orgId: ctx.orgId,
        patientId: patient.recordId,
        payer: payer?.name ?? 'Unknown payer',
        plan: plan?.name ?? plan?.value ?? null,
        memberId:
          coverage.subscriberId ??
          coverage.identifier?.find((i) => i.value)?.value ??
          coverage.dependent ??
          'unknown',
        groupNumber: group?.value ?? null,
        priority: coverage.order ?? 1,
        status: coverage.status,
        startDate: calendarDateOf(period?.start)?.date ?? null,
        endDate: calendarDateOf(period?.end)?.date ?? null,
      }),
    ],
  );
});

export const mapClaim = mapperFor('Claim', async (claim, ctx) => {
  const patient = await ctx.patient(claim.patient, 'patient');
  const encounter = await encounterOfItems(ctx, claim.item);
  const provider = await providerOf(ctx, claim.provider, 'provider');
  const payer = await payerOfInsurance(ctx, claim.insurance, claim.insurer);
  const billed = moneyOf(claim.total) ?? sumOf((claim.item ?? []).map((i) => i.net));
  const service = servicePeriod(claim.item, claim.billablePeriod);
  const submittedAt = instantOf(claim.created);
  const id = target(ctx, 'claim');
  const write = upsert('claims', id, {
    orgId: ctx.orgId,
    patientId: patient.recordId,
    encounterId: encounter?.recordId ?? null,
    status: claim.status,
    type: codeValue(claim.type),
    use: claim.use,
    billedAmount: billed?.amount ?? null,
    currency: billed?.currency ?? null,
    serviceStart: service.start,
    serviceEnd: service.end,
    submittedAt,
    providerPractitionerId: provider.practitionerId,
    providerOrganizationId: provider.organizationId,
    payerName: payer.name,
    payerOrganizationId: payer.organizationId,
    updatedAt: new Date(),
  });
  const amount = billed ? ` for ${billed.amount} ${billed.currency}` : '';
  return {
    record: { recordType: 'claim', recordId: id.id, patientId: patient.recordId },
    created: id.created,
    writes: [write],
    touchpoints: id.created
      ? [
          {
            orgId: ctx.orgId,
            patientId: patient.recordId,
            occurredAt: submittedAt ?? service.start ?? new Date(),
            channel: 'system',
            direction: 'outbound',
            type: 'claim.submitted',
            stage: 'billing',
            sourceSystem: 'fhir',
            outcome: claim.status,
            summary: `Claim submitted${amount}`,
            nonClinicalSummary: `Claim submitted${amount}`,
            subjectType: 'claim',
            subjectId: id.id,
          },
        ]
      : [],
  };
});

function totalOf(totals: ExplanationOfBenefitTotal[] | undefined, codes: string[]) {
  const total = totals?.find((t) => t.category.coding?.some((c) => codes.includes(c.code ?? '')));
  return moneyOf(total?.amount);
}

export const mapExplanationOfBenefit = mapperFor('ExplanationOfBenefit', async (eob, ctx) => {
  const patient = await ctx.patient(eob.patient, 'patient');
  const claim = await ctx.link(eob.claim, 'claim', ['Claim']);
  const provider = await providerOf(ctx, eob.provider, 'provider');
  const payer = await payerOfInsurance(ctx, eob.insurance, eob.insurer);
  const billed = totalOf(eob.total, ['submitted']);
  const paid = moneyOf(eob.payment?.amount) ?? totalOf(eob.total, ['benefit', 'payment']);
  const service = servicePeriod(eob.item, eob.billablePeriod);
  const id = target(ctx, 'explanation-of-benefit');
  return quietly(
    { recordType: 'explanation-of-benefit', recordId: id.id, patientId: patient.recordId },
    id.created,
    [
      upsert('explanationsOfBenefit', id, {
        orgId: ctx.orgId,
        patientId: patient.recordId,
        claimId: claim?.recordId ?? null,
        status: eob.status,
        outcome: eob.outcome,
        type: codeValue(eob.type),
        billedAmount: billed?.amount ?? null,
        paidAmount: paid?.amount ?? null,
        currency: billed?.currency ?? paid?.currency ?? null,
        serviceStart: service.start,
        serviceEnd: service.end,
        providerPractitionerId: provider.practitionerId,
        providerOrganizationId: provider.organizationId,
        payerName: payer.name,
        payerOrganizationId: payer.organizationId,
        updatedAt: new Date(),
      }),
    ],
  );
});
