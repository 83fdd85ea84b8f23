/**
 * The counts the KPI rollup keeps per organization, local day, location, practitioner and
 * service line (docs/kpis.md). Every KPI is a formula over sums of these; nothing else is
 * stored, so a KPI can be added without a new rollup.
 */
export const KPI_METRICS = [
  /** Appointments starting that day, any status. */
  'appointments',
  'appointments_cancelled',
  'appointments_noshow',
  'appointments_fulfilled',
  /** Patients whose first fulfilled appointment in the organization falls that day. */
  'new_patients',
  /** Fulfilled appointments (visits), and those followed by another visit of the same patient. */
  'visits',
  'visits_returned_12m',
  'visits_returned_18m',
  /** Inpatient encounters ending that day, and those followed by an inpatient admission ≤30 days later. */
  'discharges',
  'readmissions_30d',
  /** Outbound messages (email, SMS, mail, portal), those delivered, and those answered ≤7 days later. */
  'messages',
  'messages_delivered',
  'messages_answered',
  /** Outbound touchpoints (all channels), and those sent by Careloop without a person. */
  'outreach',
  'outreach_automated',
  /** Claims by service start: how many, and the billed amount in cents. */
  'claims',
  'billed_cents',
  /** Survey answers with a 0–10 likelihood-to-recommend score. */
  'nps_responses',
  'nps_promoters',
  'nps_detractors',
] as const;

export type KpiMetric = (typeof KPI_METRICS)[number];

/**
 * Counts whose follow-up window must have closed before they count (retention, readmission):
 * read at query time from days at least `days` before the as-of day, so a recent visit is not
 * counted as "not returned" while the patient still may return.
 */
export const CLOSED_WINDOW_METRICS = {
  visits_closed_12m: { from: 'visits', days: 365 },
  visits_returned_12m_closed: { from: 'visits_returned_12m', days: 365 },
  visits_closed_18m: { from: 'visits', days: 548 },
  visits_returned_18m_closed: { from: 'visits_returned_18m', days: 548 },
  discharges_closed: { from: 'discharges', days: 30 },
  readmissions_30d_closed: { from: 'readmissions_30d', days: 30 },
} as const satisfies Record<string, { from: KpiMetric; days: number }>;

export type ClosedWindowMetric = keyof typeof CLOSED_WINDOW_METRICS;
export type KpiCountName = KpiMetric | ClosedWindowMetric;
export type KpiCounts = Record<KpiCountName, number>;

export const KPI_COUNT_NAMES: readonly KpiCountName[] = [
  ...KPI_METRICS,
  ...(Object.keys(CLOSED_WINDOW_METRICS) as ClosedWindowMetric[]),
];

export function isKpiCountName(value: string): value is KpiCountName {
  return (KPI_COUNT_NAMES as readonly string[]).includes(value);
}

/** All counts zero. */
export function emptyCounts(): KpiCounts {
  return Object.fromEntries(KPI_COUNT_NAMES.map((m) => [m, 0])) as KpiCounts;
}

/** Touchpoint channels that carry a message (outbound messages for delivery and response rates). */
export const KPI_MESSAGE_CHANNELS = ['email', 'sms', 'mail', 'portal'] as const;

/** Outcomes of an outbound message that mean it reached the patient. */
export const DELIVERED_OUTCOMES = ['delivered', 'opened', 'read', 'answered', 'confirmed'] as const;

/**
 * Touchpoint types Careloop sends without a person acting: reminders, surveys, statements and
 * campaign sends. Every other outbound touchpoint (calls, outreach, bookings by phone) is staff work.
 */
export const AUTOMATED_TOUCHPOINT_TYPES = [
  'appointment.reminder',
  'survey.sent',
  'statement.sent',
  'campaign.email',
  'campaign.sms',
  'journey.message',
  'message.sent',
] as const;

/** Response window of a message: an inbound touchpoint of the patient within it answers it. */
export const RESPONSE_WINDOW_DAYS = 7;

/** Appointment statuses that mean the visit took place (FHIR: fulfilled; arrived and checked-in on the day). */
export const VISIT_STATUSES = ['fulfilled', 'arrived', 'checked-in'] as const;

/** Encounter classes of a hospital stay (FHIR IMP, ACUTE, NONAC map to `inpatient`). */
export const INPATIENT_CLASSES = ['inpatient'] as const;

/** Days behind the current one the scheduled refresh recomputes: the longest look-ahead (18 months) and a margin. */
export const KPI_REFRESH_TRAILING_DAYS = 560;
