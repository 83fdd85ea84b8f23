import {
  badRequest,
  CAP_BUCKETS,
  CareloopError,
  capBucket,
  lintTemplate,
  type MessagePolicySettings,
  type MessageTemplate,
  type MessageTemplateCreate,
  notFound,
  smsSegments,
  type TemplateChannel,
  type TemplateLanguage,
  type TemplatePreview,
  type TemplatePreviewRequest,
  type TemplatePurpose,
  type TemplateVersion,
  type TemplateVersionBody,
  type TemplateVersionSaved,
  templateLanguage,
} from '@careloop/core';
import { and, asc, eq, inArray, sql } from 'drizzle-orm';
import type { Database, Db } from '../../db/client.js';
import type { RequestContext } from '../../http/actor.js';
import type { AuditLog } from '../audit/service.js';
import type { RestrictionService } from '../restrictions/service.js';
import { mergeValuesFor, renderBodies } from './render.js';

// What messaging needs to render and time a patient's message (send-template.ts, send-policy.ts).
// Issue 11 at scale: the zones of a batch's patients at once.
export {
  messagePolicyOf,
  type OrganizationMessagePolicy,
  patientZone,
  patientZones,
} from './policy.js';
export { READY_TEMPLATES, type TemplateSeed } from './ready.js';
export { type MergeContext, mergeValuesFor, renderBodies, type SurveyLinker } from './render.js';

import { messagePolicyOf } from './policy.js';
import type { TemplateSeed } from './ready.js';
import { messagePolicies, messageTemplates, messageTemplateVersions } from './schema.js';

type TemplateRow = typeof messageTemplates.$inferSelect;
type VersionRow = typeof messageTemplateVersions.$inferSelect;

/** A version to write, as the seed and the editor give it. */

/** Lint errors as the one problem shape: the first error names its field. */
function refuseLint(channel: TemplateChannel, body: TemplateVersionBody) {
  const { errors, warnings } = lintTemplate(channel, body);
  const first = errors[0];
  if (first) throw new CareloopError('validation_failed', first.message, `/body/${first.path}`);
  return warnings;
}

function toVersion(row: VersionRow): TemplateVersion {
  return {
    channel: row.channel as TemplateChannel,
    language: row.language as TemplateLanguage,
    subject: row.subject,
    text: row.textBody,
    html: row.htmlBody,
    revision: row.revision,
    updatedAt: row.updatedAt.toISOString(),
  };
}

/**
 * Message templates (issue 11): the only writer of `message_templates` and their versions.
 * Every version is linted when saved (unknown or clinical fields refused), so rendering a
 * saved template for a send never meets a field it cannot fill.
 */
export class TemplateService {
  constructor(
    private readonly database: Database,
    private readonly audit: AuditLog,
    private readonly restrictions: RestrictionService,
    private readonly options: { publicUrl: string; clock: () => Date },
  ) {}

  async list(ctx: RequestContext): Promise<MessageTemplate[]> {
    const orgId = ctx.actor.orgId;
    return this.database.withTenant(orgId, async (tx) => {
      const rows = await tx
        .select()
        .from(messageTemplates)
        .where(eq(messageTemplates.orgId, orgId))
        .orderBy(asc(messageTemplates.key));
      return this.withVersions(tx, rows);
    });
  }

  async get(ctx: RequestContext, id: string): Promise<MessageTemplate> {
    const orgId = ctx.actor.orgId;
    return this.database.withTenant(orgId, async (tx) => {
      const rows = await tx
        .select()
        .from(messageTemplates)
        .where(and(eq(messageTemplates.orgId, orgId), eq(messageTemplates.id, id)));
      const [template] = await this.withVersions(tx, rows);
      if (!template) throw notFound('Template');
      return template;
    });
  }

  async create(ctx: RequestContext, input: MessageTemplateCreate): Promise<MessageTemplate> {
    const bucket = input.capBucket ?? 'purpose';
    if (bucket === 'requested-series' && capBucket(input.purpose, bucket) !== bucket)
      throw badRequest(
        'A marketing template counts against the marketing cap, never as a requested series',
        '/body/capBucket',
      );
    const orgId = ctx.actor.orgId;
    const now = this.options.clock();
    const [row] = await this.database.withTenant(orgId, (tx) =>
      tx
        .insert(messageTemplates)
        .values({
          orgId,
          key: input.key,
          name: input.name,
          purpose: input.purpose,
          capBucket: bucket,
          description: input.description ?? null,
          createdAt: now,
          updatedAt: now,
        })
        .onConflictDoNothing({ target: [messageTemplates.orgId, messageTemplates.key] })
        .returning(),
    );
    if (!row) throw new CareloopError('conflict', 'A template with this key exists', '/body/key');
    return { ...this.toTemplate(row), versions: [] };
  }

