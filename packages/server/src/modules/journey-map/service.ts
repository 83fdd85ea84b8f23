import {
  admitsPatient,
  ageBandBirthDates,
  badRequest,
  type ColumnarDrill,
  type ColumnarMap,
  ColumnsCorrupt,
  can,
  columnarMap,
  comparePath,
  DEFAULT_DEFINITIONS,
  DEFAULT_STAGE_MAPPING,
  DEFAULT_STAGES,
  DEFAULT_SUPPRESSION_THRESHOLD,
  type DrillDownQuery,
  type DrillDownResult,
  definitionProblems,
  forbidden,
  funnelOf,
  type JourneyMap,
  type JourneyMapQuery,
  JourneyMapSettings,
  type JourneyPathDefinition,
  journeyMapFor,
  type MapFigures,
  mayRead,
  notFound,
  type PainPoint,
  type PathEvent,
  type PatientJourney,
  type RawJourneyMap,
  rangeProblem,
  resolveStage,
  SANKEY_DEPTH,
  SANKEY_NODE_SEPARATOR,
  type StoredTouchpoint,
  sentimentOf,
  taxonomyProblems,
  touchpointFor,
} from '@careloop/core';
import { eq, SQL, sql } from 'drizzle-orm';
import { Value } from 'typebox/value';
import type { Database, Db } from '../../db/client.js';
import { rowsOf } from '../../db/rows.js';
import type { RequestContext } from '../../http/actor.js';
import type { AuditLog } from '../audit/service.js';
import { organizations } from '../directory/schema.js';
import { DirectoryService } from '../directory/service.js';
import { JourneyMapColumns } from './columns.js';
import {
  cohortTouchpoints,
  type DrillSet,
  drillStatement,
  mapStatement,
  pathsStatement,
  rangeEnd,
} from './queries.js';
import { journeyMapSettings } from './schema.js';

/** The latest touchpoints the per-patient journey draws. */
export const PATIENT_JOURNEY_LIMIT = 2000;
/**
 * Sort memory of one map statement (`work_mem`, for its transaction only): its window passes
 * and distinct counts sort the range's segments, and at the 4 MB default a year of a large
 * organization spills them to disk (docs/adr/0032).
 */
export const MAP_WORK_MEM = '64MB';

/**
 * The map's transaction settings: its sort memory, no JIT, and UTC. The planner's row estimates
 * for the map's CTEs run to millions, so PostgreSQL compiled the statement: at 10,000,000
 * touchpoints 5.7 s of JIT for 0.6 s of execution (docs/adr/0037). The repeated contacts' week
 * is seven days of 24 hours, as the columns count it, whatever the server's time zone.
 */
export const MAP_SETTINGS = sql`select set_config('work_mem', ${MAP_WORK_MEM}, true),
  set_config('jit', 'off', true), set_config('TimeZone', 'UTC', true)`;
/** The patients a drill-down lists per page at most (it counts them all). */
export const DRILL_DOWN_LIMIT = 500;

/** The on-read statement's JSON row (its numbers may arrive as strings: bigint counts). */
type MapRow = MapFigures;

/** Where the map's figures come from: the columns when they hold the range, else the touchpoints. */
export type MapSource = 'auto' | 'touchpoints';

/** Journey mapping over the touchpoint log: settings, the aggregate map, drill-downs, lists. */
export class JourneyMapService {
  /** The columns the map reads (docs/adr/0048), kept by the refresh job. */
  readonly columns: JourneyMapColumns;

  constructor(
    private readonly database: Database,
    private readonly audit: AuditLog,
    private readonly clock: () => Date = () => new Date(),
    /** The small-cell threshold is the organization's, one for every aggregate (KPIs too). */
    private readonly directory: DirectoryService = new DirectoryService(database, audit),
  ) {
    this.columns = new JourneyMapColumns(
      database,
      clock,
      async (orgId, tx) => (await this.settings(orgId, tx)).mapping,
    );
  }

