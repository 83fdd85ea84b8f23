import { createHash } from 'node:crypto';
import {
  decodePatientColumns,
  decodeTouchpointColumns,
  isoDay,
  type JourneyMapQuery,
  orderedRules,
  type PatientColumns,
  rangeProblem,
  type StageMappingRule,
  type TouchpointColumns,
} from '@careloop/core';
import { type SQL, sql } from 'drizzle-orm';
import type { Database, Db } from '../../db/client.js';
import { rowsOf } from '../../db/rows.js';
import { organizations } from '../directory/schema.js';
import { rangeEnd, stageCase } from './queries.js';

const DAY_MS = 86_400_000;
/** Months written per statement: a whole rebuild is many short transactions. */
const REBUILD_CHUNK_MONTHS = 6;
/** Columns older than this are rebuilt whole (backfills, merges, deleted touchpoints). */
const REBUILD_AFTER_MS = DAY_MS;
/** Days before the last refreshed one that a refresh counts again (late touchpoints). */
const RECENT_DAYS = 2;
/** Decoded months and patients a process keeps, by default (least recently read dropped first). */
export const DEFAULT_CACHE_BYTES = 512 * 1024 * 1024;

/** Which rules the columns were written with: a mapping change makes them unusable until rebuilt. */
export function mappingHash(rules: readonly StageMappingRule[]): string {
  return createHash('sha256')
    .update(JSON.stringify(orderedRules(rules)))
    .digest('hex');
}

const dayNumber = (day: string) => Math.floor(Date.parse(`${day}T00:00:00Z`) / DAY_MS);

/** The first day of `day`'s UTC month, `YYYY-MM-01`. */
const monthOf = (day: string) => `${day.slice(0, 7)}-01`;
function nextMonth(month: string): string {
  const d = new Date(`${month}T00:00:00Z`);
  d.setUTCMonth(d.getUTCMonth() + 1);
  return d.toISOString().slice(0, 10);
}
const instant = (day: string) => sql`${`${day}T00:00:00Z`}::timestamptz`;

/**
 * Writes the months `[fromMonth, toMonth)` of one organization's touchpoints as records (core's
 * `decodeTouchpointColumns` reads them), replacing what was there, in the caller's transaction.
 */
async function writeMonths(
  tx: Db,
  orgId: string,
  rules: readonly StageMappingRule[],
  fromMonth: string,
  toMonth: string,
): Promise<void> {
  await tx.execute(sql`select set_config('jit', 'off', true)`);
  // Dictionaries sorted in the C collation, so a record's number is its value's place in them.
  // A month whose records come out the same keeps its version, so the processes that decoded it
  // keep it through the nightly rebuild.
  await tx.execute(sql`
    insert into journey_map_months (org_id, month, version, rows, types, channels, stages, data)
    with staged as (
      select n.number, (date_trunc('month', t.occurred_at at time zone 'UTC'))::date as month,
             t.occurred_at, t.id, t.type collate "C" as type, t.channel collate "C" as channel,
             ${stageCase(rules)} collate "C" as stage,
             (case when t.type = 'appointment.noshow' then 1 else 0 end)
               + (case when t.outcome ~ '^nps:[0-6]$' then 2 else 0 end) as flags
      from touchpoints t
      join journey_patient_numbers n on n.org_id = t.org_id and n.patient_id = t.patient_id
      where t.org_id = ${orgId} and t.occurred_at >= ${instant(fromMonth)}
        and t.occurred_at < ${instant(toMonth)}),
    coded as (
      select *, dense_rank() over (partition by month order by type) - 1 as type_no,
             dense_rank() over (partition by month order by channel) - 1 as channel_no,
             dense_rank() over (partition by month order by stage) - 1 as stage_no
      from staged)
    select ${orgId}::uuid, month, gen_random_uuid(), count(*)::int,
           array_agg(distinct type order by type), array_agg(distinct channel order by channel),
           array_agg(distinct stage order by stage),
           string_agg(int4send(number)
                        || float8send((extract(epoch from occurred_at) * 1000000)::float8)
                        || int2send(type_no::int2) || int2send(channel_no::int2)
                        || int2send((stage_no * 256 + flags)::int2), ''::bytea
                      order by number, occurred_at, id)
    from coded group by month
    on conflict (org_id, month) do update set version = excluded.version, rows = excluded.rows,
      types = excluded.types, channels = excluded.channels, stages = excluded.stages,
      data = excluded.data
    where (journey_map_months.types, journey_map_months.channels, journey_map_months.stages,
           journey_map_months.data)
      is distinct from (excluded.types, excluded.channels, excluded.stages, excluded.data)`);
  // Months of these that no longer hold a touchpoint (deleted, merged away).
  await tx.execute(sql`delete from journey_map_months m
    where m.org_id = ${orgId} and m.month >= ${fromMonth}::date and m.month < ${toMonth}::date
      and not exists (select 1 from touchpoints t where t.org_id = m.org_id
        and t.occurred_at >= m.month::timestamp at time zone 'UTC'
        and t.occurred_at < (m.month + interval '1 month')::timestamp at time zone 'UTC')`);
}

