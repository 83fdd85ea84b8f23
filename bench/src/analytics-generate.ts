import type pg from 'pg';

/** The day the generated histories end (fixed: the figures do not depend on the day of the run). */
export const BENCH_AS_OF = '2026-06-01';
const HISTORY_DAYS = 1095;
const LOCATIONS = 5;
const PRACTITIONERS = 40;
const SERVICE_LINES = 8;

export interface AnalyticsVolume {
  patients: number;
  touchpoints: number;
}

/** Deterministic ids, so touchpoints can name their appointment without a join. */
const id = (prefix: string, n: string) => `md5('${prefix}' || ${n})::uuid`;

/**
 * The counts a generator of `volume` writes: an appointment per 4 touchpoints, an inpatient
 * stay per 20 patients (in pairs 20 days apart, so half are readmissions).
 */
export function appointmentsFor(volume: AnalyticsVolume): number {
  return Math.max(1, Math.floor(volume.touchpoints / 4));
}

/** The secondary indexes of `table` (not those behind a constraint): name and definition. */
async function secondaryIndexes(
  client: pg.Client,
  table: string,
): Promise<{ name: string; def: string }[]> {
  const rows = await client.query<{ name: string; def: string }>(
    `select i.indexname as name, i.indexdef as def from pg_indexes i
     where i.schemaname = 'public' and i.tablename = $1
       and not exists (select 1 from pg_constraint c where c.conname = i.indexname)`,
    [table],
  );
  return rows.rows;
}

/**
 * Loads `table` without its secondary indexes and builds them again after (one sorted build
 * per index instead of a random-order insert per row: the load of touchpoints into their
 * indexes took about 140 s per million, most of it index maintenance).
 */
async function withoutIndexes(
  client: pg.Client,
  table: string,
  load: () => Promise<void>,
  onProgress: (what: string, done: number, total: number) => void,
): Promise<void> {
  const indexes = await secondaryIndexes(client, table);
  for (const { name } of indexes) await client.query(`drop index "${name}"`);
  await load();
  for (const [i, { def }] of indexes.entries()) {
    await client.query(def);
    onProgress(`${table} indexes`, i + 1, indexes.length);
  }
}

/**
 * The generated touchpoints' kinds: type, channel, direction, writer stage and outcome (a
 * survey's NPS and one in 37 failed sends are set apart). The default mapping places them in
 * awareness, access, registration, pre-visit, visit, post-visit and follow-up.
 */
const TOUCHPOINT_KINDS = [
  ['campaign.email', 'email', 'outbound', 'awareness', 'delivered'],
  ['appointment.booked', 'web', 'inbound', 'scheduling', 'booked'],
  ['appointment.reminder', 'sms', 'outbound', 'pre-visit', 'delivered'],
  ['appointment.confirmed', 'sms', 'inbound', 'pre-visit', 'confirmed'],
  ['visit.completed', 'system', 'internal', 'visit', 'completed'],
  ['appointment.noshow', 'system', 'internal', 'visit', 'noshow'],
  ['appointment.cancelled', 'phone', 'inbound', 'scheduling', 'cancelled'],
  ['survey.sent', 'email', 'outbound', 'post-visit', 'delivered'],
  ['survey.completed', 'web', 'inbound', 'post-visit', 'answered'],
  ['noshow.outreach', 'phone', 'outbound', 'follow-up', 'voicemail'],
  ['transition.call', 'phone', 'outbound', 'follow-up', 'reached'],
  ['patient.registered', 'web', 'inbound', 'pre-visit', 'registered'],
  // An email reminder: the same type as the SMS one, its own row here for its channel.
  ['appointment.reminder', 'email', 'outbound', 'pre-visit', 'delivered'],
] as const;
const FIELDS = ['type', 'channel', 'direction', 'stage', 'outcome'] as const;
const column = (field: (typeof FIELDS)[number]) =>
  TOUCHPOINT_KINDS.map((k) => `'${k[FIELDS.indexOf(field)]}'`).join(', ');
/** The 1-based index of a kind in TOUCHPOINT_KINDS (`reminder.email`: the email reminder). */
const kind = (name: string) =>
  name === 'reminder.email'
    ? TOUCHPOINT_KINDS.length
    : TOUCHPOINT_KINDS.findIndex((k) => k[0] === name) + 1;

/**
 * The kind and instant of touchpoint j (0-3) of appointment k starting at s, with u its status
 * hash (as the appointments') and v its path (0-9), as SQL over those columns. Paths:
 * - awareness first (v 0-2: a campaign email 8-21 days before), else booked 2-14 days before;
 *   v 9: three reminders in six days instead (a repeated contact, the pain point);
 * - then registration (v 3-4), a confirmation (v 5-6) or a reminder the day before;
 * - the visit, or the no-show (6 %); a cancellation (12 %) drops out before it, back to
 *   campaign emails a week and a month later;
 * - after the visit: a survey answered (v 0-4) or not (v 5-7), a follow-up call (v 8), a
 *   no-show's outreach call.
 * Touchpoints past four per appointment (when T is not a multiple of 4) are campaign emails.
 */
