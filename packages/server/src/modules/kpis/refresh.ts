import {
  AUTOMATED_TOUCHPOINT_TYPES,
  DELIVERED_OUTCOMES,
  INPATIENT_CLASSES,
  KPI_MESSAGE_CHANNELS,
  type KpiMetric,
  RESPONSE_WINDOW_DAYS,
  VISIT_STATUSES,
} from '@careloop/core';
import { type SQL, sql } from 'drizzle-orm';
import type { Db } from '../../db/client.js';

const list = (values: readonly string[]) =>
  sql.join(
    values.map((v) => sql`${v}`),
    sql`, `,
  );

/**
 * The day range [from, to] of the organization's time zone `tz` as instants, `lo` ≤ t < `hi`,
 * computed by the caller: as constants the planner finds the rows by the time indexes.
 */
export interface DayRange {
  from: string;
  to: string;
  tz: string;
  lo: Date;
  hi: Date;
}

const instant = (d: Date) => sql`${d.toISOString()}::timestamptz`;

/** Inserts a source's grouped counts as rollup rows (its other metrics stay zero). */
function insertCounts(orgId: string, grouped: SQL, metrics: readonly KpiMetric[]): SQL {
  const columns = sql.join(
    metrics.map((m) => sql.identifier(m)),
    sql`, `,
  );
  const values = sql.join(
    metrics.map((m) => sql`g.${sql.identifier(m)}`),
    sql`, `,
  );
  return sql`
    insert into kpi_daily_counts
      (org_id, day, location_id, practitioner_id, service_line_id, ${columns})
    select ${orgId}::uuid, g.day, g.location_id, g.practitioner_id, g.service_line_id, ${values}
    from (${grouped}) g`;
}

function appointmentCounts(orgId: string, r: DayRange): SQL {
  const visit = sql`a.status in (${list(VISIT_STATUSES)})`;
  const returned = (days: number) => sql`${visit} and exists (
      select 1 from appointments b
      where b.patient_id = a.patient_id and b.org_id = a.org_id
        and b.status in (${list(VISIT_STATUSES)})
        and b.start_at > a.start_at and b.start_at <= a.start_at + ${sql.raw(`interval '${days} days'`)})`;
  const grouped = sql`
    select (a.start_at at time zone ${r.tz})::date as day,
           a.location_id, a.practitioner_id, a.service_line_id,
           count(*) as appointments,
           count(*) filter (where a.status = 'cancelled') as appointments_cancelled,
           count(*) filter (where a.status = 'noshow') as appointments_noshow,
           count(*) filter (where ${visit}) as appointments_fulfilled,
           count(*) filter (where ${visit}) as visits,
           count(*) filter (where ${returned(365)}) as visits_returned_12m,
           count(*) filter (where ${returned(548)}) as visits_returned_18m,
           count(*) filter (where ${visit} and not exists (
             select 1 from appointments b
             where b.patient_id = a.patient_id and b.org_id = a.org_id
               and b.status in (${list(VISIT_STATUSES)})
               and (b.start_at < a.start_at or (b.start_at = a.start_at and b.id < a.id)))
           ) as new_patients
    from appointments a
    where a.org_id = ${orgId} and a.start_at >= ${instant(r.lo)} and a.start_at < ${instant(r.hi)}
    group by 1, 2, 3, 4`;
  return insertCounts(orgId, grouped, [
    'appointments',
    'appointments_cancelled',
    'appointments_noshow',
    'appointments_fulfilled',
    'visits',
    'visits_returned_12m',
    'visits_returned_18m',
    'new_patients',
  ]);
}

function encounterCounts(orgId: string, r: DayRange): SQL {
  const grouped = sql`
    select (e.end_at at time zone ${r.tz})::date as day,
           e.location_id, e.practitioner_id, e.service_line_id,
           count(*) as discharges,
           count(*) filter (where exists (
             select 1 from encounters r
             where r.patient_id = e.patient_id and r.org_id = e.org_id
               and r.class in (${list(INPATIENT_CLASSES)}) and r.id <> e.id
               and r.start_at > e.end_at and r.start_at <= e.end_at + interval '30 days')
           ) as readmissions_30d
    from encounters e
    where e.org_id = ${orgId} and e.class in (${list(INPATIENT_CLASSES)})
      and e.status <> 'entered-in-error'
      and e.end_at >= ${instant(r.lo)} and e.end_at < ${instant(r.hi)}
    group by 1, 2, 3, 4`;
  return insertCounts(orgId, grouped, ['discharges', 'readmissions_30d']);
}

