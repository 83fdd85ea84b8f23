/**
 * Referrals (issue 11): which imported ServiceRequests are referrals, and which of those are news
 * for journeys (`referral.created`). Pure: the FHIR mapping asks, the import announces.
 */

/** SNOMED CT categories an EHR marks a referral with: "Patient referral", "Referral to service". */
export const REFERRAL_CATEGORY_CODES: readonly string[] = ['3457005', '306206005'];

/** How old a referral may be (by its authored date) and still start a journey when imported. */
export const REFERRAL_NEWS_DAYS = 14;

export interface ReferralFacts {
  /** Category and code codings and texts of the request. */
  codes: readonly string[];
  labels: readonly string[];
  status: string;
  authoredAt: Date | null;
}

/** Whether a ServiceRequest is a referral: a referral category code, or a label naming one. */
export function isReferral(facts: Pick<ReferralFacts, 'codes' | 'labels'>): boolean {
  return (
    facts.codes.some((c) => REFERRAL_CATEGORY_CODES.includes(c)) ||
    facts.labels.some((l) => /\breferr(al|ed)\b|\bremisi[oó]n\b|\bderivaci[oó]n\b/i.test(l))
  );
}

/**
 * Whether an imported referral is news at `now`: created by this import (an update of one
 * imported before is not), active, and authored within the last REFERRAL_NEWS_DAYS (not more
 * than a day ahead, a clock skew). A referral without an authored date is not news: a history
 * import cannot be told from a new one without it, and a follow-through task for a referral of
 * 2019 is worse than none.
 */
export function referralIsNews(facts: ReferralFacts, created: boolean, now: Date): boolean {
  if (!created || facts.status !== 'active' || !isReferral(facts) || !facts.authoredAt)
    return false;
  const age = now.getTime() - facts.authoredAt.getTime();
  return age <= REFERRAL_NEWS_DAYS * 86_400_000 && age >= -86_400_000;
}

// Issue 11 (h11r): a referral that leaves the active state ends what it started (docs/adr/0045).
/**
 * The statuses that close a referral for journeys: cancelled (revoked), entered in error, or
 * done (completed). `on-hold` is not one: a hold is a pause the EHR lifts, and the follow-through
 * keeps running through it (its task, if it comes, names a referral that still exists).
 */
export const REFERRAL_CLOSED_STATUSES = ['revoked', 'entered-in-error', 'completed'] as const;
export type ReferralClosedStatus = (typeof REFERRAL_CLOSED_STATUSES)[number];

/** Whether a referral's status is one of the closed ones. */
export function isReferralClosedStatus(status: string): status is ReferralClosedStatus {
  return (REFERRAL_CLOSED_STATUSES as readonly string[]).includes(status);
}

/**
 * Whether a change of a referral's status closes it (`referral.closed`): from any open status
 * (active, on-hold, draft, unknown) to a closed one. A referral created already closed, or
 * closed again (completed after revoked), closes nothing: it started nothing, or it already
 * ended what it had started.
 */
export function referralClosed(
  before: string | null,
  after: string,
): after is ReferralClosedStatus {
  if (before === null || isReferralClosedStatus(before)) return false;
  return isReferralClosedStatus(after);
}