  async settings(orgId: string, tx?: Db): Promise<JourneyMapSettings> {
    const read = async (db: Db) => {
      const [row] = await db
        .select()
        .from(journeyMapSettings)
        .where(eq(journeyMapSettings.orgId, orgId));
      const [organization] = await db
        .select({ threshold: organizations.aggregateSuppressionThreshold })
        .from(organizations)
        .where(eq(organizations.id, orgId));
      const suppressionThreshold = organization?.threshold ?? DEFAULT_SUPPRESSION_THRESHOLD;
      if (!row)
        return {
          stages: [...DEFAULT_STAGES],
          mapping: [...DEFAULT_STAGE_MAPPING],
          definitions: [...DEFAULT_DEFINITIONS],
          suppressionThreshold,
        };
      const stored: unknown = {
        stages: row.stages,
        mapping: row.mapping,
        definitions: row.definitions,
        suppressionThreshold,
      };
      // Written only by saveSettings after validation; checked again, as any decoded value.
      if (!Value.Check(JourneyMapSettings, stored))
        throw new Error('journey_map_settings holds a row that does not match its schema');
      return stored;
    };
    return tx ? read(tx) : this.database.withTenant(orgId, read);
  }

  async saveSettings(ctx: RequestContext, input: JourneyMapSettings): Promise<JourneyMapSettings> {
    const [problem] = taxonomyProblems(input.stages, input.mapping);
    if (problem) throw badRequest(problem.message, `/body${problem.path}`);
    const keys = new Set<string>();
    for (const [i, d] of input.definitions.entries()) {
      const [p] = definitionProblems(d);
      if (p) throw badRequest(p.message, `/body/definitions/${i}${p.path}`);
      if (keys.has(d.key)) throw badRequest('Already used', `/body/definitions/${i}/key`);
      keys.add(d.key);
    }
    const orgId = ctx.actor.orgId;
    const row = {
      orgId,
      stages: input.stages,
      mapping: input.mapping,
      definitions: input.definitions,
      updatedAt: this.clock(),
      updatedBy: ctx.actor.userId,
    };
    await this.database.withTenant(orgId, (tx) =>
      tx
        .insert(journeyMapSettings)
        .values(row)
        .onConflictDoUpdate({ target: journeyMapSettings.orgId, set: row }),
    );
    await this.directory.updateSettings(ctx.audit, {
      aggregateSuppressionThreshold: input.suppressionThreshold,
    });
    return input;
  }

  private assertQuery(ctx: RequestContext, q: JourneyMapQuery): void {
    const range = rangeProblem(q.from, q.to);
    if (range) throw badRequest(range.message, `/querystring/${range.field}`);
    if (q.condition && !mayRead(ctx.actor.role, 'condition', 'record'))
      throw forbidden('Filtering by condition needs clinical access');
    if (q.listId && !can(ctx.actor.role, 'list:read'))
      throw forbidden('Filtering by a list needs access to lists');
  }

  /** When the map is read as of: the end of the range, or now if that is still ahead. */
  private asOf(q: JourneyMapQuery): Date {
    const end = rangeEnd(q.to);
    const now = this.clock();
    return end < now ? end : now;
  }

  private definitionOf(
    settings: JourneyMapSettings,
    key: string | undefined,
  ): JourneyPathDefinition | null {
    if (!key) return settings.definitions[0] ?? null;
    const found = settings.definitions.find((d) => d.key === key);
    if (!found) throw badRequest('No such journey definition', '/querystring/definition');
    return found;
  }

