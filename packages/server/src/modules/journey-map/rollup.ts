import { createHash } from 'node:crypto';
import {
  isoDay,
  type JourneyMapQuery,
  orderedRules,
  rangeProblem,
  type StageMappingRule,
} from '@careloop/core';
import { type SQL, sql } from 'drizzle-orm';
import type { Database, Db } from '../../db/client.js';
import { rowsOf } from '../../db/rows.js';
import { analyzeChangedTables } from '../../db/statistics.js';
import { organizations } from '../directory/schema.js';
import { cohortConditions, flowFigures, REPEATED_CONTACTS, stageCase } from './queries.js';

const DAY_MS = 86_400_000;
/** UTC days recomputed per transaction: a whole rebuild is many short transactions. */
const REBUILD_CHUNK_DAYS = 366;
/** A rollup older than this is rebuilt whole (backfills, merges, deleted touchpoints). */
const REBUILD_AFTER_MS = DAY_MS;
/** Days before the last refreshed one that a refresh counts again (late touchpoints). */
const RECENT_DAYS = 2;
/** The tables a refresh rewrites, whose statistics the map's plans depend on. */
export const ROLLUP_TABLES = [
  'journey_stage_segments',
  'journey_repeated_contacts',
  'journey_daily_channels',
] as const;

/** Which rules the rollup was cut with: a mapping change makes it unusable until rebuilt. */
export function mappingHash(rules: readonly StageMappingRule[]): string {
  return createHash('sha256')
    .update(JSON.stringify(orderedRules(rules)))
    .digest('hex');
}

const dayNumber = (day: string) => Math.floor(Date.parse(`${day}T00:00:00Z`) / DAY_MS);
const instant = (day: number) => sql`${new Date(day * DAY_MS).toISOString()}::timestamptz`;

/**
 * Recomputes the segments of UTC days [from, to] (day numbers) and the repeated contacts whose
 * third touchpoint falls in them, in the caller's transaction as careloop_app of `orgId`.
 */
