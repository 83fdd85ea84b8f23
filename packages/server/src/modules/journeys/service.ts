import {
  badRequest,
  CareloopError,
  conflict,
  type DeadLetter,
  type EnrolmentCounts,
  type JourneyDefinition,
  type JourneyDetail,
  type JourneyStatus,
  type JourneySummary,
  journeyListRefs,
  type NodeCounts,
  notFound,
  type ReadyJourney,
  unknownReference,
  validateJourney,
} from '@careloop/core';
import { and, desc, eq, sql } from 'drizzle-orm';
import type { Database, Db } from '../../db/client.js';
import { rowsOf } from '../../db/rows.js';
import type { RequestContext } from '../../http/actor.js';
import type { AuditLog } from '../audit/service.js';
import type { ListService } from '../lists/service.js';
import { patients } from '../patients/schema.js';
import { ensureTemplates, READY_TEMPLATES, sendableChannels } from '../templates/service.js';
import { READY_LISTS, readyJourneys } from './ready.js';
import { type JourneyRuntime, patientContext } from './runtime.js';
import { journeyEnrolments, journeySteps, journeys, journeyVersions } from './schema.js';
import { unpublishableWebhook } from './webhook-action.js';

/** Who changes a journey: a signed-in admin, or the CLI (no user). */
export interface JourneyEditor {
  orgId: string;
  userId: string | null;
}

/**
 * Journeys as definitions (docs/adr/0025): drafts validated on save, immutable published
 * versions, pause and resume, the ready journeys, per-node counts, dead letters.
 */
export class JourneyService {
  constructor(
    private readonly database: Database,
    private readonly audit: AuditLog,
    readonly runtime: JourneyRuntime,
    private readonly clock: () => Date,
    /** Issue 11 (h11l): the lists a journey names must exist to publish it. */
    private readonly lists: ListService | null = null,
  ) {}

  /** Saves `definition` as the draft of the journey with its key (created if new). */
  async saveDraft(editor: JourneyEditor, definition: unknown): Promise<string> {
    const journey = checked(definition);
    const now = this.clock();
    return this.database.withTenant(editor.orgId, async (tx) => {
      const [row] = await tx
        .insert(journeys)
        .values({
          orgId: editor.orgId,
          key: journey.key,
          name: journey.name,
          draft: journey,
          createdAt: now,
          updatedAt: now,
        })
        .onConflictDoUpdate({
          target: [journeys.orgId, journeys.key],
          set: { name: journey.name, draft: journey, updatedAt: now },
        })
        .returning({ id: journeys.id });
      if (!row) throw new Error('journey upsert returned no row');
      return row.id;
    });
  }

  /** Updates the draft of journey `id`; its key cannot change. */
  async updateDraft(editor: JourneyEditor, id: string, definition: unknown): Promise<void> {
    const journey = checked(definition);
    await this.database.withTenant(editor.orgId, async (tx) => {
      const current = await this.find(tx, id);
      if (current.key !== journey.key)
        throw badRequest('a journey keeps its key', '/body/definition/key');
      await tx
        .update(journeys)
        .set({ name: journey.name, draft: journey, updatedAt: this.clock() })
        .where(eq(journeys.id, id));
    });
  }

  /**
   * Publishes the draft as the next version. Running enrolments stay on the version they
   * started; new ones take this one. Returns the version number.
   */
  async publish(editor: JourneyEditor, id: string): Promise<number> {
    const now = this.clock();
    return this.database.withTenant(editor.orgId, async (tx) => {
      const current = await this.find(tx, id, true);
      const journey = checked(current.draft);
      // Issue 11 (h11w): a webhook action names an enabled endpoint of the organization.
      const webhooks = this.runtime.journeyWebhooks;
      const refused = webhooks ? await unpublishableWebhook(tx, webhooks, journey) : null;
      if (refused) throw refused;
      await this.checkLists(tx, journey);
      await checkTemplates(tx, editor.orgId, journey);
      const version = (current.publishedVersion ?? 0) + 1;
      await tx.insert(journeyVersions).values({
        orgId: editor.orgId,
        journeyId: id,
        version,
        definition: journey,
        publishedAt: now,
        publishedBy: editor.userId,
      });
      await tx
        .update(journeys)
        .set({
          publishedVersion: version,
          status: current.status === 'paused' ? 'paused' : 'published',
          updatedAt: now,
        })
        .where(eq(journeys.id, id));
      return version;
    });
  }