  /** The aggregate journey map of a cohort, with small cells suppressed for this reader. */
  async map(
    ctx: RequestContext,
    q: JourneyMapQuery,
    source: MapSource = 'auto',
  ): Promise<JourneyMap> {
    this.assertQuery(ctx, q);
    const asOf = this.asOf(q);
    const raw = await this.database.withTenant(ctx.actor.orgId, async (tx) => {
      await tx.execute(MAP_SETTINGS);
      const settings = await this.settings(ctx.actor.orgId, tx);
      const definition = this.definitionOf(settings, q.definition);
      const figures =
        source === 'auto' && (await this.columns.covers(tx, ctx.actor.orgId, q, settings.mapping))
          ? await this.fromColumns(tx, ctx.actor.orgId, q, definition)
          : null;
      if (figures) {
        const funnel = definition
          ? this.funnelOfStandings(definition, this.standingsOf(figures, definition, asOf))
          : null;
        return { settings, raw: rawMap(figures, settings, funnel, asOf) };
      }
      const cohort = cohortTouchpoints(q, settings.mapping);
      const [row] = rowsOf<{ j: MapRow }>(await tx.execute(mapStatement(cohort)));
      if (!row) throw new Error('The journey map statement returned no row');
      const funnel = definition ? await this.funnel(tx, cohort, definition, asOf) : null;
      return { settings, raw: rawMap(row.j, settings, funnel, asOf) };
    });
    await this.audit.read(ctx.audit, {
      action: 'read',
      recordType: 'journey-map',
      reason: `journey map of ${raw.raw.patients} patients, ${q.from} to ${q.to}`,
    });
    return journeyMapFor(raw.raw, {
      suppress: !can(ctx.actor.role, 'clinical:read'),
      threshold: raw.settings.suppressionThreshold,
      mayDrillDown: can(ctx.actor.role, 'journey-map:drill-down'),
    });
  }

  /**
   * The map's figures from the columns (docs/adr/0048): the range's months, the patients the
   * filters admit (location and age band from the columns, the others from the database), and
   * with a definition each starter's path; with a drill, its patients' numbers.
   */
  private async fromColumns(
    tx: Db,
    orgId: string,
    q: JourneyMapQuery,
    definition: JourneyPathDefinition | null,
    drill?: ColumnarDrill,
  ): Promise<ColumnarMap | null> {
    let loaded: Awaited<ReturnType<JourneyMapColumns['load']>>;
    try {
      loaded = await this.columns.load(tx, orgId, q);
    } catch (error) {
      // Derived data that does not decode: answered from the touchpoints, and written again
      // whole by the next refresh.
      if (!(error instanceof ColumnsCorrupt)) throw error;
      await this.columns.discard(tx, orgId);
      return null;
    }
    const { months, patients } = loaded;
    const among = await this.columns.among(tx, orgId, q, patients.count);
    const band = q.ageBand ? ageBandBirthDates(q.ageBand, q.to) : null;
    const day = (d: string | null | undefined) =>
      d ? Math.floor(Date.parse(`${d}T00:00:00Z`) / 86_400_000) : undefined;
    const admits = admitsPatient(patients, {
      ...(q.locationId ? { locationId: q.locationId } : {}),
      ...(band?.bornAfter ? { bornAfterDay: day(band.bornAfter) } : {}),
      ...(band?.bornBy ? { bornByDay: day(band.bornBy) } : {}),
      ...(among ? { among } : {}),
    });
    return columnarMap(months, {
      fromUs: Date.parse(`${q.from}T00:00:00Z`) * 1000,
      toUs: rangeEnd(q.to).getTime() * 1000,
      admits,
      ...(definition
        ? {
            definition: {
              stepTypes: definition.steps.flatMap((s) => s.types),
              firstTypes: definition.steps[0]?.types ?? [],
            },
          }
        : {}),
      ...(drill ? { drill } : {}),
    });
  }

  /** Each starter's standing against `d`, from the columns' paths. */
  private standingsOf(figures: ColumnarMap, d: JourneyPathDefinition, asOf: Date) {
    return figures.paths.map((p) => ({
      patient: p.patient,
      standing: comparePath(
        d,
        p.events.map((e): PathEvent => ({ type: e.type, at: new Date(Math.floor(e.atUs / 1000)) })),
        asOf,
      ),
    }));
  }

