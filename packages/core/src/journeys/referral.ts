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