  /** Pauses a published journey: no step moves until `resume`. */
  async pause(editor: JourneyEditor, id: string): Promise<void> {
    await this.database.withTenant(editor.orgId, async (tx) => {
      const current = await this.find(tx, id, true);
      if (current.status !== 'published') throw badRequest('only a published journey pauses');
      await tx
        .update(journeys)
        .set({ status: 'paused', updatedAt: this.clock() })
        .where(eq(journeys.id, id));
    });
  }

  /**
   * Resumes a paused journey and wakes the enrolments that fell due meanwhile. A send whose
   * window passed is recorded as expired; none is sent twice (steps are keyed).
   */
  async resume(editor: JourneyEditor, id: string): Promise<number> {
    return this.database.withTenant(editor.orgId, async (tx) => {
      const current = await this.find(tx, id, true);
      if (current.status !== 'paused') throw badRequest('only a paused journey resumes');
      await tx
        .update(journeys)
        .set({ status: 'published', updatedAt: this.clock() })
        .where(eq(journeys.id, id));
      const due = await this.runtime.dueEnrolments(tx, id, this.clock());
      await this.runtime.wakeAll(tx, editor.orgId, due);
      return due.length;
    });
  }

  /** Installs a ready journey for the organization and publishes it (again, if changed). */
  async enableReady(editor: JourneyEditor, key: string): Promise<string> {
    const ready = readyJourneys().find((j) => j.key === key);
    if (!ready) throw notFound('Ready journey');
    // Issue 11 (h11l): a ready journey's lists are the organization's, created on first use.
    const named = journeyListRefs(ready).flatMap((ref) => {
      const name = READY_LISTS[ref.list];
      return name && this.lists ? [{ key: ref.list, name, lists: this.lists }] : [];
    });
    await this.database.withTenant(editor.orgId, async (tx) => {
      for (const { key, name, lists } of named) await lists.ensure(tx, editor.orgId, key, name);
      // Its texts: Careloop's ready templates the organization lacks (one it has, edited or
      // not, is kept), so a ready journey sends its real text in any organization, not only in
      // the demo, whose seed writes them.
      await ensureTemplates(tx, editor.orgId, READY_TEMPLATES, this.clock());
    });
    const id = await this.saveDraft(editor, ready);
    await this.publish(editor, id);
    return id;
  }

  async listReady(orgId: string): Promise<ReadyJourney[]> {
    const installed = await this.database.withTenant(orgId, (tx) =>
      tx.select({ id: journeys.id, key: journeys.key }).from(journeys),
    );
    const byKey = new Map(installed.map((r) => [r.key, r.id]));
    return readyJourneys().map((j) => ({
      key: j.key,
      name: j.name,
      description: j.description ?? '',
      journeyId: byKey.get(j.key) ?? null,
    }));
  }

  /** Every journey with its status, version and enrolment counts (aggregates: no PHI). */
  async list(orgId: string): Promise<JourneySummary[]> {
    return this.database.withTenant(orgId, async (tx) => {
      const rows = await tx.select().from(journeys).orderBy(journeys.name);
      const counts = await enrolmentCounts(tx, null);
      return rows.map((row) => summary(row, counts.get(row.id)));
    });
  }

  /** A journey's draft and published graph with per-node counts of its enrolments. */
  async detail(orgId: string, id: string): Promise<JourneyDetail> {
    return this.database.withTenant(orgId, async (tx) => {
      const row = await this.find(tx, id);
      const [published] = row.publishedVersion
        ? await tx
            .select({ definition: journeyVersions.definition })
            .from(journeyVersions)
            .where(
              and(
                eq(journeyVersions.journeyId, id),
                eq(journeyVersions.version, row.publishedVersion),
              ),
            )
        : [];
      const counts = await enrolmentCounts(tx, id);
      return {
        journey: summary(row, counts.get(id)),
        draft: row.draft,
        published: published?.definition ?? null,
        nodes: await nodeCounts(tx, id),
      };
    });
  }