async function refreshDays(
  tx: Db,
  orgId: string,
  rules: readonly StageMappingRule[],
  from: number,
  to: number,
): Promise<void> {
  const lo = instant(from);
  const hi = instant(to + 1);
  await tx.execute(sql`select set_config('jit', 'off', true)`);
  await tx.execute(sql`delete from journey_stage_segments
    where org_id = ${orgId} and first_at >= ${lo} and first_at < ${hi}`);
  // A segment starts where the stage changes or the UTC day does; its first touchpoint is the
  // one row of it marked `starts`. Its place in the patient's history (docs/adr/0037) continues
  // from the patient's last segment before these days (`context`, through the primary key).
  await tx.execute(sql`
    insert into journey_stage_segments
      (org_id, patient_id, first_at, first_id, stage, touchpoints, channels, no_show, negative_feedback,
       location_id, birth_date, prev_at, prev_stage, run_at, prev_run_at, entry)
    with fresh as (
    select patient_id, min(first_at) as first_at,
           (array_agg(first_id) filter (where first_id is not null))[1] as first_id,
           stage, sum(n)::int as touchpoints, jsonb_object_agg(channel, n) as channels,
           bool_or(no_show) as no_show, bool_or(negative_feedback) as negative_feedback
    from (
      select patient_id, segment, stage, channel, count(*) as n, min(occurred_at) as first_at,
             (array_agg(id) filter (where starts))[1] as first_id,
             coalesce(bool_or(type = 'appointment.noshow'), false) as no_show,
             coalesce(bool_or(outcome ~ '^nps:[0-6]$'), false) as negative_feedback
      from (
        select *, count(*) filter (where starts) over (partition by patient_id
                    order by occurred_at, id rows unbounded preceding) as segment
        from (
          select *, (lag(stage) over w is distinct from stage
                     or lag(day) over w is distinct from day) as starts
          from (
            select t.patient_id, t.id, t.occurred_at, t.channel, t.type, t.outcome,
                   ${stageCase(rules)} as stage, (t.occurred_at at time zone 'UTC')::date as day
            from touchpoints t
            where t.org_id = ${orgId} and t.occurred_at >= ${lo} and t.occurred_at < ${hi}
          ) staged
          window w as (partition by patient_id order by occurred_at, id)
        ) marked
      ) numbered
      group by patient_id, segment, stage, channel
    ) by_channel
    group by patient_id, segment, stage),
    context as (
      select c.* from (select distinct patient_id from fresh) f
      cross join lateral (
        select s.patient_id, s.first_at, s.first_id, s.stage, s.run_at, s.entry
        from journey_stage_segments s
        where s.org_id = ${orgId} and s.patient_id = f.patient_id and s.first_at < ${lo}
        order by s.first_at desc, s.first_id desc limit 1) c),
    joined as (
      select patient_id, first_at, first_id, stage, run_at, entry, true as known,
             null::int as touchpoints, null::jsonb as channels, null::boolean as no_show,
             null::boolean as negative_feedback
      from context
      union all
      select patient_id, first_at, first_id, stage, null, null, false, touchpoints, channels,
             no_show, negative_feedback
      from fresh),
    linked as (
      select *, lag(first_at) over w as prev_at, lag(stage) over w as prev_stage,
             not known and lag(stage) over w is distinct from stage as starts_run,
             max(entry) over (partition by patient_id) as entries_before
      from joined window w as (partition by patient_id order by first_at, first_id)),
    placed as (
      select *, coalesce(entries_before, 0)
                  + count(*) filter (where starts_run) over w as entry_no,
             max(case when known then run_at when starts_run then first_at end) over w as run_start
      from linked
      window w as (partition by patient_id order by first_at, first_id rows unbounded preceding)),
    ordered as (
      select *, lag(run_start) over (partition by patient_id order by first_at, first_id)
               as prev_run_start
      from placed)
    select ${orgId}::uuid, o.patient_id, o.first_at, o.first_id, o.stage, o.touchpoints,
           o.channels, o.no_show, o.negative_feedback, p.primary_location_id, p.birth_date,
           o.prev_at, o.prev_stage, o.run_start,
           case when o.starts_run then o.prev_run_start end, o.entry_no
    from ordered o
    left join patients p on p.org_id = ${orgId} and p.id = o.patient_id
    where not o.known`);
  await tx.execute(sql`delete from journey_daily_channels
    where org_id = ${orgId} and day >= ${isoDay(from)}::date and day <= ${isoDay(to)}::date`);
  await tx.execute(sql`
    insert into journey_daily_channels (org_id, day, stage, channel, type, touchpoints)
    select ${orgId}::uuid, (t.occurred_at at time zone 'UTC')::date, ${stageCase(rules)}, t.channel,
           t.type, count(*)::int
    from touchpoints t
    where t.org_id = ${orgId} and t.occurred_at >= ${lo} and t.occurred_at < ${hi}
    group by 1, 2, 3, 4, 5`);
  await tx.execute(sql`delete from journey_repeated_contacts
    where org_id = ${orgId} and third_at >= ${lo} and third_at < ${hi}`);
  // The same seven days as the map's window (`range … preceding`), in the same arithmetic. Each
  // row carries the latest first instant of the patient's earlier rows (docs/adr/0041),
  // continued from the patient's last row before these days.
  await tx.execute(sql`
    insert into journey_repeated_contacts
      (org_id, patient_id, first_at, third_at, location_id, birth_date, prev_first_at)
    with fresh as (
      select x.patient_id, x.first_at, x.occurred_at as third_at
      from (
        select t.patient_id, t.occurred_at,
               lag(t.occurred_at, ${REPEATED_CONTACTS - 1}) over (partition by t.patient_id, t.type
                 order by t.occurred_at, t.id) as first_at
        from touchpoints t
        where t.org_id = ${orgId} and t.channel <> 'system'
          and t.occurred_at >= ${lo} - interval '7 days' and t.occurred_at < ${hi}
      ) x
      where x.occurred_at >= ${lo} and x.first_at >= x.occurred_at - interval '7 days'),
    context as (
      select c.* from (select distinct patient_id from fresh) f
      cross join lateral (
        select r.patient_id, greatest(r.first_at, r.prev_first_at) as latest
        from journey_repeated_contacts r
        where r.org_id = ${orgId} and r.patient_id = f.patient_id and r.third_at < ${lo}
        order by r.third_at desc, r.first_at desc limit 1) c)
    select ${orgId}::uuid, f.patient_id, f.first_at, f.third_at, p.primary_location_id, p.birth_date,
           greatest(c.latest, max(f.first_at) over (partition by f.patient_id
             order by f.third_at, f.first_at rows between unbounded preceding and 1 preceding))
    from fresh f
    left join context c on c.patient_id = f.patient_id
    left join patients p on p.org_id = ${orgId} and p.id = f.patient_id`);
}