  /** Saves one channel and language of a template; lint errors are a 400 naming the field. */
  async saveVersion(
    ctx: RequestContext,
    id: string,
    channel: TemplateChannel,
    language: TemplateLanguage,
    body: TemplateVersionBody,
  ): Promise<TemplateVersionSaved> {
    const warnings = refuseLint(channel, body);
    const orgId = ctx.actor.orgId;
    const now = this.options.clock();
    const version = await this.database.withTenant(orgId, async (tx) => {
      const [template] = await tx
        .update(messageTemplates)
        .set({ updatedAt: now })
        .where(and(eq(messageTemplates.orgId, orgId), eq(messageTemplates.id, id)))
        .returning({ id: messageTemplates.id });
      if (!template) throw notFound('Template');
      return writeVersion(tx, orgId, id, channel, language, body, now, ctx.actor.userId);
    });
    return { version: toVersion(version), warnings };
  }

  /**
   * Renders draft bodies against a real patient: a read of the patient's data, guarded for
   * restricted records and audited, as any other.
   */
  async preview(
    ctx: RequestContext,
    id: string,
    request: TemplatePreviewRequest,
  ): Promise<TemplatePreview> {
    const warnings = refuseLint(request.channel, request.body);
    const orgId = ctx.actor.orgId;
    await this.restrictions.guard(ctx, [request.patientId], 'template-preview');
    const asOf = ctx.asOf ?? this.options.clock();
    const merge = await this.database.withTenant(orgId, async (tx) => {
      const [template] = await tx
        .select({ id: messageTemplates.id })
        .from(messageTemplates)
        .where(and(eq(messageTemplates.orgId, orgId), eq(messageTemplates.id, id)));
      if (!template) throw notFound('Template');
      return mergeValuesFor(
        tx,
        { orgId, patientId: request.patientId, asOf },
        this.options.publicUrl,
      );
    });
    if (!merge) throw badRequest('No such patient', '/body/patientId');
    await this.audit.read(ctx.audit, {
      action: 'read',
      recordType: 'template-preview',
      recordId: id,
      patientId: request.patientId,
    });
    const language = request.language ?? merge.language;
    const rendered = renderBodies(request.body, merge.values);
    const segments = request.channel === 'sms' ? smsSegments(rendered.text) : null;
    return {
      ...rendered,
      language,
      timeZone: merge.timeZone,
      segments: segments && {
        encoding: segments.encoding,
        units: segments.units,
        segments: segments.segments,
        perSegment: segments.perSegment,
      },
      warnings,
    };
  }

  /** The organization's send-time policy, defaults filled in. */
  async getPolicy(ctx: RequestContext): Promise<MessagePolicySettings> {
    const orgId = ctx.actor.orgId;
    const policy = await this.database.withTenant(orgId, (tx) => messagePolicyOf(tx, orgId));
    return {
      defaultLanguage: templateLanguage(policy.defaultLanguage) ?? 'en',
      quietStartMinute: policy.window.startMinute,
      quietEndMinute: policy.window.endMinute,
      frequencyCaps: policy.caps,
    };
  }

  /** Sets the organization's send-time policy (admins); audited as a change of settings. */
  async setPolicy(
    ctx: RequestContext,
    input: MessagePolicySettings,
  ): Promise<MessagePolicySettings> {
    if (input.quietEndMinute <= input.quietStartMinute)
      throw badRequest('Sending must stop after it starts', '/body/quietEndMinute');
    for (const bucket of CAP_BUCKETS) {
      const cap = input.frequencyCaps[bucket];
      if (cap && cap.perWeek < cap.perDay)
        throw badRequest(
          'A week allows at least what a day does',
          `/body/frequencyCaps/${bucket}/perWeek`,
        );
    }
    const orgId = ctx.actor.orgId;
    const now = this.options.clock();
    await this.database.withTenant(orgId, async (tx) => {
      // A client that does not know the requested-series bucket keeps its setting as it was.
      const current = await messagePolicyOf(tx, orgId);
      const values = {
        defaultLanguage: input.defaultLanguage,
        quietStartMinute: input.quietStartMinute,
        quietEndMinute: input.quietEndMinute,
        frequencyCaps: {
          ...input.frequencyCaps,
          'requested-series':
            input.frequencyCaps['requested-series'] ?? current.caps['requested-series'],
        },
        updatedAt: now,
      };
      await tx
        .insert(messagePolicies)
        .values({ orgId, ...values })
        .onConflictDoUpdate({ target: messagePolicies.orgId, set: values });
      await this.audit.inTransaction(tx, ctx.audit, {
        action: 'update',
        recordType: 'message-policy',
        recordId: orgId,
      });
    });
    return this.getPolicy(ctx);
  }

