import {
  ageBandBirthDates,
  type JourneyMapQuery,
  type JourneyPathDefinition,
  orderedRules,
  REPEATED_CONTACTS,
  SANKEY_DEPTH,
  type StageMappingRule,
  UNMAPPED_STAGE,
} from '@careloop/core';
import { type SQL, sql } from 'drizzle-orm';

/** The journey-map stage of `t`, by the organization's rules (core's `resolveStage` in SQL). */
export function stageCase(rules: readonly StageMappingRule[]): SQL {
  const whens = orderedRules(rules).map((r) => {
    const conditions: SQL[] = [];
    if (r.type !== undefined)
      conditions.push(
        r.type.endsWith('.*')
          ? sql`starts_with(t.type, ${r.type.slice(0, -1)})`
          : sql`t.type = ${r.type}`,
      );
    if (r.channel !== undefined) conditions.push(sql`t.channel = ${r.channel}`);
    if (r.writerStage !== undefined) conditions.push(sql`t.stage = ${r.writerStage}`);
    return sql`when ${sql.join(conditions, sql` and `)} then ${r.stage}`;
  });
  if (whens.length === 0) return sql`${UNMAPPED_STAGE}::text`;
  return sql`(case ${sql.join(whens, sql` `)} else ${UNMAPPED_STAGE} end)::text`;
}

/** The end of the range: the day after `to`, at midnight UTC. */
export function rangeEnd(to: string): Date {
  return new Date(Date.parse(`${to}T00:00:00Z`) + 86_400_000);
}

/**
 * The conditions that put a row of alias `t` (with `org_id`, `patient_id` and the instant
 * `at`) in the cohort: `at` in the date range, and its patient matching every filter. The
 * patient filters are EXISTS subqueries, so without them the scan is the range alone.
 */
export function cohortConditions(
  q: JourneyMapQuery,
  at: SQL,
  /** Where the row itself carries the patient's location and birth date (the rollup's rows). */
  dims?: { locationId: SQL; birthDate: SQL },
): SQL[] {
  const from = new Date(`${q.from}T00:00:00Z`);
  const to = rangeEnd(q.to);
  const where: SQL[] = [
    sql`${at} >= ${from.toISOString()}::timestamptz`,
    sql`${at} < ${to.toISOString()}::timestamptz`,
  ];
  const patient: SQL[] = [];
  const location = dims?.locationId ?? sql`p.primary_location_id`;
  const birthDate = dims?.birthDate ?? sql`p.birth_date`;
  if (q.locationId) patient.push(sql`${location} = ${q.locationId}::uuid`);
  if (q.ageBand) {
    const { bornAfter, bornBy } = ageBandBirthDates(q.ageBand, q.to);
    if (bornAfter) patient.push(sql`${birthDate} > ${bornAfter}::date`);
    if (bornBy) patient.push(sql`${birthDate} <= ${bornBy}::date`);
  }
  if (dims) where.push(...patient);
  else if (patient.length > 0)
    where.push(
      sql`exists (select 1 from patients p where p.org_id = t.org_id and p.id = t.patient_id and ${sql.join(patient, sql` and `)})`,
    );
  if (q.payer)
    where.push(
      sql`exists (select 1 from coverages c where c.org_id = t.org_id and c.patient_id = t.patient_id and c.payer = ${q.payer})`,
    );
  if (q.condition)
    where.push(
      sql`exists (select 1 from conditions c where c.org_id = t.org_id and c.patient_id = t.patient_id and c.code = ${q.condition})`,
    );
  if (q.listId)
    where.push(
      sql`exists (select 1 from patient_list_members m where m.org_id = t.org_id and m.list_id = ${q.listId}::uuid and m.patient_id = t.patient_id)`,
    );
  const appointment: SQL[] = [];
  if (q.practitionerId) appointment.push(sql`a.practitioner_id = ${q.practitionerId}::uuid`);
  if (q.serviceLineId) appointment.push(sql`a.service_line_id = ${q.serviceLineId}::uuid`);
  if (appointment.length > 0)
    where.push(sql`exists (select 1 from appointments a where a.org_id = t.org_id
      and a.patient_id = t.patient_id
      and a.start_at >= ${from.toISOString()}::timestamptz and a.start_at < ${to.toISOString()}::timestamptz
      and ${sql.join(appointment, sql` and `)})`);
  return where;
}

/** The cohort's touchpoints: those in the date range of patients who match every filter. */
export function cohortTouchpoints(q: JourneyMapQuery, rules: readonly StageMappingRule[]): SQL {
  return sql`select t.patient_id, t.id, t.occurred_at, t.type, t.channel, t.direction, t.outcome,
      ${stageCase(rules)} as stage
    from touchpoints t
    where ${sql.join(cohortConditions(q, sql`t.occurred_at`), sql` and `)}`;
}