interface RefreshState {
  mappingHash: string;
  fromDay: string;
  toDay: string;
  rebuiltAt: Date;
}

/**
 * The journey map's stage-entry rollup (docs/adr/0026): kept by the refresh job, read by the map
 * when it holds the range under the organization's current mapping.
 */
export class StageRollup {
  constructor(
    private readonly database: Database,
    private readonly clock: () => Date,
    private readonly mappingOf: (orgId: string, tx: Db) => Promise<readonly StageMappingRule[]>,
  ) {}

  private async state(tx: Db, orgId: string): Promise<RefreshState | null> {
    const [row] = rowsOf<RefreshState>(
      await tx.execute(sql`select mapping_hash as "mappingHash", to_char(from_day, 'YYYY-MM-DD') as "fromDay",
          to_char(to_day, 'YYYY-MM-DD') as "toDay", rebuilt_at as "rebuiltAt"
        from journey_stage_refreshes where org_id = ${orgId}`),
    );
    return row ? { ...row, rebuiltAt: new Date(row.rebuiltAt) } : null;
  }

  /** Whether the map of `q` can read the rollup: same mapping, and its last day refreshed. */
  async covers(
    tx: Db,
    orgId: string,
    q: JourneyMapQuery,
    rules: readonly StageMappingRule[],
  ): Promise<boolean> {
    if (rangeProblem(q.from, q.to)) return false;
    const state = await this.state(tx, orgId);
    return state !== null && state.mappingHash === mappingHash(rules) && q.to <= state.toDay;
  }