  private funnelOfStandings(
    d: JourneyPathDefinition,
    standings: readonly { standing: ReturnType<typeof comparePath> }[],
  ) {
    return {
      definition: d.key,
      name: d.name,
      ...funnelOf(
        d.steps,
        standings.map((s) => s.standing),
      ),
    };
  }

  /**
   * Each patient's standing against `d` on read from the touchpoints: every patient of the
   * cohort with an event of its types (the reference the columns are compared with).
   */
  private async standings(
    tx: Db,
    cohort: ReturnType<typeof cohortTouchpoints>,
    d: JourneyPathDefinition,
    asOf: Date,
  ) {
    const rows = rowsOf<{ patientId: string; events: { type: string; at: string }[] }>(
      await tx.execute(pathsStatement(cohort, d)),
    );
    return rows.map((r) => ({
      patientId: r.patientId,
      standing: comparePath(
        d,
        r.events.map((e): PathEvent => ({ type: e.type, at: new Date(e.at) })),
        asOf,
      ),
    }));
  }

  private async funnel(
    tx: Db,
    cohort: ReturnType<typeof cohortTouchpoints>,
    d: JourneyPathDefinition,
    asOf: Date,
  ) {
    return this.funnelOfStandings(d, await this.standings(tx, cohort, d, asOf));
  }

  /** The patients behind one pain point (audited; roles that may see names only). */
  async drillDown(
    ctx: RequestContext,
    q: DrillDownQuery,
    source: MapSource = 'auto',
  ): Promise<DrillDownResult> {
    this.assertQuery(ctx, q);
    const asOf = this.asOf(q);
    const orgId = ctx.actor.orgId;
    const ids = await this.database.withTenant(orgId, async (tx) => {
      await tx.execute(MAP_SETTINGS);
      const settings = await this.settings(orgId, tx);
      const fromColumns =
        source === 'auto' && (await this.columns.covers(tx, orgId, q, settings.mapping));
      const cohort = cohortTouchpoints(q, settings.mapping);
      if (q.kind === 'drop-off') {
        const definition = this.definitionOf(settings, q.definition);
        const index = definition?.steps.findIndex((s) => s.key === q.detail) ?? -1;
        if (!definition || index < 0) throw badRequest('No such step', '/querystring/detail');
        const stopped = (s: ReturnType<typeof comparePath>) =>
          s.applies && s.reached === index && s.status !== 'completed';
        const figures = fromColumns ? await this.fromColumns(tx, orgId, q, definition) : null;
        if (figures) {
          const numbers = this.standingsOf(figures, definition, asOf)
            .filter((s) => stopped(s.standing))
            .map((s) => s.patient);
          return this.columns.patientIds(tx, orgId, numbers);
        }
        return (await this.standings(tx, cohort, definition, asOf))
          .filter((s) => stopped(s.standing))
          .map((s) => s.patientId);
      }
      let set: DrillSet | { from: string; to: string };
      if (q.kind === 'wait') {
        const [from, to] = (q.detail ?? '').split('>');
        if (!from || !to) throw badRequest('A transition, from>to', '/querystring/detail');
        set = { from, to };
      } else set = q.kind;
      const figures = fromColumns ? await this.fromColumns(tx, orgId, q, null, set) : null;
      if (figures) {
        return this.columns.patientIds(tx, orgId, figures.drill);
      }
      return rowsOf<{ patient_id: string }>(await tx.execute(drillStatement(cohort, set))).map(
        (r) => r.patient_id,
      );
    });
    const offset = q.offset ?? 0;
    // Pages by id: the same page for the same cohort, whatever order the statement found them in.
    const listed = [...ids].sort().slice(offset, offset + (q.limit ?? DRILL_DOWN_LIMIT));
    const patients = await this.database.withTenant(ctx.actor.orgId, async (tx) =>
      listed.length === 0
        ? []
        : rowsOf<{ id: string; givenName: string; familyName: string }>(
            await tx.execute(sql`select id, given_name as "givenName", family_name as "familyName"
              from patients where id in (${sql.join(
                listed.map((id) => sql`${id}::uuid`),
                sql`, `,
              )})
              order by family_name, given_name, id`),
          ),
    );
    await this.audit.read(ctx.audit, {
      action: 'read',
      recordType: 'journey-map-drill-down',
      reason: `${q.kind}${q.detail ? ` ${q.detail}` : ''}: ${ids.length} patients (${listed.length} from ${offset}), ${q.from} to ${q.to}`,
    });
    return {
      total: ids.length,
      offset,
      patients: patients.map((p) => ({ ...p, restricted: false })),
    };
  }