  private async withVersions(tx: Db, rows: TemplateRow[]): Promise<MessageTemplate[]> {
    if (rows.length === 0) return [];
    const versions = await tx
      .select()
      .from(messageTemplateVersions)
      .where(
        inArray(
          messageTemplateVersions.templateId,
          rows.map((r) => r.id),
        ),
      )
      .orderBy(asc(messageTemplateVersions.channel), asc(messageTemplateVersions.language));
    return rows.map((row) => ({
      ...this.toTemplate(row),
      versions: versions.filter((v) => v.templateId === row.id).map(toVersion),
    }));
  }

  private toTemplate(row: TemplateRow): Omit<MessageTemplate, 'versions'> {
    return {
      id: row.id,
      key: row.key,
      name: row.name,
      purpose: row.purpose as TemplatePurpose,
      capBucket: row.capBucket === 'requested-series' ? 'requested-series' : 'purpose',
      description: row.description,
      updatedAt: row.updatedAt.toISOString(),
    };
  }
}

async function writeVersion(
  tx: Db,
  orgId: string,
  templateId: string,
  channel: TemplateChannel,
  language: TemplateLanguage,
  body: TemplateVersionBody,
  now: Date,
  userId: string | null,
): Promise<VersionRow> {
  const values = {
    subject: channel === 'email' ? (body.subject ?? null) : null,
    textBody: body.text,
    htmlBody: channel === 'email' ? (body.html ?? null) : null,
    updatedAt: now,
    updatedBy: userId,
  };
  const [row] = await tx
    .insert(messageTemplateVersions)
    .values({ orgId, templateId, channel, language, ...values })
    .onConflictDoUpdate({
      target: [
        messageTemplateVersions.orgId,
        messageTemplateVersions.templateId,
        messageTemplateVersions.channel,
        messageTemplateVersions.language,
      ],
      set: { ...values, revision: sql`${messageTemplateVersions.revision} + 1` },
    })
    .returning();
  if (!row) throw new Error('template version upsert returned no row');
  return row;
}

/**
 * Writes the templates of `seeds` an organization does not have yet (the demo seed); templates
 * it has are left as staff edited them. Each version is linted like an edit.
 */
export async function ensureTemplates(
  tx: Db,
  orgId: string,
  seeds: readonly TemplateSeed[],
  now: Date,
): Promise<number> {
  let created = 0;
  for (const seed of seeds) {
    const [row] = await tx
      .insert(messageTemplates)
      .values({
        orgId,
        key: seed.key,
        name: seed.name,
        purpose: seed.purpose,
        capBucket: seed.capBucket ?? 'purpose',
        description: seed.description ?? null,
        createdAt: now,
        updatedAt: now,
      })
      .onConflictDoNothing({ target: [messageTemplates.orgId, messageTemplates.key] })
      .returning({ id: messageTemplates.id });
    if (!row) continue;
    created += 1;
    for (const v of seed.versions) {
      refuseLint(v.channel, v.body);
      await writeVersion(tx, orgId, row.id, v.channel, v.language, v.body, now, null);
    }
  }
  return created;
}

/**
 * What "the organization has the template" means for a journey's send (docs/journeys.md): for
 * each of `keys`, the channels on which it has a version in the organization's default language,
 * the language every patient's message falls back to, so every patient can be sent it on that
 * channel. A key the organization lacks is absent. An email version makes it sendable on the
 * portal too (its text is posted; docs/adr/0046).
 */
export async function sendableChannels(
  tx: Db,
  orgId: string,
  keys: readonly string[],
): Promise<Map<string, Set<TemplateChannel>>> {
  const sendable = new Map<string, Set<TemplateChannel>>();
  if (keys.length === 0) return sendable;
  const policy = await messagePolicyOf(tx, orgId);
  const language = templateLanguage(policy.defaultLanguage) ?? 'en';
  const rows = await tx
    .select({ key: messageTemplates.key, channel: messageTemplateVersions.channel })
    .from(messageTemplates)
    .leftJoin(
      messageTemplateVersions,
      and(
        eq(messageTemplateVersions.orgId, messageTemplates.orgId),
        eq(messageTemplateVersions.templateId, messageTemplates.id),
        eq(messageTemplateVersions.language, language),
      ),
    )
    .where(and(eq(messageTemplates.orgId, orgId), inArray(messageTemplates.key, [...keys])));
  for (const row of rows) {
    const channels = sendable.get(row.key) ?? new Set<TemplateChannel>();
    if (row.channel === 'email' || row.channel === 'sms' || row.channel === 'portal')
      channels.add(row.channel);
    // The portal posts the email version's text when the template has no portal version.
    if (row.channel === 'email') channels.add('portal');
    sendable.set(row.key, channels);
  }
  return sendable;
}