  /**
   * Brings one organization's rollup up to date: whole when it was never built, its mapping
   * changed or its last rebuild is a day old; else the last days again. Returns what was done.
   */
  async refresh(
    orgId: string,
    options: { whole?: boolean } = {},
  ): Promise<{ whole: boolean; from: string; to: string }> {
    const now = this.clock();
    const today = Math.floor(now.getTime() / DAY_MS);
    const plan = await this.database.withTenant(orgId, async (tx) => {
      const rules = await this.mappingOf(orgId, tx);
      const hash = mappingHash(rules);
      const state = await this.state(tx, orgId);
      const [span] = rowsOf<{ first: string | null; last: string | null }>(
        await tx.execute(sql`select to_char(min(occurred_at) at time zone 'UTC', 'YYYY-MM-DD') as first,
            to_char(max(occurred_at) at time zone 'UTC', 'YYYY-MM-DD') as last
          from touchpoints where org_id = ${orgId}`),
      );
      const lastDay = Math.max(today, span?.last ? dayNumber(span.last) : today);
      const whole =
        options.whole === true ||
        state === null ||
        state.mappingHash !== hash ||
        now.getTime() - state.rebuiltAt.getTime() >= REBUILD_AFTER_MS;
      if (whole || state === null)
        return {
          rules,
          hash,
          whole: true,
          from: span?.first ? dayNumber(span.first) : today,
          to: lastDay,
        };
      return {
        rules,
        hash,
        whole: false,
        from: Math.min(dayNumber(state.toDay), today) - RECENT_DAYS,
        to: Math.max(lastDay, dayNumber(state.toDay)),
      };
    });
    for (let start = plan.from; start <= plan.to; start += REBUILD_CHUNK_DAYS) {
      const end = Math.min(plan.to, start + REBUILD_CHUNK_DAYS - 1);
      await this.database.withTenant(orgId, async (tx) => {
        // A whole rebuild also drops what lies outside the days it counts (deleted touchpoints).
        if (plan.whole && start === plan.from) await this.dropOutside(tx, orgId, null, start);
        await refreshDays(tx, orgId, plan.rules, start, end);
        if (plan.whole && end === plan.to) await this.dropOutside(tx, orgId, end + 1, null);
      });
    }
    await this.database.withTenant(orgId, (tx) =>
      tx.execute(sql`
        insert into journey_stage_refreshes
          (org_id, mapping_hash, from_day, to_day, refreshed_at, rebuilt_at)
        values (${orgId}, ${plan.hash}, ${isoDay(plan.from)}::date, ${isoDay(plan.to)}::date,
                ${now.toISOString()}, ${now.toISOString()})
        on conflict (org_id) do update set mapping_hash = excluded.mapping_hash,
          from_day = case when ${plan.whole} then excluded.from_day
                          else least(journey_stage_refreshes.from_day, excluded.from_day) end,
          to_day = case when ${plan.whole} then excluded.to_day
                        else greatest(journey_stage_refreshes.to_day, excluded.to_day) end,
          refreshed_at = excluded.refreshed_at,
          rebuilt_at = case when ${plan.whole} then excluded.rebuilt_at
                            else journey_stage_refreshes.rebuilt_at end`),
    );
    // A whole rebuild rewrites every row: planned on the statistics of before it (autovacuum
    // comes up to a minute later, or later on a busy server), the map's first statements took
    // nested loops over the range's segments: a quarter at 1,000,000 touchpoints ran for
    // minutes instead of under a second (docs/adr/0041). Analyze what changed, as autovacuum
    // would, before the map reads it.
    await analyzeChangedTables(this.database, ROLLUP_TABLES);
    return { whole: plan.whole, from: isoDay(plan.from), to: isoDay(plan.to) };
  }

  private async dropOutside(
    tx: Db,
    orgId: string,
    fromDay: number | null,
    beforeDay: number | null,
  ): Promise<void> {
    const segments: SQL =
      fromDay === null
        ? sql`first_at < ${instant(beforeDay ?? 0)}`
        : sql`first_at >= ${instant(fromDay)}`;
    const repeated: SQL =
      fromDay === null
        ? sql`third_at < ${instant(beforeDay ?? 0)}`
        : sql`third_at >= ${instant(fromDay)}`;
    await tx.execute(
      sql`delete from journey_stage_segments where org_id = ${orgId} and ${segments}`,
    );
    await tx.execute(
      sql`delete from journey_repeated_contacts where org_id = ${orgId} and ${repeated}`,
    );
    const days: SQL =
      fromDay === null
        ? sql`day < ${isoDay(beforeDay ?? 0)}::date`
        : sql`day >= ${isoDay(fromDay)}::date`;
    await tx.execute(sql`delete from journey_daily_channels where org_id = ${orgId} and ${days}`);
  }

  /** Refreshes every organization (the scheduled job). */
  async refreshAll(): Promise<number> {
    const orgs = await this.database.system((tx) =>
      tx.select({ id: organizations.id }).from(organizations),
    );
    for (const org of orgs) await this.refresh(org.id);
    return orgs.length;
  }
}

/** The patient's dimensions as the rollup's rows carry them (alias `t`). */
const ROLLUP_DIMS = { locationId: sql`t.location_id`, birthDate: sql`t.birth_date` };

/** Whether `q` filters patients (else every patient's touchpoints in the range count). */
export function filtersPatients(q: JourneyMapQuery): boolean {
  return Boolean(
    q.locationId || q.ageBand || q.payer || q.condition || q.practitionerId || q.serviceLineId,
  );
}