  /** Enrolments whose step failed past its retries, newest first; each an audited read. */
  async deadLetters(ctx: RequestContext): Promise<DeadLetter[]> {
    const orgId = ctx.actor.orgId;
    const rows = await this.database.withTenant(orgId, (tx) =>
      tx
        .select({
          enrolmentId: journeyEnrolments.id,
          journeyId: journeyEnrolments.journeyId,
          journeyName: journeys.name,
          patientId: journeyEnrolments.patientId,
          node: journeyEnrolments.currentNode,
          error: journeyEnrolments.lastError,
          updatedAt: journeyEnrolments.updatedAt,
        })
        .from(journeyEnrolments)
        .innerJoin(journeys, eq(journeys.id, journeyEnrolments.journeyId))
        .where(eq(journeyEnrolments.status, 'failed'))
        .orderBy(desc(journeyEnrolments.updatedAt))
        .limit(200),
    );
    await Promise.all(
      rows.map((row) =>
        this.audit.read(ctx.audit, {
          action: 'read',
          recordType: 'journey-enrolment',
          recordId: row.enrolmentId,
          patientId: row.patientId,
        }),
      ),
    );
    return rows.map((row) => ({
      ...row,
      error: row.error ?? 'error',
      updatedAt: row.updatedAt.toISOString(),
    }));
  }

  /**
   * Enrols a patient by hand (staff or the API) in a published journey; the re-entry rule
   * applies per patient. Returns the enrolment's id.
   */
  async enrolManually(ctx: RequestContext, journeyId: string, patientId: string): Promise<string> {
    const orgId = ctx.actor.orgId;
    return this.database.withTenant(orgId, async (tx) => {
      await this.find(tx, journeyId);
      const [patient] = await tx
        .select({ id: patients.id })
        .from(patients)
        .where(eq(patients.id, patientId));
      if (!patient) throw unknownReference('patientId', 'patient');
      const context = await patientContext(tx, patientId, { times: {}, attributes: {} });
      const id = await this.runtime.enrol(tx, {
        orgId,
        journeyId,
        patientId,
        contextKey: 'manual',
        context,
      });
      if (!id)
        throw conflict('The journey is not published, or its re-entry rule keeps this patient out');
      await this.audit.inTransaction(tx, ctx.audit, {
        action: 'create',
        recordType: 'journey-enrolment',
        recordId: id,
        patientId,
      });
      return id;
    });
  }

  /** Puts a failed enrolment back to work where it failed. */
  async retry(ctx: RequestContext, enrolmentId: string): Promise<void> {
    const orgId = ctx.actor.orgId;
    await this.database.withTenant(orgId, async (tx) => {
      const [row] = await tx
        .update(journeyEnrolments)
        .set({ status: 'active', lastError: null, updatedAt: this.clock() })
        .where(and(eq(journeyEnrolments.id, enrolmentId), eq(journeyEnrolments.status, 'failed')))
        .returning({ patientId: journeyEnrolments.patientId });
      if (!row) throw notFound('Failed enrolment');
      await this.audit.inTransaction(tx, ctx.audit, {
        action: 'update',
        recordType: 'journey-enrolment',
        recordId: enrolmentId,
        patientId: row.patientId,
      });
      await this.runtime.wakeAll(tx, orgId, [enrolmentId]);
    });
  }

  // Issue 11 (h11l): lists named by a journey.
  /** Refuses a journey naming a list (by id or key) the organization does not have. */
  private async checkLists(tx: Db, journey: JourneyDefinition): Promise<void> {
    for (const ref of journeyListRefs(journey)) {
      const list = this.lists ? await this.lists.resolve(tx, ref.list) : null;
      if (!list)
        throw new CareloopError(
          'unknown_reference',
          `${ref.path}: no patient list ${ref.list} in this organization`,
          `/body/definition${ref.path}`,
        );
    }
  }

  private async find(tx: Db, id: string, forUpdate = false) {
    const query = tx.select().from(journeys).where(eq(journeys.id, id));
    const [row] = forUpdate ? await query.for('update') : await query;
    if (!row) throw notFound('Journey');
    return row;
  }
}

// Issue 11 (h11t): a send names a template the organization has (docs/journeys.md).
/**
 * Refuses a journey with a send whose template the organization lacks: no template with the
 * key, or no version in the organization's default language on the action's channel (on any
 * channel, for `preferred`). A 422 naming the node's field, as for webhook endpoints.
 */