/**
 * Numbers the organization's patients that have none yet (dense, after the highest), and
 * writes every numbered patient's location and birth date (core's `decodePatientColumns`).
 */
async function writePatients(tx: Db, orgId: string): Promise<void> {
  // One numbering at a time per organization: two refreshes would hand out one number twice.
  await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`journey-map-numbers:${orgId}`}))`);
  await tx.execute(sql`
    insert into journey_patient_numbers (org_id, patient_id, number)
    select ${orgId}::uuid, p.id,
           (select coalesce(max(number), -1) from journey_patient_numbers where org_id = ${orgId})
             + row_number() over (order by p.id)
    from patients p
    where p.org_id = ${orgId} and not exists (select 1 from journey_patient_numbers n
      where n.org_id = p.org_id and n.patient_id = p.id)`);
  await tx.execute(sql`
    insert into journey_map_patients (org_id, version, count, locations, data)
    with locations as (
      select id, row_number() over (order by id::text collate "C") as no
      from (select distinct primary_location_id as id from patients
            where org_id = ${orgId} and primary_location_id is not null) l)
    select ${orgId}::uuid, gen_random_uuid(), count(*)::int,
           coalesce((select array_agg(id::text order by no) from locations), '{}'),
           coalesce(string_agg(int2send(coalesce(l.no, 0)::int2)
               || int4send(coalesce(p.birth_date - date '1970-01-01', -2147483648)), ''::bytea
             order by n.number), ''::bytea)
    from journey_patient_numbers n
    left join patients p on p.org_id = n.org_id and p.id = n.patient_id
    left join locations l on l.id = p.primary_location_id
    where n.org_id = ${orgId}
    on conflict (org_id) do update set version = excluded.version, count = excluded.count,
      locations = excluded.locations, data = excluded.data
    where (journey_map_patients.locations, journey_map_patients.data)
      is distinct from (excluded.locations, excluded.data)`);
}

interface RefreshState {
  mappingHash: string;
  fromDay: string;
  toDay: string;
  rebuiltAt: Date;
}

interface Cached<T> {
  version: string;
  bytes: number;
  value: T;
}

/** What a map reads: the months of its range, in order, and the patients. */
export interface LoadedColumns {
  months: TouchpointColumns[];
  patients: PatientColumns;
}

/**
 * The journey map's columns (docs/adr/0048): kept by the refresh job, read by the map when they
 * hold the range under the organization's current mapping. Decoded months are kept in this
 * process (up to `cacheBytes`), checked against their stored version on every read.
 */
export class JourneyMapColumns {
  private readonly cache = new Map<string, Cached<TouchpointColumns | PatientColumns>>();
  private cachedBytes = 0;

  constructor(
    private readonly database: Database,
    private readonly clock: () => Date,
    private readonly mappingOf: (orgId: string, tx: Db) => Promise<readonly StageMappingRule[]>,
    private readonly cacheBytes = DEFAULT_CACHE_BYTES,
  ) {}

  private async state(tx: Db, orgId: string): Promise<RefreshState | null> {
    const [row] = rowsOf<RefreshState>(
      await tx.execute(sql`select mapping_hash as "mappingHash", to_char(from_day, 'YYYY-MM-DD') as "fromDay",
          to_char(to_day, 'YYYY-MM-DD') as "toDay", rebuilt_at as "rebuiltAt"
        from journey_stage_refreshes where org_id = ${orgId}`),
    );
    return row ? { ...row, rebuiltAt: new Date(row.rebuiltAt) } : null;
  }

  /** Whether the map of `q` can read the columns: same mapping, and its last day refreshed. */
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
   * Brings one organization's columns up to date: whole when never built, after a mapping
   * change or when the last rebuild is a day old; else the months of the last days again.
   */
  async refresh(
    orgId: string,
    options: { whole?: boolean } = {},
  ): Promise<{ whole: boolean; from: string; to: string }> {
    const now = this.clock();
    const today = isoDay(Math.floor(now.getTime() / DAY_MS));
    const plan = await this.database.withTenant(orgId, async (tx) => {
      const rules = await this.mappingOf(orgId, tx);
      const hash = mappingHash(rules);
      const state = await this.state(tx, orgId);
      const [span] = rowsOf<{ first: string | null; last: string | null }>(
        await tx.execute(sql`select to_char(min(occurred_at) at time zone 'UTC', 'YYYY-MM-DD') as first,
            to_char(max(occurred_at) at time zone 'UTC', 'YYYY-MM-DD') as last
          from touchpoints where org_id = ${orgId}`),
      );
      const lastDay = span?.last && span.last > today ? span.last : today;
      const whole =
        options.whole === true ||
        state === null ||
        state.mappingHash !== hash ||
        now.getTime() - state.rebuiltAt.getTime() >= REBUILD_AFTER_MS;
      if (whole || state === null)
        return { rules, hash, whole: true, from: span?.first ?? today, to: lastDay };
      const recent = isoDay(Math.min(dayNumber(state.toDay), dayNumber(today)) - RECENT_DAYS);
      return {
        rules,
        hash,
        whole: false,
        from: recent,
        to: lastDay > state.toDay ? lastDay : state.toDay,
      };
    });
    await this.database.withTenant(orgId, (tx) => writePatients(tx, orgId));
    const first = monthOf(plan.from);
    const end = nextMonth(monthOf(plan.to));
    for (let start = first; start < end; ) {
      let stop = start;
      for (let i = 0; i < REBUILD_CHUNK_MONTHS && stop < end; i++) stop = nextMonth(stop);
      const from = start;
      await this.database.withTenant(orgId, async (tx) => {
        // A whole rebuild also drops the months outside what it writes (deleted touchpoints).
        if (plan.whole && from === first)
          await tx.execute(sql`delete from journey_map_months
            where org_id = ${orgId} and (month < ${first}::date or month >= ${end}::date)`);
        await writeMonths(tx, orgId, plan.rules, from, stop);
      });
      start = stop;
    }
    await this.database.withTenant(orgId, (tx) =>
      tx.execute(sql`
        insert into journey_stage_refreshes
          (org_id, mapping_hash, from_day, to_day, refreshed_at, rebuilt_at)
        values (${orgId}, ${plan.hash}, ${plan.from}::date, ${plan.to}::date,
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
    return { whole: plan.whole, from: plan.from, to: plan.to };
  }

  /**
   * Reads and decodes the last 13 months of every organization whose columns are written, so
   * the first maps after a process starts are read warm (docs/adr/0048). Returns the months.
   */
  async warm(): Promise<number> {
    const today = this.clock();
    const from = isoDay(Math.floor(today.getTime() / DAY_MS) - 395);
    const to = isoDay(Math.floor(today.getTime() / DAY_MS));
    const orgs = await this.database.system(async (tx) =>
      rowsOf<{ orgId: string }>(
        await tx.execute(sql`select org_id as "orgId" from journey_stage_refreshes`),
      ),
    );
    let months = 0;
    for (const { orgId } of orgs)
      months += (await this.database.withTenant(orgId, (tx) => this.load(tx, orgId, { from, to })))
        .months.length;
    return months;
  }

  /** Refreshes every organization (the scheduled job). */
  async refreshAll(): Promise<number> {
    const orgs = await this.database.system((tx) =>
      tx.select({ id: organizations.id }).from(organizations),
    );
    for (const org of orgs) await this.refresh(org.id);
    return orgs.length;
  }

  private remember(key: string, entry: Cached<TouchpointColumns | PatientColumns>): void {
    const old = this.cache.get(key);
    if (old) this.cachedBytes -= old.bytes;
    this.cache.delete(key);
    if (entry.bytes > this.cacheBytes) return;
    this.cache.set(key, entry);
    this.cachedBytes += entry.bytes;
    for (const [k, e] of this.cache) {
      if (this.cachedBytes <= this.cacheBytes) break;
      this.cache.delete(k);
      this.cachedBytes -= e.bytes;
    }
  }

  private recall(key: string, version: string) {
    const hit = this.cache.get(key);
    if (!hit || hit.version !== version) return null;
    // Most recently read last: the first entries are the ones dropped.
    this.cache.delete(key);
    this.cache.set(key, hit);
    return hit.value;
  }

  /**
   * Marks the organization's columns unusable (they did not decode): the map reads the
   * touchpoints until the next refresh, which writes them whole (its mapping no longer matches).
   */
  async discard(tx: Db, orgId: string): Promise<void> {
    await tx.execute(sql`update journey_stage_refreshes set mapping_hash = 'discarded'
      where org_id = ${orgId}`);
    for (const [key, entry] of this.cache)
      if (key.startsWith(`${orgId}/`)) {
        this.cache.delete(key);
        this.cachedBytes -= entry.bytes;
      }
  }

  /** Forgets every decoded month (the benchmark's cold reads). */
  forget(): void {
    this.cache.clear();
    this.cachedBytes = 0;
  }

  /** The months of `q`'s range and the patients, from this process's cache where still current. */
  async load(tx: Db, orgId: string, q: JourneyMapQuery): Promise<LoadedColumns> {
    const fromMonth = monthOf(q.from);
    const toMonth = monthOf(q.to);
    const versions = rowsOf<{ month: string; version: string }>(
      await tx.execute(sql`select to_char(month, 'YYYY-MM-DD') as month, version::text as version
        from journey_map_months
        where org_id = ${orgId} and month >= ${fromMonth}::date and month <= ${toMonth}::date
        order by month`),
    );
    const found = new Map<string, TouchpointColumns>();
    for (const v of versions) {
      const hit = this.recall(`${orgId}/${v.month}`, v.version);
      if (hit && 'atUs' in hit) found.set(v.month, hit);
    }
    const missing = versions.filter((v) => !found.has(v.month));
    if (missing.length > 0) {
      const rows = rowsOf<{
        month: string;
        version: string;
        types: string[];
        channels: string[];
        stages: string[];
        data: Uint8Array;
      }>(
        await tx.execute(sql`select to_char(month, 'YYYY-MM-DD') as month, version::text as version,
            types, channels, stages, data
          from journey_map_months
          where org_id = ${orgId} and month in (${sql.join(
            missing.map((m) => sql`${m.month}::date`),
            sql`, `,
          )})`),
      );
      for (const r of rows) {
        const month = decodeTouchpointColumns(r.data, r);
        found.set(r.month, month);
        // The decoded columns take about 16 of a record's 18 bytes.
        this.remember(`${orgId}/${r.month}`, {
          version: r.version,
          bytes: r.data.byteLength,
          value: month,
        });
      }
    }
    // In month order; a month a whole rebuild dropped meanwhile has no touchpoints.
    const months = versions.flatMap((v) => {
      const month = found.get(v.month);
      return month ? [month] : [];
    });
    return { months, patients: await this.loadPatients(tx, orgId) };
  }

  private async loadPatients(tx: Db, orgId: string): Promise<PatientColumns> {
    const key = `${orgId}/patients`;
    const [v] = rowsOf<{ version: string }>(
      await tx.execute(sql`select version::text as version from journey_map_patients
        where org_id = ${orgId}`),
    );
    if (!v) return decodePatientColumns(new Uint8Array(0), []);
    const hit = this.recall(key, v.version);
    if (hit && 'birthDay' in hit) return hit;
    const [row] = rowsOf<{ version: string; locations: string[]; data: Uint8Array }>(
      await tx.execute(sql`select version::text as version, locations, data
        from journey_map_patients where org_id = ${orgId}`),
    );
    const patients = decodePatientColumns(row?.data ?? new Uint8Array(0), row?.locations ?? []);
    this.remember(key, {
      version: row?.version ?? v.version,
      bytes: patients.count * 6,
      value: patients,
    });
    return patients;
  }

  /**
   * The numbers of the patients a filter answered by the database admits (a practitioner or
   * service line seen in the range, a payer, a condition, a saved list), as a set over patient
   * numbers; null when `q` has none of these filters.
   */
  async among(tx: Db, orgId: string, q: JourneyMapQuery, size: number): Promise<Uint8Array | null> {
    const sets: SQL[] = [];
    const from = `${q.from}T00:00:00Z`;
    const to = rangeEnd(q.to).toISOString();
    const appointment: SQL[] = [];
    if (q.practitionerId) appointment.push(sql`a.practitioner_id = ${q.practitionerId}::uuid`);
    if (q.serviceLineId) appointment.push(sql`a.service_line_id = ${q.serviceLineId}::uuid`);
    if (appointment.length > 0)
      sets.push(sql`select distinct n.number from appointments a
        join journey_patient_numbers n on n.org_id = a.org_id and n.patient_id = a.patient_id
        where a.org_id = ${orgId} and a.start_at >= ${from}::timestamptz
          and a.start_at < ${to}::timestamptz and ${sql.join(appointment, sql` and `)}`);
    if (q.payer)
      sets.push(sql`select distinct n.number from coverages c
        join journey_patient_numbers n on n.org_id = c.org_id and n.patient_id = c.patient_id
        where c.org_id = ${orgId} and c.payer = ${q.payer}`);
    if (q.condition)
      sets.push(sql`select distinct n.number from conditions c
        join journey_patient_numbers n on n.org_id = c.org_id and n.patient_id = c.patient_id
        where c.org_id = ${orgId} and c.code = ${q.condition}`);
    if (q.listId)
      sets.push(sql`select n.number from patient_list_members m
        join journey_patient_numbers n on n.org_id = m.org_id and n.patient_id = m.patient_id
        where m.org_id = ${orgId} and m.list_id = ${q.listId}::uuid`);
    if (sets.length === 0) return null;
    let among: Uint8Array | null = null;
    for (const set of sets) {
      const mask = new Uint8Array(size);
      for (const r of rowsOf<{ number: number }>(await tx.execute(set)))
        if (r.number < size && (among === null || among[r.number] === 1)) mask[r.number] = 1;
      among = mask;
    }
    return among;
  }

  /** The patients of `numbers`. */
  async patientIds(tx: Db, orgId: string, numbers: readonly number[]): Promise<string[]> {
    if (numbers.length === 0) return [];
    return rowsOf<{ patient_id: string }>(
      await tx.execute(sql`select patient_id from journey_patient_numbers
        where org_id = ${orgId} and number = any(${`{${numbers.join(',')}}`}::int[])`),
    ).map((r) => r.patient_id);
  }
}