/**
 * `firsts`, `entries` and `transitions` of the rollup's cohort, as `stageEntries` and
 * `TRANSITIONS` make them from touchpoints, by testing the segments' context columns instead of
 * two window passes (docs/adr/0037). A patient's first segment in the range is the one whose
 * previous segment lies before `from` (or that has none): position 1, from no stage. Any later
 * segment that starts a run is an entry: its position counts runs from that first one, and its
 * wait runs from the previous run's start, or from the first segment in range when that run
 * began before the range (the wait is cut at the range's start, as on read).
 */
export function rollupFlows(from: SQL): SQL {
  return sql`firsts as (
      select patient_id, occurred_at, entry from cohort
      where prev_at is null or prev_at < ${from}),
    entries as (
      select c.patient_id, c.stage, c.prev_stage as from_stage, c.entry - f.entry + 1 as position,
             extract(epoch from c.occurred_at - greatest(c.prev_run_at, f.occurred_at)) / 86400.0
               as days
      from cohort c join firsts f on f.patient_id = c.patient_id
      where c.prev_at >= ${from} and c.prev_stage is distinct from c.stage),
    transitions as (select from_stage, stage as to_stage, patient_id, days from entries)`;
}

/**
 * The map's statement over the rollup: the same JSON object as `mapStatement` over the
 * touchpoints, with segments in place of touchpoints (a segment's first touchpoint is where a
 * stage entry can begin; its counts stand for the others). Every patient of the cohort has one
 * first segment in the range, so the patients are counted there. Without patient filters,
 * the touchpoints and the channel mix are sums of the range's days in `journey_daily_channels`
 * (docs/adr/0032); with them, of the cohort's segments.
 */
export function rollupMapStatement(q: JourneyMapQuery): SQL {
  const from = sql`${new Date(`${q.from}T00:00:00Z`).toISOString()}::timestamptz`;
  const perDay = !filtersPatients(q);
  const days = sql`d.day >= ${q.from}::date and d.day <= ${q.to}::date`;
  const touchpoints = perDay
    ? sql`(select coalesce(sum(d.touchpoints), 0) from journey_daily_channels d where ${days})`
    : sql`(select coalesce(sum(touchpoints), 0) from cohort)`;
  const channelMix = perDay
    ? sql`(select coalesce(json_agg(x), '[]') from (
          select d.stage, d.channel, sum(d.touchpoints) as count
          from journey_daily_channels d where ${days} group by 1, 2 order by 1, 2) x)`
    : sql`(select coalesce(json_agg(x), '[]') from (
          select c.stage, ch.key as channel, sum(ch.value::bigint) as count
          from cohort c, jsonb_each_text(c.channels) ch group by 1, 2 order by 1, 2) x)`;
  // The day sums need neither the segments' sizes nor their channels: a narrower cohort.
  const counts = perDay ? sql`` : sql`, t.touchpoints, t.channels`;
  return sql`with cohort as materialized (
      select t.patient_id, t.first_at as occurred_at, t.stage, t.no_show, t.negative_feedback,
             t.prev_at, t.prev_stage, t.prev_run_at, t.entry${counts}
      from journey_stage_segments t
      where ${sql.join(cohortConditions(q, sql`t.first_at`, ROLLUP_DIMS), sql` and `)}),
    ${rollupFlows(from)}
    select json_build_object(
      'patients', (select count(*) from firsts),
      'touchpoints', ${touchpoints},
      ${flowFigures()},
      'channelMix', ${channelMix},
      'noShows', (select count(distinct patient_id) from cohort where no_show),
      'negativeFeedback', (select count(distinct patient_id) from cohort where negative_feedback),
      'repeatedContacts', (select count(*) from journey_repeated_contacts t
          where ${sql.join(cohortConditions(q, sql`t.third_at`, ROLLUP_DIMS), sql` and `)}
            and t.first_at >= ${from} and (t.prev_first_at is null or t.prev_first_at < ${from}))
    ) as j`;
}