  /** One patient's journey: events by stage, waits, sentiment, standing against each definition. */
  async patientJourney(ctx: RequestContext, patientId: string): Promise<PatientJourney> {
    const { settings, rows } = await this.database.withTenant(ctx.actor.orgId, async (tx) => {
      const exists = rowsOf(
        await tx.execute(sql`select 1 from patients where id = ${patientId}::uuid`),
      );
      if (exists.length === 0) throw notFound('Patient');
      const settings = await this.settings(ctx.actor.orgId, tx);
      const rows = rowsOf<{ j: StoredTouchpoint }>(
        await tx.execute(sql`select json_build_object(
            'id', t.id, 'occurredAt', t.occurred_at, 'channel', t.channel, 'direction', t.direction,
            'type', t.type, 'stage', t.stage, 'sourceSystem', t.source_system, 'outcome', t.outcome,
            'summary', t.summary, 'nonClinicalSummary', t.non_clinical_summary,
            'subjectType', t.subject_type, 'subjectId', t.subject_id) as j
          from touchpoints t where t.patient_id = ${patientId}::uuid
          order by t.occurred_at desc, t.id desc limit ${PATIENT_JOURNEY_LIMIT + 1}`),
      );
      return { settings, rows };
    });
    const truncated = rows.length > PATIENT_JOURNEY_LIMIT;
    const stored = rows
      .slice(0, PATIENT_JOURNEY_LIMIT)
      .map((r) => r.j)
      .reverse();
    let previous: { stage: string; at: number } | null = null;
    const events = stored.map((raw) => {
      const t = touchpointFor(ctx.actor.role, {
        ...raw,
        occurredAt: new Date(raw.occurredAt).toISOString(),
      });
      const stage = resolveStage(settings.mapping, raw);
      const at = Date.parse(t.occurredAt);
      const event = {
        id: t.id,
        occurredAt: t.occurredAt,
        channel: t.channel,
        direction: t.direction,
        type: t.type,
        stage,
        outcome: t.outcome,
        summary: t.summary,
        stageChange: previous !== null && previous.stage !== stage,
        waitDays: previous === null ? null : (at - previous.at) / 86_400_000,
        sentiment: sentimentOf(t.outcome),
      };
      previous = { stage, at };
      return event;
    });
    const asOf = this.clock();
    const path = stored.map((t) => ({ type: t.type, at: new Date(t.occurredAt) }));
    const standings = settings.definitions
      .map((d) => ({ d, s: comparePath(d, path, asOf) }))
      .filter((x) => x.s.applies)
      .map(({ d, s }) => ({
        definition: d.key,
        name: d.name,
        status: s.status,
        steps: s.steps.map((step) => ({ ...step, at: step.at ? step.at.toISOString() : null })),
      }));
    await this.audit.read(ctx.audit, {
      action: 'read',
      recordType: 'journey',
      patientId,
      recordId: patientId,
    });
    return { stages: settings.stages, events, truncated, standings };
  }
}

