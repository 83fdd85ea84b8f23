import type { KpiCountName, KpiCounts } from './metrics.js';

export type KpiUnit = 'rate' | 'count' | 'days' | 'currency' | 'score';

/** A count, or one derived from counts: `appointments_due` is fulfilled + missed appointments. */
export type KpiOperand = KpiCountName | 'appointments_due';

/** How a KPI is computed from summed counts: a ratio, a plain count, or the NPS score. */
export type KpiFormula =
  | { kind: 'ratio'; numerator: KpiOperand; denominator: KpiOperand }
  /** `basis`: the count of records behind a sum (claims behind billed cents), for suppression. */
  | { kind: 'count'; count: KpiOperand; basis?: KpiOperand }
  | { kind: 'nps'; promoters: KpiOperand; detractors: KpiOperand; responses: KpiOperand }
  /** Read live, not from the rollup (third-next-available). */
  | { kind: 'live' }
  /** Not computable from the data Careloop holds yet; `needs` says what is missing. */
  | { kind: 'unavailable'; needs: string };

export interface KpiDefinition {
  id: string;
  label: string;
  unit: KpiUnit;
  /** Whether a rise is good news (colours the change). */
  higherIsBetter: boolean;
  /** The definition shown in the dashboard and docs/kpis.md. */
  definition: string;
  formula: KpiFormula;
}

const ratio = (numerator: KpiOperand, denominator: KpiOperand): KpiFormula => ({
  kind: 'ratio',
  numerator,
  denominator,
});

/** The KPI catalogue, in dashboard order. docs/kpis.md repeats these definitions. */
export const KPI_DEFINITIONS = [
  {
    id: 'no-show-rate',
    label: 'No-show rate',
    unit: 'rate',
    higherIsBetter: false,
    definition:
      'Appointments the patient missed, divided by appointments that were due and not cancelled (missed + fulfilled), by appointment start.',
    formula: ratio('appointments_noshow', 'appointments_due'),
  },
  {
    id: 'cancellation-rate',
    label: 'Cancellation rate',
    unit: 'rate',
    higherIsBetter: false,
    definition: 'Cancelled appointments divided by all appointments starting in the period.',
    formula: ratio('appointments_cancelled', 'appointments'),
  },
  {
    id: 'third-next-available',
    label: 'Third next available',
    unit: 'days',
    higherIsBetter: false,
    definition:
      'Median over schedules of the days from now to the third free slot (Slot rows with status free). Point in time: no trend. Needs scheduling availability when no schedule has free slots.',
    formula: { kind: 'live' },
  },
  {
    id: 'new-patients',
    label: 'New patients',
    unit: 'count',
    higherIsBetter: true,
    definition:
      "Patients whose first fulfilled appointment in the organization falls in the period (attributed to that visit's location, practitioner and service line).",
    formula: { kind: 'count', count: 'new_patients' },
  },
  {
    id: 'retention-12m',
    label: 'Retention (12 months)',
    unit: 'rate',
    higherIsBetter: true,
    definition:
      'Of the visits (fulfilled appointments) in the period at least 12 months ago, the share followed by another visit of the same patient within 12 months. Visits less than 12 months old are left out: their window is still open.',
    formula: ratio('visits_returned_12m_closed', 'visits_closed_12m'),
  },
  {
    id: 'retention-18m',
    label: 'Retention (18 months)',
    unit: 'rate',
    higherIsBetter: true,
    definition:
      'As retention (12 months), with an 18-month (548-day) window; visits less than 18 months old are left out.',
    formula: ratio('visits_returned_18m_closed', 'visits_closed_18m'),
  },
  {
    id: 'readmission-30d',
    label: '30-day readmission rate',
    unit: 'rate',
    higherIsBetter: false,
    definition:
      'Inpatient discharges (encounters of class inpatient ending in the period) followed by another inpatient admission of the same patient within 30 days of discharge, divided by those discharges; discharges of the last 30 days are left out.',
    formula: ratio('readmissions_30d_closed', 'discharges_closed'),
  },
  {
    id: 'message-delivery-rate',
    label: 'Message delivery rate',
    unit: 'rate',
    higherIsBetter: true,
    definition:
      'Outbound messages (email, SMS, mail, portal touchpoints) recorded as delivered, divided by all outbound messages sent in the period.',
    formula: ratio('messages_delivered', 'messages'),
  },
  {
    id: 'message-response-rate',
    label: 'Message response rate',
    unit: 'rate',
    higherIsBetter: true,
    definition:
      'Delivered outbound messages followed by an inbound touchpoint of the same patient within 7 days, divided by delivered messages.',
    formula: ratio('messages_answered', 'messages_delivered'),
  },
  {
    id: 'automated-share',
    label: 'Share of work automated',
    unit: 'rate',
    higherIsBetter: true,
    definition:
      'Outbound touchpoints Careloop sent without a person (reminders, surveys, statements, campaign and journey messages), divided by all outbound touchpoints (including staff calls and outreach).',
    formula: ratio('outreach_automated', 'outreach'),
  },
  {
    id: 'booked-revenue',
    label: 'Booked revenue',
    unit: 'currency',
    higherIsBetter: true,
    definition:
      'Expected revenue of booked appointments. Needs a price per service (fee schedule), which Careloop does not hold yet.',
    formula: { kind: 'unavailable', needs: 'a fee schedule (price per service)' },
  },
  {
    id: 'billed-revenue',
    label: 'Billed revenue',
    unit: 'currency',
    higherIsBetter: true,
    definition:
      'Sum of the billed amount of claims (imported FHIR Claim resources) whose service starts in the period, by the claim provider.',
    formula: { kind: 'count', count: 'billed_cents', basis: 'claims' },
  },
  {
    id: 'referral-conversion',
    label: 'Referral conversion and leakage',
    unit: 'rate',
    higherIsBetter: true,
    definition:
      'Referrals received that led to a booked appointment (conversion) or to care elsewhere (leakage). Needs referrals, which Careloop does not record yet.',
    formula: { kind: 'unavailable', needs: 'referrals (not recorded yet)' },
  },
  {
    id: 'nps',
    label: 'Net Promoter Score',
    unit: 'score',
    higherIsBetter: true,
    definition:
      'Of survey answers (0–10) in the period: percent promoters (9–10) minus percent detractors (0–6), from −100 to 100.',
    formula: {
      kind: 'nps',
      promoters: 'nps_promoters',
      detractors: 'nps_detractors',
      responses: 'nps_responses',
    },
  },
] as const satisfies readonly KpiDefinition[];