function kindOf(asOf: string): string {
  const day = (n: string) => `(${n}) * interval '1 day'`;
  const cancelled = 'u >= 60 and u < 180';
  const noShow = 'u < 60';
  const reminder = `${kind('appointment.reminder')} + (k % 2) * ${kind('reminder.email') - kind('appointment.reminder')}`;
  return `select
      case when j >= 4 then ${kind('campaign.email')}
           when j = 0 then case when v < 3 then ${kind('campaign.email')}
                                when v = 9 then ${reminder}
                                else ${kind('appointment.booked')} end
           when j = 1 then case when ${cancelled} then ${kind('appointment.cancelled')}
                                when v = 9 then ${reminder}
                                when v in (3, 4) then ${kind('patient.registered')}
                                when v in (5, 6) then ${kind('appointment.confirmed')}
                                else ${reminder} end
           when j = 2 then case when ${cancelled} then ${kind('campaign.email')}
                                when v = 9 then ${reminder}
                                when ${noShow} then ${kind('appointment.noshow')}
                                else ${kind('visit.completed')} end
           else case when ${cancelled} then ${kind('campaign.email')}
                     when v = 9 then case when ${noShow} then ${kind('appointment.noshow')}
                                          else ${kind('visit.completed')} end
                     when ${noShow} then ${kind('noshow.outreach')}
                     when v < 5 then ${kind('survey.completed')}
                     when v < 8 then ${kind('survey.sent')}
                     else ${kind('transition.call')} end
      end as kind,
      case when j >= 4 then ${asOf} - ${day(`i % ${HISTORY_DAYS}`)}
           when j = 0 then case when v < 3 then s - ${day('8 + k % 14')}
                                when v = 9 then s - ${day('6')}
                                else s - ${day('2 + k % 13')} end
           when j = 1 then case when ${cancelled} then s - interval '26 hours'
                                when v = 9 then s - ${day('2')}
                                when v in (3, 4) then s - interval '27 hours'
                                when v in (5, 6) then s - interval '22 hours'
                                else s - ${day('1')} end
           when j = 2 then case when ${cancelled} then s + ${day('7 + k % 20')}
                                when v = 9 then s - ${day('1')}
                                else s + interval '30 minutes' end
           else case when ${cancelled} then s + ${day('30 + k % 30')}
                     when v = 9 then s + interval '30 minutes'
                     when ${noShow} then s + ${day('1 + k % 3')}
                     when v < 8 then s + ${day('1 + k % 4')}
                     else s + ${day('2 + k % 10')} end
      end as at`;
}

/**
 * Bulk-loads one organization with `volume` patients and touchpoints by `insert … select
 * generate_series`, in batches, on a superuser connection with foreign-key triggers off
 * (session_replication_role = replica): every reference is generated consistent, and checking
 * 10 million of them would triple the load time. The tables' secondary indexes are dropped
 * for the load and built after it, touchpoint ids are generated in ascending order (the primary
 * key is appended to, not written at random), and commits do not wait for the WAL flush.
 * `onProgress` hears each batch.
 */
