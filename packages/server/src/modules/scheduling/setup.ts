import {
  type AvailabilityExceptionCreate,
  type AvailabilityRule,
  type AvailabilityRuleCreate,
  type BookableService,
  type BookableServiceCreate,
  badRequest,
  notFound,
  type SchedulingSettings,
  type SchedulingSettingsUpdate,
} from '@careloop/core';
import { and, eq } from 'drizzle-orm';
import type { Database, Db } from '../../db/client.js';
import type { RequestContext } from '../../http/actor.js';
import type { AuditLog } from '../audit/service.js';
import {
  availabilityExceptions,
  availabilityRules,
  schedulingSettings,
  visitTypeLocations,
  visitTypePractitioners,
  visitTypes,
} from './schema.js';
import { loadVisitType, type VisitType } from './slots.js';

/**
 * A clinic's scheduling set-up, written by admins: its services (visit types), the hours and
 * breaks of its practitioners, their exceptions, and the organization's scheduling settings
 * (who owns the schedule, late-cancel hours, the telehealth link). Bookings read it; the
 * scheduling service (service.ts) owns the appointments themselves.
 */
export class SchedulingSetup {
  constructor(
    private readonly database: Database,
    private readonly audit: AuditLog,
    /** Issue 13: whether an EHR endpoint is configured, so the EHR may own the schedule. */
    private readonly ehrConfigured: () => boolean,
  ) {}

  // ---- Services (visit types) -------------------------------------------------------------

  async listServices(ctx: RequestContext): Promise<BookableService[]> {
    return this.database.withTenant(ctx.actor.orgId, async (tx) => {
      const rows = await tx.select({ id: visitTypes.id }).from(visitTypes).orderBy(visitTypes.name);
      const out: BookableService[] = [];
      for (const r of rows) {
        const v = await loadVisitType(tx, r.id);
        if (v) out.push(serviceOf(v));
      }
      return out;
    });
  }

  async createService(ctx: RequestContext, body: BookableServiceCreate): Promise<BookableService> {
    return this.database.withTenant(ctx.actor.orgId, async (tx) => {
      const orgId = ctx.actor.orgId;
      const [row] = await tx
        .insert(visitTypes)
        .values({
          orgId,
          name: body.name.trim(),
          durationMinutes: body.durationMinutes,
          bufferMinutes: body.bufferMinutes ?? 0,
          modality: body.modality,
          patientRule: body.patientRule ?? 'any',
        })
        .returning({ id: visitTypes.id });
      if (!row) throw new Error('insert returned nothing');
      const practitionerIds = [...new Set(body.practitionerIds ?? [])];
      const locationIds = [...new Set(body.locationIds ?? [])];
      if (practitionerIds.length > 0) {
        await tx.insert(visitTypePractitioners).values(
          practitionerIds.map((practitionerId) => ({
            orgId,
            visitTypeId: row.id,
            practitionerId,
          })),
        );
      }
      if (locationIds.length > 0) {
        await tx
          .insert(visitTypeLocations)
          .values(locationIds.map((locationId) => ({ orgId, visitTypeId: row.id, locationId })));
      }
      await this.audit.inTransaction(tx, ctx.audit, {
        action: 'create',
        recordType: 'scheduling-service',
        recordId: row.id,
      });
      const created = await loadVisitType(tx, row.id);
      if (!created) throw new Error('service vanished');
      return serviceOf(created);
    });
  }

  // ---- Availability rules and exceptions --------------------------------------------------

  async listRules(
    ctx: RequestContext,
    filter: { practitionerId?: string; locationId?: string },
  ): Promise<AvailabilityRule[]> {
    return this.database.withTenant(ctx.actor.orgId, async (tx) => {
      const rows = await tx
        .select()
        .from(availabilityRules)
        .where(
          and(
            filter.practitionerId
              ? eq(availabilityRules.practitionerId, filter.practitionerId)
              : undefined,
            filter.locationId ? eq(availabilityRules.locationId, filter.locationId) : undefined,
          ),
        )
        .orderBy(
          availabilityRules.practitionerId,
          availabilityRules.weekday,
          availabilityRules.startTime,
        );
      return rows.map(ruleOf);
    });
  }

  async addRule(ctx: RequestContext, body: AvailabilityRuleCreate): Promise<AvailabilityRule> {
    if (body.start >= body.end) throw badRequest('end must be after start', '/body/end');
    if (body.validFrom && body.validUntil && body.validUntil < body.validFrom) {
      throw badRequest('validUntil must not be before validFrom', '/body/validUntil');
    }
    return this.database.withTenant(ctx.actor.orgId, async (tx) => {
      const [row] = await tx
        .insert(availabilityRules)
        .values({
          orgId: ctx.actor.orgId,
          practitionerId: body.practitionerId,
          locationId: body.locationId,
          weekday: body.weekday,
          kind: body.kind ?? 'hours',
          startTime: body.start,
          endTime: body.end,
          validFrom: body.validFrom ?? null,
          validUntil: body.validUntil ?? null,
        })
        .returning();
      if (!row) throw new Error('insert returned nothing');
      await this.audit.inTransaction(tx, ctx.audit, {
        action: 'create',
        recordType: 'availability-rule',
        recordId: row.id,
      });
      return ruleOf(row);
    });
  }