/** `entries`: each time a patient entered a stage (the first touchpoint of each run). */
export function stageEntries(): SQL {
  return sql`runs as (
      select patient_id, stage, occurred_at, id,
             lag(stage) over (partition by patient_id order by occurred_at, id) as prev_stage
      from cohort),
    entries as (
      select patient_id, stage, occurred_at,
             row_number() over w as position,
             lag(stage) over w as from_stage,
             lag(occurred_at) over w as from_at
      from runs where prev_stage is distinct from stage
      window w as (partition by patient_id order by occurred_at, id))`;
}

/** `transitions` over `entries`: each move between stages with its wait in days. */
export const TRANSITIONS = sql`transitions as (
      select from_stage, stage as to_stage, patient_id,
             extract(epoch from occurred_at - from_at)::float8 / 86400 as days
      from entries where from_stage is not null)`;

/** The Sankey's links and the waits between stages, as members of the map's JSON object. */
export function flowFigures(): SQL {
  return sql`'links', (select coalesce(json_agg(x), '[]') from (
          select position - 1 as "fromPosition", from_stage as "from", stage as "to",
                 count(*) as patients
          from entries where from_stage is not null and position <= ${SANKEY_DEPTH}
          group by 1, 2, 3 order by 1, from_stage collate "C", stage collate "C") x),
      'transitions', (select coalesce(json_agg(x), '[]') from (
          select from_stage as "from", to_stage as "to", count(distinct patient_id) as patients,
                 percentile_cont(0.5) within group (order by days) as "medianDays",
                 percentile_cont(0.9) within group (order by days) as "p90Days"
          from transitions group by 1, 2 order by from_stage collate "C", to_stage collate "C") x)`;
}

/** One statement: every aggregate of the map but the funnel, as one JSON object. */
export function mapStatement(cohort: SQL): SQL {
  return sql`with cohort as materialized (${cohort}), ${stageEntries()}, ${TRANSITIONS},
    repeated as (
      select patient_id, count(*) over (partition by patient_id, type order by occurred_at
               range between interval '7 days' preceding and current row) as n
      from cohort where channel <> 'system')
    select json_build_object(
      'patients', (select count(distinct patient_id) from cohort),
      'touchpoints', (select count(*) from cohort),
      ${flowFigures()},
      'channelMix', (select coalesce(json_agg(x), '[]') from (
          select stage, channel, count(*) as count from cohort
          group by 1, 2 order by stage collate "C", channel collate "C") x),
      'noShows', (select count(distinct patient_id) from cohort where type = 'appointment.noshow'),
      'negativeFeedback', (select count(distinct patient_id) from cohort
          where outcome ~ '^nps:[0-6]$'),
      'repeatedContacts', (select count(distinct patient_id) from repeated
          where n >= ${REPEATED_CONTACTS})
    ) as j`;
}

const typeMatch = (patterns: readonly string[]): SQL =>
  sql.join(
    [...new Set(patterns)].map((p) =>
      p.endsWith('.*') ? sql`starts_with(type, ${p.slice(0, -1)})` : sql`type = ${p}`,
    ),
    sql` or `,
  );

/**
 * Each cohort patient's events of the definition's step types, oldest first: the reference,
 * a row for every patient with any such event (the on-read map uses it).
 */
export function pathsStatement(cohort: SQL, definition: JourneyPathDefinition): SQL {
  return sql`with cohort as (${cohort})
    select patient_id as "patientId",
           json_agg(json_build_object('type', type, 'at', occurred_at) order by occurred_at, id) as events
    from cohort where ${typeMatch(definition.steps.flatMap((s) => s.types))}
    group by patient_id`;
}

export type DrillSet = 'no-show' | 'negative-feedback' | 'repeated-contact';

/** The patients behind a pain point counted in SQL. */
export function drillStatement(cohort: SQL, kind: DrillSet | { from: string; to: string }): SQL {
  // A wait: the patients at or beyond the transition's 90th percentile (the long tail).
  if (typeof kind === 'object')
    return sql`with cohort as materialized (${cohort}), ${stageEntries()},
      waits as (
        select patient_id, extract(epoch from occurred_at - from_at)::float8 / 86400 as days
        from entries where from_stage = ${kind.from} and stage = ${kind.to})
      select distinct patient_id from waits
      where days >= (select percentile_cont(0.9) within group (order by days) from waits)`;
  switch (kind) {
    case 'no-show':
      return sql`with cohort as (${cohort})
        select distinct patient_id from cohort where type = 'appointment.noshow'`;
    case 'negative-feedback':
      return sql`with cohort as (${cohort})
        select distinct patient_id from cohort where outcome ~ '^nps:[0-6]$'`;
    case 'repeated-contact':
      return sql`with cohort as (${cohort}), repeated as (
          select patient_id, count(*) over (partition by patient_id, type order by occurred_at
                   range between interval '7 days' preceding and current row) as n
          from cohort where channel <> 'system')
        select distinct patient_id from repeated where n >= ${REPEATED_CONTACTS}`;
  }
}
