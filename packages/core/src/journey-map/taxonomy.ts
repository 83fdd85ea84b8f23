/**
 * The stage taxonomy of the journey map: an organization's own stages, and the rules that put
 * every touchpoint (by type and channel, else by the stage its writer gave it) into one of them.
 */

export interface JourneyMapStage {
  /** Stable key stored in rules and URLs: lower-case letters, digits and dashes. */
  key: string;
  label: string;
}

/**
 * One mapping rule. `type` is a whole touchpoint type (`appointment.noshow`) or a family
 * (`appointment.*`); `channel` narrows it to one channel; `writerStage` matches the stage the
 * writer stored on the touchpoint (the fallback for types no rule names).
 */
export interface StageMappingRule {
  type?: string;
  channel?: string;
  writerStage?: string;
  stage: string;
}

export const STAGE_KEY_PATTERN = /^[a-z][a-z0-9-]{0,39}$/;
export const MAX_STAGES = 20;
export const MAX_MAPPING_RULES = 200;
/** Where a touchpoint goes that no rule places. */
export const UNMAPPED_STAGE = 'follow-up';

export const DEFAULT_STAGES: readonly JourneyMapStage[] = [
  { key: 'awareness', label: 'Awareness' },
  { key: 'access', label: 'Access and scheduling' },
  { key: 'registration', label: 'Registration' },
  { key: 'pre-visit', label: 'Pre-visit' },
  { key: 'visit', label: 'Visit' },
  { key: 'post-visit', label: 'Post-visit' },
  { key: 'follow-up', label: 'Follow-up and ongoing care' },
];

/**
 * The default rules: the types the importers, services and demo seed write, then one rule per
 * writer stage (`scheduling` → access, `billing` → post-visit) for everything else.
 */
export const DEFAULT_STAGE_MAPPING: readonly StageMappingRule[] = [
  { type: 'campaign.*', stage: 'awareness' },
  { type: 'consent.*', stage: 'awareness' },
  { type: 'referral.*', stage: 'access' },
  { type: 'patient.registered', stage: 'registration' },
  { type: 'patient.updated', stage: 'registration' },
  { type: 'patient.merged', stage: 'registration' },
  { type: 'patient.unmerged', stage: 'registration' },
  { type: 'encounter.registered', stage: 'registration' },
  { type: 'appointment.proposed', stage: 'access' },
  { type: 'appointment.booked', stage: 'access' },
  { type: 'appointment.cancelled', stage: 'access' },
  { type: 'appointment.reminder', stage: 'pre-visit' },
  { type: 'appointment.confirmed', stage: 'pre-visit' },
  { type: 'appointment.arrived', stage: 'visit' },
  { type: 'appointment.fulfilled', stage: 'visit' },
  { type: 'appointment.noshow', stage: 'visit' },
  { type: 'visit.*', stage: 'visit' },
  { type: 'encounter.admitted', stage: 'visit' },
  { type: 'encounter.discharged', stage: 'post-visit' },
  { type: 'survey.*', stage: 'post-visit' },
  { type: 'questionnaire.*', stage: 'post-visit' },
  { type: 'statement.*', stage: 'post-visit' },
  { type: 'claim.*', stage: 'post-visit' },
  { type: 'transition.call', stage: 'follow-up' },
  { type: 'noshow.outreach', stage: 'follow-up' },
  { writerStage: 'awareness', stage: 'awareness' },
  { writerStage: 'scheduling', stage: 'access' },
  { writerStage: 'pre-visit', stage: 'pre-visit' },
  { writerStage: 'visit', stage: 'visit' },
  { writerStage: 'post-visit', stage: 'post-visit' },
  { writerStage: 'follow-up', stage: 'follow-up' },
  { writerStage: 'billing', stage: 'post-visit' },
];

/**
 * How specific a rule is: a whole type beats a family, a family beats a writer stage, and a
 * channel adds to each. The most specific matching rule wins; among equals, the first listed.
 */
export function ruleSpecificity(rule: StageMappingRule): number {
  const type = rule.type === undefined ? 0 : rule.type.endsWith('.*') ? 4 : 8;
  return type + (rule.channel === undefined ? 0 : 2) + (rule.writerStage === undefined ? 0 : 1);
}

/** The rules in the order they are tried (most specific first, stable). */
export function orderedRules(rules: readonly StageMappingRule[]): StageMappingRule[] {
  return rules
    .map((rule, i) => ({ rule, i }))
    .sort((a, b) => ruleSpecificity(b.rule) - ruleSpecificity(a.rule) || a.i - b.i)
    .map((x) => x.rule);
}

export function ruleMatches(
  rule: StageMappingRule,
  t: { type: string; channel: string; stage: string },
): boolean {
  if (rule.channel !== undefined && rule.channel !== t.channel) return false;
  if (rule.writerStage !== undefined && rule.writerStage !== t.stage) return false;
  if (rule.type === undefined) return true;
  if (rule.type.endsWith('.*')) return t.type.startsWith(rule.type.slice(0, -1));
  return rule.type === t.type;
}

/** The journey-map stage of one touchpoint. */
export function resolveStage(
  rules: readonly StageMappingRule[],
  t: { type: string; channel: string; stage: string },
): string {
  return orderedRules(rules).find((r) => ruleMatches(r, t))?.stage ?? UNMAPPED_STAGE;
}

export interface TaxonomyProblem {
  /** JSON pointer into the taxonomy body. */
  path: string;
  message: string;
}

/** What is wrong with a taxonomy an admin or analyst saved (empty when nothing). */
export function taxonomyProblems(
  stages: readonly JourneyMapStage[],
  rules: readonly StageMappingRule[],
): TaxonomyProblem[] {
  const problems: TaxonomyProblem[] = [];
  if (stages.length === 0) problems.push({ path: '/stages', message: 'At least one stage' });
  if (stages.length > MAX_STAGES)
    problems.push({ path: '/stages', message: `At most ${MAX_STAGES} stages` });
  if (rules.length > MAX_MAPPING_RULES)
    problems.push({ path: '/mapping', message: `At most ${MAX_MAPPING_RULES} rules` });
  const keys = new Set<string>();
  stages.forEach((s, i) => {
    if (!STAGE_KEY_PATTERN.test(s.key))
      problems.push({ path: `/stages/${i}/key`, message: 'Lower-case letters, digits, dashes' });
    if (keys.has(s.key)) problems.push({ path: `/stages/${i}/key`, message: 'Already used' });
    if (s.label.trim() === '') problems.push({ path: `/stages/${i}/label`, message: 'Required' });
    keys.add(s.key);
  });
  if (!keys.has(UNMAPPED_STAGE))
    problems.push({
      path: '/stages',
      message: `Keep a '${UNMAPPED_STAGE}' stage: touchpoints no rule places go there`,
    });
  rules.forEach((r, i) => {
    if (!keys.has(r.stage))
      problems.push({ path: `/mapping/${i}/stage`, message: 'No such stage' });
    if (r.type === undefined && r.channel === undefined && r.writerStage === undefined)
      problems.push({ path: `/mapping/${i}`, message: 'Match a type, a channel or a stage' });
  });
  return problems;
}

/** Between a Sankey node's position and its stage in the node id (`2|visit`). */
export const SANKEY_NODE_SEPARATOR = '|';