  async deleteRule(ctx: RequestContext, id: string): Promise<void> {
    await this.database.withTenant(ctx.actor.orgId, async (tx) => {
      const gone = await tx
        .delete(availabilityRules)
        .where(eq(availabilityRules.id, id))
        .returning({ id: availabilityRules.id });
      if (gone.length === 0) throw notFound('Availability rule');
      await this.audit.inTransaction(tx, ctx.audit, {
        action: 'delete',
        recordType: 'availability-rule',
        recordId: id,
      });
    });
  }

  async addException(
    ctx: RequestContext,
    body: AvailabilityExceptionCreate,
  ): Promise<{ id: string }> {
    const hours = body.hours ?? null;
    hours?.forEach((h, i) => {
      if (h.start >= h.end) throw badRequest('end must be after start', `/body/hours/${i}/end`);
    });
    return this.database.withTenant(ctx.actor.orgId, async (tx) => {
      const [row] = await tx
        .insert(availabilityExceptions)
        .values({
          orgId: ctx.actor.orgId,
          practitionerId: body.practitionerId ?? null,
          locationId: body.locationId ?? null,
          date: body.date,
          hours: hours === null ? null : JSON.stringify(hours),
          note: body.note ?? null,
        })
        .returning({ id: availabilityExceptions.id });
      if (!row) throw new Error('insert returned nothing');
      await this.audit.inTransaction(tx, ctx.audit, {
        action: 'create',
        recordType: 'availability-exception',
        recordId: row.id,
      });
      return row;
    });
  }

  // ---- Settings ---------------------------------------------------------------------------

  async settings(ctx: RequestContext): Promise<SchedulingSettings> {
    return this.database.withTenant(ctx.actor.orgId, (tx) => settingsOf(tx));
  }

  async updateSettings(
    ctx: RequestContext,
    body: SchedulingSettingsUpdate,
  ): Promise<SchedulingSettings> {
    if (body.scheduleMode === 'ehr' && !this.ehrConfigured()) {
      throw badRequest(
        'The EHR cannot own the schedule without an EHR endpoint (EHR_FHIR_BASE or EHR_MLLP_ENDPOINT)',
        '/body/scheduleMode',
      );
    }
    return this.database.withTenant(ctx.actor.orgId, async (tx) => {
      const current = await settingsOf(tx);
      const next = {
        orgId: ctx.actor.orgId,
        telehealthUrlTemplate:
          body.telehealthUrlTemplate === undefined
            ? current.telehealthUrlTemplate
            : body.telehealthUrlTemplate,
        lateCancelHours: body.lateCancelHours ?? current.lateCancelHours,
        scheduleMode: body.scheduleMode ?? current.scheduleMode,
      };
      await tx
        .insert(schedulingSettings)
        .values(next)
        .onConflictDoUpdate({
          target: schedulingSettings.orgId,
          set: {
            telehealthUrlTemplate: next.telehealthUrlTemplate,
            lateCancelHours: next.lateCancelHours,
            scheduleMode: next.scheduleMode,
          },
        });
      await this.audit.inTransaction(tx, ctx.audit, {
        action: 'update',
        recordType: 'scheduling-settings',
        recordId: ctx.actor.orgId,
        // Issue 13: a change of who owns the schedule is named in the audit trail.
        ...(next.scheduleMode !== current.scheduleMode
          ? { reason: `schedule mode: ${current.scheduleMode} → ${next.scheduleMode}` }
          : {}),
      });
      return {
        telehealthUrlTemplate: next.telehealthUrlTemplate,
        lateCancelHours: next.lateCancelHours,
        scheduleMode: next.scheduleMode,
      };
    });
  }
}

export async function settingsOf(tx: Db): Promise<SchedulingSettings> {
  const [row] = await tx.select().from(schedulingSettings);
  return {
    telehealthUrlTemplate: row?.telehealthUrlTemplate ?? null,
    lateCancelHours: row?.lateCancelHours ?? 24,
    scheduleMode: row?.scheduleMode === 'ehr' ? 'ehr' : 'careloop',
  };
}

function serviceOf(v: VisitType): BookableService {
  return {
    id: v.id,
    name: v.name,
    durationMinutes: v.durationMinutes,
    bufferMinutes: v.bufferMinutes,
    modality: v.modality,
    patientRule: v.patientRule === 'new' || v.patientRule === 'established' ? v.patientRule : 'any',
    practitionerIds: v.practitionerIds,
    locationIds: v.locationIds,
    active: v.active,
  };
}

function ruleOf(row: typeof availabilityRules.$inferSelect): AvailabilityRule {
  return {
    id: row.id,
    practitionerId: row.practitionerId,
    locationId: row.locationId,
    weekday: row.weekday,
    kind: row.kind === 'break' ? 'break' : 'hours',
    start: row.startTime,
    end: row.endTime,
    validFrom: row.validFrom,
    validUntil: row.validUntil,
  };
}