/**
 * Touchpoints take the dimensions of the appointment they are about (reminders, surveys);
 * others (campaigns) have none and count only without a dimension filter.
 */
function touchpointCounts(orgId: string, r: DayRange): SQL {
  const message = sql`t.direction = 'outbound' and t.channel in (${list(KPI_MESSAGE_CHANNELS)})`;
  const delivered = sql`${message} and t.outcome in (${list(DELIVERED_OUTCOMES)})`;
  const nps = sql`t.type = 'survey.completed' and t.outcome ~ '^nps:([0-9]|10)$'`;
  const score = sql`substr(t.outcome, 5)::int`;
  const grouped = sql`
    select (t.occurred_at at time zone ${r.tz})::date as day,
           a.location_id, a.practitioner_id, a.service_line_id,
           count(*) filter (where ${message}) as messages,
           count(*) filter (where ${delivered}) as messages_delivered,
           count(*) filter (where ${delivered} and exists (
             select 1 from touchpoints r
             where r.patient_id = t.patient_id and r.org_id = t.org_id and r.direction = 'inbound'
               and r.occurred_at > t.occurred_at
               and r.occurred_at <= t.occurred_at + ${sql.raw(`interval '${RESPONSE_WINDOW_DAYS} days'`)})
           ) as messages_answered,
           count(*) filter (where t.direction = 'outbound') as outreach,
           count(*) filter (where t.direction = 'outbound'
             and t.type in (${list(AUTOMATED_TOUCHPOINT_TYPES)})) as outreach_automated,
           count(*) filter (where ${nps}) as nps_responses,
           count(*) filter (where ${nps} and ${score} >= 9) as nps_promoters,
           count(*) filter (where ${nps} and ${score} <= 6) as nps_detractors
    from touchpoints t
    left join appointments a
      on t.subject_type = 'appointment' and a.org_id = t.org_id and a.id = t.subject_id
    where t.org_id = ${orgId} and t.occurred_at >= ${instant(r.lo)} and t.occurred_at < ${instant(r.hi)}
      and (t.direction = 'outbound' or t.type = 'survey.completed')
    group by 1, 2, 3, 4`;
  return insertCounts(orgId, grouped, [
    'messages',
    'messages_delivered',
    'messages_answered',
    'outreach',
    'outreach_automated',
    'nps_responses',
    'nps_promoters',
    'nps_detractors',
  ]);
}

/** Claims by service start; location and service line from their encounter when known. */
function claimCounts(orgId: string, r: DayRange): SQL {
  const grouped = sql`
    select (c.service_start at time zone ${r.tz})::date as day,
           e.location_id, coalesce(c.provider_practitioner_id, e.practitioner_id) as practitioner_id,
           e.service_line_id,
           count(*) as claims,
           coalesce(round(sum(c.billed_amount) * 100), 0)::bigint as billed_cents
    from claims c
    left join encounters e on e.org_id = c.org_id and e.id = c.encounter_id
    where c.org_id = ${orgId} and c.status not in ('cancelled', 'entered-in-error')
      and c.service_start >= ${instant(r.lo)} and c.service_start < ${instant(r.hi)}
    group by 1, 2, 3, 4`;
  return insertCounts(orgId, grouped, ['claims', 'billed_cents']);
}

/**
 * Recomputes the rollup of days [from, to] (local days of the organization), in the caller's
 * transaction as `careloop_app` of `orgId`: what was there is deleted and counted again, so a
 * refresh is idempotent and a retried job changes nothing.
 */
export async function refreshRollup(tx: Db, orgId: string, r: DayRange, now: Date): Promise<void> {
  // Estimates of these look-ahead counts are poor; JIT compiling them costs more than it saves.
  await tx.execute(sql`select set_config('jit', 'off', true)`);
  await tx.execute(
    sql`delete from kpi_daily_counts where org_id = ${orgId} and day between ${r.from}::date and ${r.to}::date`,
  );
  await tx.execute(appointmentCounts(orgId, r));
  await tx.execute(encounterCounts(orgId, r));
  await tx.execute(touchpointCounts(orgId, r));
  await tx.execute(claimCounts(orgId, r));
  await tx.execute(sql`
    insert into kpi_refreshes (org_id, refreshed_at, from_day, to_day)
    values (${orgId}, ${now.toISOString()}, ${r.from}::date, ${r.to}::date)
    on conflict (org_id) do update set refreshed_at = excluded.refreshed_at,
      from_day = least(kpi_refreshes.from_day, excluded.from_day),
      to_day = greatest(kpi_refreshes.to_day, excluded.to_day)`);
}