async function checkTemplates(tx: Db, orgId: string, journey: JourneyDefinition): Promise<void> {
  const sends = journey.nodes.flatMap((node, index) =>
    node.type === 'action' && node.action.kind === 'send'
      ? [{ index, template: node.action.template, channel: node.action.channel }]
      : [],
  );
  if (sends.length === 0) return;
  const sendable = await sendableChannels(tx, orgId, [...new Set(sends.map((s) => s.template))]);
  const missing = sends.find((send) => {
    const channels = sendable.get(send.template);
    if (!channels) return true;
    return send.channel === 'preferred' ? channels.size === 0 : !channels.has(send.channel);
  });
  if (missing)
    throw unknownReference(
      `definition/nodes/${missing.index}/action/template`,
      missing.channel === 'preferred'
        ? `template "${missing.template}" (with a version in the default language)`
        : missing.channel === 'portal'
          ? `template "${missing.template}" (with a portal or email version in the default language)`
          : `template "${missing.template}" (with a ${missing.channel} version in the default language)`,
    );
}

/** A definition from a form, a file or a row: the schema and the graph checks, else a 400. */
export function checked(definition: unknown): JourneyDefinition {
  const result = validateJourney(definition);
  if (result.ok) return result.journey;
  const [first] = result.issues;
  throw new CareloopError(
    'validation_failed',
    result.issues.map((i) => `${i.path}: ${i.message}`).join('; '),
    `/body/definition${first?.path === '/' ? '' : (first?.path ?? '')}`,
  );
}

function summary(
  row: typeof journeys.$inferSelect,
  counts: EnrolmentCounts | undefined,
): JourneySummary {
  return {
    id: row.id,
    key: row.key,
    name: row.name,
    status: row.status as JourneyStatus,
    publishedVersion: row.publishedVersion,
    enrolments: counts ?? { active: 0, completed: 0, exited: 0, failed: 0, converted: 0 },
  };
}

async function enrolmentCounts(
  tx: Db,
  journeyId: string | null,
): Promise<Map<string, EnrolmentCounts>> {
  const rows = rowsOf<{
    journey_id: string;
    active: number;
    completed: number;
    exited: number;
    failed: number;
    converted: number;
  }>(
    await tx.execute(sql`
      select journey_id,
             count(*) filter (where status = 'active')::int as active,
             count(*) filter (where status = 'completed')::int as completed,
             count(*) filter (where status = 'exited')::int as exited,
             count(*) filter (where status = 'failed')::int as failed,
             count(converted_at)::int as converted
      from journey_enrolments
      ${journeyId ? sql`where journey_id = ${journeyId}` : sql``}
      group by journey_id`),
  );
  return new Map(
    rows.map((r) => [
      r.journey_id,
      {
        active: Number(r.active),
        completed: Number(r.completed),
        exited: Number(r.exited),
        failed: Number(r.failed),
        converted: Number(r.converted),
      },
    ]),
  );
}

async function nodeCounts(tx: Db, journeyId: string): Promise<Record<string, NodeCounts>> {
  const entered = rowsOf<{ node_id: string; n: number }>(
    await tx.execute(sql`
      select node_id, count(*)::int as n from ${journeySteps}
      where journey_id = ${journeyId} group by node_id`),
  );
  const at = rowsOf<{ node: string; status: string; n: number }>(
    await tx.execute(sql`
      select current_node as node, status, count(*)::int as n from ${journeyEnrolments}
      where journey_id = ${journeyId} group by current_node, status`),
  );
  const nodes: Record<string, NodeCounts> = {};
  const of = (id: string): NodeCounts => {
    nodes[id] ??= { entered: 0, waiting: 0, completed: 0, exited: 0, failed: 0 };
    return nodes[id];
  };
  for (const r of entered) of(r.node_id).entered = Number(r.n);
  for (const r of at) {
    const counts = of(r.node);
    if (r.status === 'active') counts.waiting = Number(r.n);
    else if (r.status === 'completed') counts.completed = Number(r.n);
    else if (r.status === 'exited') counts.exited = Number(r.n);
    else if (r.status === 'failed') counts.failed = Number(r.n);
  }
  return nodes;
}