export type KpiId = (typeof KPI_DEFINITIONS)[number]['id'];

/** A KPI's value over summed counts, with the counts it came from. */
export interface KpiValue {
  value: number | null;
  numerator: number | null;
  denominator: number | null;
}

function countOf(counts: KpiCounts, name: KpiOperand): number {
  if (name === 'appointments_due')
    return counts.appointments_fulfilled + counts.appointments_noshow;
  return counts[name];
}

/**
 * The value of one KPI over counts. A ratio with no denominator is null (no data, not zero);
 * an NPS without answers is null.
 */
export function computeKpi(formula: KpiFormula, counts: KpiCounts): KpiValue {
  switch (formula.kind) {
    case 'ratio': {
      const numerator = countOf(counts, formula.numerator);
      const denominator = countOf(counts, formula.denominator);
      return { value: denominator === 0 ? null : numerator / denominator, numerator, denominator };
    }
    case 'count': {
      const n = countOf(counts, formula.count);
      if (formula.basis === undefined) return { value: n, numerator: n, denominator: null };
      // No records behind the sum (no claims imported): no figure, rather than a zero amount.
      const basis = countOf(counts, formula.basis);
      return { value: basis === 0 ? null : n, numerator: null, denominator: basis };
    }
    case 'nps': {
      const responses = countOf(counts, formula.responses);
      const score =
        responses === 0
          ? null
          : (100 * (countOf(counts, formula.promoters) - countOf(counts, formula.detractors))) /
            responses;
      return { value: score, numerator: null, denominator: responses };
    }
    case 'live':
    case 'unavailable':
      return { value: null, numerator: null, denominator: null };
  }
}