export async function generateAnalyticsData(
  client: pg.Client,
  orgId: string,
  volume: AnalyticsVolume,
  onProgress: (what: string, done: number, total: number) => void,
): Promise<void> {
  const P = volume.patients;
  const A = appointmentsFor(volume);
  const T = volume.touchpoints;
  const E = Math.max(2, Math.floor(P / 20));
  const asOf = `'${BENCH_AS_OF}'::timestamptz`;
  await client.query(`set session_replication_role = replica`);
  await client.query(`set synchronous_commit = off`);
  await client.query(`set maintenance_work_mem = '512MB'`);
  await client.query(`
    insert into locations (id, org_id, name)
    select ${id('l', 'g')}, '${orgId}', 'Location ' || g from generate_series(0, ${LOCATIONS - 1}) g;
    insert into practitioners (id, org_id, given_name, family_name, location_id)
    select ${id('pr', 'g')}, '${orgId}', 'Pat', 'Practitioner ' || g, ${id('l', `(g % ${LOCATIONS})`)}
    from generate_series(0, ${PRACTITIONERS - 1}) g;
    insert into service_lines (id, org_id, code, name)
    select ${id('s', 'g')}, '${orgId}', 'sl' || g, 'Service line ' || g from generate_series(0, ${SERVICE_LINES - 1}) g;`);
  const batch = 1_000_000;
  const inBatches = async (
    what: string,
    total: number,
    sql: (lo: number, hi: number) => string,
  ) => {
    for (let lo = 0; lo < total; lo += batch) {
      const hi = Math.min(total, lo + batch) - 1;
      await client.query(sql(lo, hi));
      onProgress(what, hi + 1, total);
    }
  };
  const loadPatients = () =>
    inBatches(
      'patients',
      P,
      (lo, hi) => `
    insert into patients (id, org_id, given_name, family_name, search_name, search_given, birth_date,
                          administrative_sex, primary_location_id)
    select ${id('p', 'g')}, '${orgId}', 'Given' || g, 'Family' || g, 'family' || g || ' given' || g,
           'given' || g, date '1940-01-01' + (g % 29000), case when g % 2 = 0 then 'female' else 'male' end,
           ${id('l', `(g % ${LOCATIONS})`)}
    from generate_series(${lo}, ${hi}) g`,
    );
  await withoutIndexes(client, 'patients', loadPatients, onProgress);
  // Appointment k: patient (k·7919) mod P, k mod 1095 days before the as-of day.
  const patientOf = (k: string) => id('p', `((${k}::bigint * 7919) % ${P})`);
  const startOf = (k: string) =>
    `(${asOf} - ((${k} % ${HISTORY_DAYS}) - 30) * interval '1 day' + (8 + ${k} % 9) * interval '1 hour')`;
  const loadAppointments = () =>
    inBatches(
      'appointments',
      A,
      (lo, hi) => `
    insert into appointments (id, org_id, patient_id, status, location_id, practitioner_id,
                              service_line_id, start_at, end_at)
    select ${id('a', 'k')}, '${orgId}', ${patientOf('k')},
           case when (k * 2654435761) % 1000 < 60 then 'noshow'
                when (k * 2654435761) % 1000 < 180 then 'cancelled'
                when ${startOf('k')} < ${asOf} then 'fulfilled' else 'booked' end,
           ${id('l', `(k % ${LOCATIONS})`)}, ${id('pr', `(k % ${PRACTITIONERS})`)},
           ${id('s', `(k % ${SERVICE_LINES})`)}, ${startOf('k')}, ${startOf('k')} + interval '30 minutes'
    from generate_series(${lo}, ${hi}) k`,
    );
  await withoutIndexes(client, 'appointments', loadAppointments, onProgress);
  await client.query(`
    insert into encounters (id, org_id, patient_id, class, type, status, location_id, start_at, end_at)
    select ${id('e', 'j')}, '${orgId}', ${id('p', `(((j / 2)::bigint * 104729) % ${P})`)}, 'inpatient',
           'Inpatient admission', 'finished', ${id('l', `(j % ${LOCATIONS})`)},
           ${asOf} - ((j / 2) % 1000 + 40 - (j % 2) * 20) * interval '1 day',
           ${asOf} - ((j / 2) % 1000 + 37 - (j % 2) * 20) * interval '1 day'
    from generate_series(0, ${E - 1}) j`);
  // Touchpoint i is the (i div A)-th of appointment i mod A: each appointment's four touchpoints
  // walk its patient through the stages in time order (see TOUCHPOINT_KINDS and kindOf).
  const loadTouchpoints = () =>
    inBatches(
      'touchpoints',
      T,
      (lo, hi) => `
    insert into touchpoints (id, org_id, patient_id, occurred_at, channel, direction, type, stage,
                             outcome, summary, non_clinical_summary, subject_type, subject_id)
    select lpad(to_hex(i), 32, '0')::uuid, '${orgId}', ${patientOf('k')}, z.at,
           (array[${column('channel')}])[z.kind], (array[${column('direction')}])[z.kind],
           (array[${column('type')}])[z.kind], (array[${column('stage')}])[z.kind],
           case when z.kind = ${kind('survey.completed')} then 'nps:' || (k / 3) % 11
                when z.kind in (${kind('campaign.email')}, ${kind('appointment.reminder')}, ${kind('reminder.email')})
                     and i % 37 = 0 then 'failed'
                else (array[${column('outcome')}])[z.kind] end,
           'Generated', 'Generated',
           case when j >= 4 then null else 'appointment' end,
           case when j >= 4 then null else ${id('a', 'k')} end
    from generate_series(${lo}, ${hi}) i,
         lateral (select i % ${A} as k, i / ${A} as j) x,
         lateral (select (k * 2654435761) % 1000 as u, (k / 40) % 10 as v, ${startOf('k')} as s) y,
         lateral (${kindOf(asOf)}) z`,
    );
  await withoutIndexes(client, 'touchpoints', loadTouchpoints, onProgress);
  await client.query(`set session_replication_role = origin`);
  onProgress('analyze', 0, 1);
  await client.query(`analyze`);
}