/** The statement's figures, the funnel and the pain points ranked, before suppression. */
function rawMap(
  row: MapRow,
  settings: JourneyMapSettings,
  funnel: RawJourneyMap['funnel'],
  asOf: Date,
): RawJourneyMap {
  const num = (v: unknown) => Number(v);
  const links = row.links.map((l) => ({
    source: `${num(l.fromPosition)}${SANKEY_NODE_SEPARATOR}${l.from}`,
    target: `${num(l.fromPosition) + 1}${SANKEY_NODE_SEPARATOR}${l.to}`,
    patients: num(l.patients),
  }));
  const nodeIds = [...new Set(links.flatMap((l) => [l.source, l.target]))];
  const nodes = nodeIds.map((id) => {
    const [position, stage] = id.split(SANKEY_NODE_SEPARATOR);
    return { id, stage: stage ?? '', position: Number(position) };
  });
  const transitions = row.transitions.map((t) => ({
    from: t.from,
    to: t.to,
    patients: num(t.patients),
    medianDays: t.medianDays === null ? null : num(t.medianDays),
    p90Days: t.p90Days === null ? null : num(t.p90Days),
  }));
  const stageLabel = (key: string) => settings.stages.find((s) => s.key === key)?.label ?? key;
  const pain: RawJourneyMap['painPoints'] = [];
  for (const step of funnel?.steps ?? []) {
    if (step.dropOffRate === null || step.stoppedHere === 0) continue;
    pain.push({
      kind: 'drop-off',
      label: `Stopped after "${step.label}"`,
      patients: step.stoppedHere,
      measure: step.dropOffRate,
      unit: 'rate',
      detail: step.key,
    });
  }
  for (const t of transitions) {
    if (t.p90Days === null) continue;
    pain.push({
      kind: 'wait',
      label: `Wait from ${stageLabel(t.from)} to ${stageLabel(t.to)} (90th percentile)`,
      patients: t.patients,
      measure: t.p90Days,
      unit: 'days',
      detail: `${t.from}>${t.to}`,
    });
  }
  const sets: [PainPoint['kind'], string, number][] = [
    ['no-show', 'Patients who missed an appointment', num(row.noShows)],
    [
      'repeated-contact',
      `Contacted ${3} or more times about the same thing in a week`,
      num(row.repeatedContacts),
    ],
    ['negative-feedback', 'Patients who rated a visit 6 or less', num(row.negativeFeedback)],
  ];
  for (const [kind, label, n] of sets)
    if (n > 0) pain.push({ kind, label, patients: n, measure: n, unit: 'patients', detail: null });
  return {
    asOf: asOf.toISOString(),
    patients: num(row.patients),
    touchpoints: num(row.touchpoints),
    stages: settings.stages,
    sankey: { nodes: nodes.filter((n) => n.position <= SANKEY_DEPTH), links },
    transitions,
    channelMix: groupMix(row.channelMix),
    funnel,
    painPoints: rankPainPoints(pain),
  };
}

function groupMix(rows: MapRow['channelMix']): RawJourneyMap['channelMix'] {
  const byStage = new Map<string, { channel: string; count: number }[]>();
  for (const r of rows) {
    const list = byStage.get(r.stage) ?? [];
    list.push({ channel: r.channel, count: Number(r.count) });
    byStage.set(r.stage, list);
  }
  return [...byStage].map(([stage, channels]) => ({
    stage,
    channels: channels.sort((a, b) => b.count - a.count || a.channel.localeCompare(b.channel)),
  }));
}

/**
 * Pain points in one ranked list: the worst of each kind first (highest drop-off rate, longest
 * 90th-percentile wait, most patients), then by patients affected; the top 12 are kept.
 */
function rankPainPoints(points: RawJourneyMap['painPoints']): RawJourneyMap['painPoints'] {
  const order: PainPoint['kind'][] = [
    'drop-off',
    'wait',
    'no-show',
    'repeated-contact',
    'negative-feedback',
  ];
  const byKind = order.map((kind) =>
    points
      .filter((p) => p.kind === kind)
      .sort((a, b) => (b.measure ?? 0) - (a.measure ?? 0) || b.patients - a.patients),
  );
  const ranked: RawJourneyMap['painPoints'] = [];
  for (let round = 0; ranked.length < 12 && byKind.some((list) => list.length > round); round++)
    for (const list of byKind) {
      const p = list[round];
      if (p && ranked.length < 12) ranked.push(p);
    }
  return ranked;
}
