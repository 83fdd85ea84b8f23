import {
  badRequest,
  conflict,
  type FollowUpCreate,
  followUpWindow,
  mayRead,
  notFound,
  OFFER_STATUSES,
  type PortalWaitlistJoin,
  type RecoveryQuery,
  type RecoveryReport,
  unknownReference,
  WAITLIST_STATUSES,
  type WaitlistAvailability,
  type WaitlistEntry,
  type WaitlistEntryCreate,
  type WaitlistEntryUpdate,
  type WaitlistOffer,
  type WaitlistQuery,
  type WaitlistSettings,
  type WaitlistSettingsUpdate,
  wallReading,
} from '@careloop/core';
import { and, desc, eq, inArray, isNull, lte, type SQL, sql } from 'drizzle-orm';
import type { Database, Db } from '../../db/client.js';
import type { RequestContext } from '../../http/actor.js';
import type { AuditLog } from '../audit/service.js';
import { locations, organizations, practitioners } from '../directory/schema.js';
import type { OutboxService } from '../messaging/outbox.js';
import { patientContactPoints, patients } from '../patients/schema.js';
import { appointments, slotHolds, visitTypes } from '../scheduling/schema.js';
import { loadVisitType, releaseHold } from '../scheduling/service.js';
import { appendTouchpoints } from '../timeline/service.js';
import { followUpText } from './message.js';
import { availabilityOf, type SlotRecovery, settingsOf } from './recovery.js';
import { waitlistEntries, waitlistOffers, waitlistSettings } from './schema.js';

const DAY = 86_400_000;
/** Entries one list answers at most (the work queue is short; a long one is filtered). */
const LIST_LIMIT = 500;

/**
 * The waitlist (issue 13): patients waiting for a service with the times they can come, and
 * follow-ups due in a window whose patient says when they can come. The one writer of the
 * waitlist's entries and settings; offers are `SlotRecovery`'s.
 */
export class WaitlistService {
  constructor(
    private readonly database: Database,
    private readonly audit: AuditLog,
    private readonly outbox: OutboxService,
    readonly recovery: SlotRecovery,
    private readonly options: { clock: () => Date; publicUrl: string },
  ) {}

  private now(): Date {
    return this.options.clock();
  }

  /** Staff put a patient on the waitlist. */
  async create(ctx: RequestContext, body: WaitlistEntryCreate): Promise<WaitlistEntry> {
    return this.insert(ctx, {
      patientId: body.patientId,
      serviceId: body.serviceId,
      practitionerId: body.practitionerId ?? null,
      locationId: body.locationId ?? null,
      availability: body.availability,
      bookBefore: body.bookBefore ?? null,
      priority: body.priority ?? 'routine',
      source: 'staff',
    });
  }

  /** A patient joins from the portal. */
  async join(ctx: RequestContext, patientId: string, body: PortalWaitlistJoin) {
    return this.insert(ctx, {
      patientId,
      serviceId: body.serviceId,
      practitionerId: body.practitionerId ?? null,
      locationId: body.locationId ?? null,
      availability: body.availability,
      bookBefore: body.bookBefore ?? null,
      priority: 'routine',
      source: 'portal',
    });
  }

  private async insert(
    ctx: RequestContext,
    e: {
      patientId: string;
      serviceId: string;
      practitionerId: string | null;
      locationId: string | null;
      availability: WaitlistAvailability;
      bookBefore: string | null;
      priority: WaitlistEntry['priority'];
      source: 'staff' | 'portal';
    },
  ): Promise<WaitlistEntry> {
    checkAvailability(e.availability);
    const now = this.now();
    if (e.bookBefore && e.bookBefore < now.toISOString().slice(0, 10)) {
      throw badRequest('bookBefore is in the past', '/body/bookBefore');
    }
    return this.database.withTenant(ctx.actor.orgId, async (tx) => {
      const service = await loadVisitType(tx, e.serviceId);
      if (!service?.active) throw unknownReference('serviceId', 'service');
      const [patient] = await tx
        .select({ id: patients.id })
        .from(patients)
        .where(eq(patients.id, e.patientId));
      if (!patient) throw unknownReference('patientId', 'patient');
      const [open] = await tx
        .select({ id: waitlistEntries.id })
        .from(waitlistEntries)
        .where(
          and(
            eq(waitlistEntries.patientId, e.patientId),
            eq(waitlistEntries.visitTypeId, e.serviceId),
            inArray(waitlistEntries.status, ['waiting', 'offered']),
          ),
        )
        .limit(1);
      if (open) throw conflict('Already on the waitlist for this service', '/body/serviceId');
      const [row] = await tx
        .insert(waitlistEntries)
        .values({
          orgId: ctx.actor.orgId,
          patientId: e.patientId,
          kind: 'waitlist',
          priority: e.priority,
          visitTypeId: e.serviceId,
          practitionerId: e.practitionerId,
          locationId: e.locationId,
          availability: e.availability,
          bookBefore: e.bookBefore,
          createdAt: now,
          updatedAt: now,
        })
        .returning({ id: waitlistEntries.id });
      if (!row) throw new Error('insert returned nothing');
      const summary = 'Joined the waitlist';
      await appendTouchpoints(tx, [
        {
          orgId: ctx.actor.orgId,
          patientId: e.patientId,
          channel: e.source === 'portal' ? 'portal' : 'system',
          direction: e.source === 'portal' ? 'inbound' : 'internal',
          type: 'waitlist-joined',
          stage: 'scheduling',
          summary,
          nonClinicalSummary: summary,
          subjectType: 'waitlist-entry',
          subjectId: row.id,
          occurredAt: now,
        },
      ]);
      await this.audit.inTransaction(tx, ctx.audit, {
        action: 'create',
        recordType: 'waitlist-entry',
        recordId: row.id,
        patientId: e.patientId,
      });
      return this.read(tx, ctx, row.id);
    });
  }

  /** Staff change the priority, or take the entry off the waitlist (its offers withdrawn). */
  /** The patient of a waitlist entry, for the restrictions guard (null when there is none). */
  async patientOf(ctx: RequestContext, id: string): Promise<string | null> {
    return this.database.withTenant(ctx.actor.orgId, async (tx) => {
      const [row] = await tx
        .select({ patientId: waitlistEntries.patientId })
        .from(waitlistEntries)
        .where(eq(waitlistEntries.id, id));
      return row?.patientId ?? null;
    });
  }

  async update(ctx: RequestContext, id: string, body: WaitlistEntryUpdate): Promise<WaitlistEntry> {
    return this.database.withTenant(ctx.actor.orgId, async (tx) => {
      const [row] = await tx
        .select()
        .from(waitlistEntries)
        .where(eq(waitlistEntries.id, id))
        .for('update');
      if (!row) throw notFound('Waitlist entry');
      const now = this.now();
      const set: Partial<typeof waitlistEntries.$inferInsert> = { updatedAt: now };
      if (body.priority) set.priority = body.priority;
      if (body.status === 'removed') {
        if (row.status === 'booked') throw conflict('This entry was booked', '/body/status');
        set.status = 'removed';
        await this.withdrawOffers(tx, id, now);
      }
      await tx.update(waitlistEntries).set(set).where(eq(waitlistEntries.id, id));
      await this.audit.inTransaction(tx, ctx.audit, {
        action: 'update',
        recordType: 'waitlist-entry',
        recordId: id,
        patientId: row.patientId,
        reason: body.status === 'removed' ? 'removed from the waitlist' : 'priority changed',
      });
      return this.read(tx, ctx, id);
    });
  }

  /** Pending offers of a removed entry end; a hold nobody else is offered goes back. */
  private async withdrawOffers(tx: Db, entryId: string, now: Date): Promise<void> {
    const withdrawn = await tx
      .update(waitlistOffers)
      .set({ status: 'declined', answeredAt: now })
      .where(and(eq(waitlistOffers.entryId, entryId), eq(waitlistOffers.status, 'pending')))
      .returning({ holdId: waitlistOffers.holdId });
    for (const { holdId } of withdrawn) {
      const [other] = await tx
        .select({ id: waitlistOffers.id })
        .from(waitlistOffers)
        .where(and(eq(waitlistOffers.holdId, holdId), eq(waitlistOffers.status, 'pending')))
        .limit(1);
      if (!other) await releaseHold(tx, holdId, now, 'withdrawn');
    }
  }

  /**
   * A follow-up due `months` after a completed visit: an entry for the same service,
   * practitioner and location, two weeks either side of the due date, without availability
   * until the patient says when they can come (they are asked by message).
   */
  async followUp(ctx: RequestContext, body: FollowUpCreate): Promise<WaitlistEntry> {
    return this.database.withTenant(ctx.actor.orgId, async (tx) => {
      const [visit] = await tx
        .select({
          id: appointments.id,
          patientId: appointments.patientId,
          status: appointments.status,
          serviceId: appointments.visitTypeId,
          practitionerId: appointments.practitionerId,
          locationId: appointments.locationId,
          startAt: appointments.startAt,
          timeZone: locations.timeZone,
        })
        .from(appointments)
        .leftJoin(locations, eq(locations.id, appointments.locationId))
        .where(eq(appointments.id, body.appointmentId));
      if (!visit) throw unknownReference('appointmentId', 'appointment');
      if (visit.status !== 'fulfilled' && visit.status !== 'arrived') {
        throw conflict('A follow-up is set when the visit is completed', '/body/appointmentId');
      }
      if (!visit.serviceId) {
        throw conflict('This visit was booked in another system', '/body/appointmentId');
      }
      const visitDate = wallReading(visit.startAt.getTime(), visit.timeZone ?? 'UTC').date;
      const window = followUpWindow(visitDate, body.months);
      const now = this.now();
      const [row] = await tx
        .insert(waitlistEntries)
        .values({
          orgId: ctx.actor.orgId,
          patientId: visit.patientId,
          kind: 'follow-up',
          visitTypeId: visit.serviceId,
          practitionerId: visit.practitionerId,
          locationId: visit.locationId,
          availability: null,
          earliest: window.earliest,
          bookBefore: window.bookBefore,
          sourceAppointmentId: visit.id,
          createdAt: now,
          updatedAt: now,
        })
        .returning({ id: waitlistEntries.id });
      if (!row) throw new Error('insert returned nothing');
      const channel = await this.askAvailability(
        tx,
        ctx.actor.orgId,
        visit.patientId,
        row.id,
        window.due,
      );
      const summary = `Follow-up due in ${body.months} months (around ${window.due}); availability asked`;
      await appendTouchpoints(tx, [
        {
          orgId: ctx.actor.orgId,
          patientId: visit.patientId,
          channel,
          direction: 'outbound',
          type: 'follow-up-requested',
          stage: 'follow-up',
          summary,
          nonClinicalSummary: summary,
          subjectType: 'waitlist-entry',
          subjectId: row.id,
          occurredAt: now,
        },
      ]);
      await this.audit.inTransaction(tx, ctx.audit, {
        action: 'create',
        recordType: 'waitlist-entry',
        recordId: row.id,
        patientId: visit.patientId,
        reason: `follow-up in ${body.months} months`,
      });
      return this.read(tx, ctx, row.id);
    });
  }

  private async askAvailability(
    tx: Db,
    orgId: string,
    patientId: string,
    entryId: string,
    due: string,
  ): Promise<'email' | 'system'> {
    const [patient] = await tx
      .select({
        givenName: patients.givenName,
        preferredName: patients.preferredName,
        language: patients.preferredLanguage,
      })
      .from(patients)
      .where(eq(patients.id, patientId));
    const [email] = await tx
      .select({ value: patientContactPoints.value })
      .from(patientContactPoints)
      .where(
        and(
          eq(patientContactPoints.patientId, patientId),
          eq(patientContactPoints.system, 'email'),
        ),
      )
      .orderBy(desc(patientContactPoints.isPrimary))
      .limit(1);
    const [org] = await tx
      .select({ name: organizations.name })
      .from(organizations)
      .where(eq(organizations.id, orgId));
    if (!patient || !email) return 'system';
    const text = followUpText({
      language: patient.language,
      givenName: patient.preferredName ?? patient.givenName,
      organization: org?.name ?? 'Careloop',
      due,
      link: `${this.options.publicUrl}/portal/waitlist`,
    });
    await this.outbox.queueEmail(tx, {
      orgId,
      patientId,
      purpose: 'treatment',
      to: email.value,
      subject: text.subject,
      text: text.body,
      idempotencyKey: `follow-up-availability:${entryId}`,
    });
    return 'email';
  }

  /** The patient says when they can come (a follow-up, or their waitlist entry). */
  async setAvailability(
    ctx: RequestContext,
    patientId: string,
    id: string,
    availability: WaitlistAvailability,
  ): Promise<WaitlistEntry> {
    checkAvailability(availability);
    return this.database.withTenant(ctx.actor.orgId, async (tx) => {
      const now = this.now();
      const [row] = await tx
        .update(waitlistEntries)
        .set({ availability, updatedAt: now })
        .where(
          and(
            eq(waitlistEntries.id, id),
            eq(waitlistEntries.patientId, patientId),
            inArray(waitlistEntries.status, ['waiting', 'offered']),
          ),
        )
        .returning({ id: waitlistEntries.id });
      if (!row) throw notFound('Waitlist entry');
      const summary = 'Said when they can come';
      await appendTouchpoints(tx, [
        {
          orgId: ctx.actor.orgId,
          patientId,
          channel: 'portal',
          direction: 'inbound',
          type: 'waitlist-availability-stated',
          stage: 'scheduling',
          summary,
          nonClinicalSummary: summary,
          subjectType: 'waitlist-entry',
          subjectId: id,
          occurredAt: now,
        },
      ]);
      await this.audit.inTransaction(tx, ctx.audit, {
        action: 'update',
        recordType: 'waitlist-entry',
        recordId: id,
        patientId,
        reason: 'availability stated',
      });
      return this.read(tx, ctx, id);
    });
  }

  /** Entries for the console, ranked as offers go out; `hidden`: restricted patients, no name. */
  async list(
    ctx: RequestContext,
    query: WaitlistQuery,
    hidden: (patientIds: string[], tx: Db) => Promise<Set<string>>,
  ): Promise<WaitlistEntry[]> {
    return this.database.withTenant(ctx.actor.orgId, async (tx) => {
      const cutoff =
        query.unansweredDays === undefined
          ? null
          : new Date(this.now().getTime() - query.unansweredDays * DAY);
      const where = and(
        query.status ? eq(waitlistEntries.status, query.status) : undefined,
        query.kind ? eq(waitlistEntries.kind, query.kind) : undefined,
        cutoff
          ? and(
              eq(waitlistEntries.kind, 'follow-up'),
              isNull(waitlistEntries.availability),
              inArray(waitlistEntries.status, ['waiting']),
              lte(waitlistEntries.createdAt, cutoff),
            )
          : undefined,
      );
      const items = await this.select(tx, ctx, where);
      const masked = await hidden([...new Set(items.map((i) => i.patientId))], tx);
      const shown = items.map((i) => (masked.has(i.patientId) ? { ...i, patientName: null } : i));
      if (shown.length > 0 && mayRead(ctx.actor.role, 'appointment', 'patient')) {
        await this.audit.inTransaction(tx, ctx.audit, {
          action: 'search',
          recordType: 'waitlist-entry',
          reason: `waitlist: ${shown.length} entries`,
        });
      }
      return shown;
    });
  }

  /** The services a patient may join a waitlist for (the portal's form). */
  async services(ctx: RequestContext): Promise<{ id: string; name: string }[]> {
    return this.database.withTenant(ctx.actor.orgId, (tx) =>
      tx
        .select({ id: visitTypes.id, name: visitTypes.name })
        .from(visitTypes)
        .where(eq(visitTypes.active, true))
        .orderBy(visitTypes.name),
    );
  }

  /** A patient's own entries and offers (the portal). */
  async listOwn(ctx: RequestContext, patientId: string): Promise<WaitlistEntry[]> {
    return this.database.withTenant(ctx.actor.orgId, async (tx) => {
      const items = await this.select(
        tx,
        ctx,
        and(
          eq(waitlistEntries.patientId, patientId),
          inArray(waitlistEntries.status, ['waiting', 'offered', 'booked']),
        ),
      );
      await this.audit.inTransaction(tx, ctx.audit, {
        action: 'read',
        recordType: 'waitlist-entry',
        patientId,
        reason: 'portal waitlist',
      });
      return items;
    });
  }

  async offerForPatient(ctx: RequestContext, patientId: string, offerId: string) {
    return this.database.withTenant(ctx.actor.orgId, async (tx) => {
      const [offer] = await this.offers(
        tx,
        and(eq(waitlistOffers.id, offerId), eq(waitlistOffers.patientId, patientId)),
      );
      if (!offer) throw notFound('Offer');
      return offer;
    });
  }

  private async read(tx: Db, ctx: RequestContext, id: string): Promise<WaitlistEntry> {
    const [entry] = await this.select(tx, ctx, eq(waitlistEntries.id, id));
    if (!entry) throw notFound('Waitlist entry');
    return entry;
  }

  private async select(
    tx: Db,
    ctx: RequestContext,
    where: SQL | undefined,
  ): Promise<WaitlistEntry[]> {
    const rows = await tx
      .select({
        e: waitlistEntries,
        given: patients.givenName,
        family: patients.familyName,
        serviceName: visitTypes.name,
      })
      .from(waitlistEntries)
      .innerJoin(patients, eq(patients.id, waitlistEntries.patientId))
      .innerJoin(visitTypes, eq(visitTypes.id, waitlistEntries.visitTypeId))
      .where(where)
      .orderBy(
        sql`case ${waitlistEntries.status} when 'offered' then 0 when 'waiting' then 1 else 2 end`,
        sql`case ${waitlistEntries.priority} when 'urgent' then 0 when 'soon' then 1 else 2 end`,
        waitlistEntries.createdAt,
      )
      .limit(LIST_LIMIT);
    const offers =
      rows.length === 0
        ? []
        : await this.offers(
            tx,
            inArray(
              waitlistOffers.entryId,
              rows.map((r) => r.e.id),
            ),
          );
    const names = mayRead(ctx.actor.role, 'appointment', 'patient') || ctx.actor.role === 'patient';
    return rows.map(({ e, given, family, serviceName }) => ({
      id: e.id,
      patientId: e.patientId,
      patientName: names ? [given, family].filter(Boolean).join(' ') || null : null,
      kind: e.kind === 'follow-up' ? 'follow-up' : 'waitlist',
      status: statusOf(e.status),
      priority: e.priority === 'urgent' || e.priority === 'soon' ? e.priority : 'routine',
      serviceId: e.visitTypeId,
      serviceName,
      practitionerId: e.practitionerId,
      locationId: e.locationId,
      availability: availabilityOf(e.availability),
      earliest: e.earliest,
      bookBefore: e.bookBefore,
      joinedAt: e.createdAt.toISOString(),
      appointmentId: e.appointmentId,
      offers: offers.filter((o) => o.entryId === e.id),
    }));
  }

  private async offers(tx: Db, where: SQL | undefined): Promise<WaitlistOffer[]> {
    const rows = await tx
      .select({
        o: waitlistOffers,
        start: slotHolds.startAt,
        end: slotHolds.endAt,
        serviceName: visitTypes.name,
        practitionerName: sql<
          string | null
        >`concat_ws(' ', ${practitioners.prefix}, ${practitioners.givenName}, ${practitioners.familyName})`,
        locationName: locations.name,
      })
      .from(waitlistOffers)
      .innerJoin(slotHolds, eq(slotHolds.id, waitlistOffers.holdId))
      .innerJoin(visitTypes, eq(visitTypes.id, slotHolds.visitTypeId))
      .leftJoin(practitioners, eq(practitioners.id, slotHolds.practitionerId))
      .leftJoin(locations, eq(locations.id, slotHolds.locationId))
      .where(where)
      .orderBy(desc(waitlistOffers.sentAt))
      .limit(LIST_LIMIT * 4);
    return rows.map(({ o, start, end, serviceName, practitionerName, locationName }) => ({
      id: o.id,
      entryId: o.entryId,
      patientId: o.patientId,
      status: offerStatusOf(o.status),
      start: start.toISOString(),
      end: end.toISOString(),
      serviceName,
      practitionerName,
      locationName,
      sentAt: o.sentAt.toISOString(),
      expiresAt: o.expiresAt.toISOString(),
      answeredAt: o.answeredAt?.toISOString() ?? null,
      appointmentId: o.appointmentId,
    }));
  }

  // ---- Settings and the recovery dashboard ------------------------------------------------

  async settings(ctx: RequestContext): Promise<WaitlistSettings> {
    return this.database.withTenant(ctx.actor.orgId, (tx) => settingsOf(tx));
  }

  async updateSettings(
    ctx: RequestContext,
    body: WaitlistSettingsUpdate,
  ): Promise<WaitlistSettings> {
    return this.database.withTenant(ctx.actor.orgId, async (tx) => {
      const next = { ...(await settingsOf(tx)), ...body };
      await tx
        .insert(waitlistSettings)
        .values({ orgId: ctx.actor.orgId, ...next })
        .onConflictDoUpdate({ target: waitlistSettings.orgId, set: next });
      await this.audit.inTransaction(tx, ctx.audit, {
        action: 'update',
        recordType: 'waitlist-settings',
        recordId: ctx.actor.orgId,
      });
      return next;
    });
  }

  /** Offers sent, accepted, declined, expired and slots recovered per week (Monday, UTC). */
  async recoveryReport(ctx: RequestContext, query: RecoveryQuery): Promise<RecoveryReport> {
    if (query.to < query.from) throw badRequest('to must not be before from', '/query/to');
    const from = Date.parse(`${query.from}T00:00:00Z`);
    const to = Date.parse(`${query.to}T00:00:00Z`) + DAY;
    if (to - from > 366 * DAY) throw badRequest('At most a year at a time', '/query/to');
    return this.database.withTenant(ctx.actor.orgId, async (tx) => {
      const week = (column: SQL | typeof waitlistOffers.sentAt) =>
        sql<string>`to_char(date_trunc('week', ${column} at time zone 'UTC'), 'YYYY-MM-DD')`;
      const between = (column: typeof waitlistOffers.sentAt | typeof waitlistOffers.answeredAt) =>
        sql`${column} >= ${new Date(from)} and ${column} < ${new Date(to)}`;
      const sent = await tx
        .select({ week: week(waitlistOffers.sentAt), n: sql<number>`count(*)::int` })
        .from(waitlistOffers)
        .where(between(waitlistOffers.sentAt))
        .groupBy(sql`1`);
      const answered = await tx
        .select({
          week: week(sql`coalesce(${waitlistOffers.answeredAt}, ${waitlistOffers.expiresAt})`),
          status: waitlistOffers.status,
          n: sql<number>`count(*)::int`,
          holds: sql<number>`count(distinct ${waitlistOffers.holdId})::int`,
        })
        .from(waitlistOffers)
        .where(
          and(
            inArray(waitlistOffers.status, ['accepted', 'declined', 'expired']),
            sql`coalesce(${waitlistOffers.answeredAt}, ${waitlistOffers.expiresAt}) >= ${new Date(from)}`,
            sql`coalesce(${waitlistOffers.answeredAt}, ${waitlistOffers.expiresAt}) < ${new Date(to)}`,
          ),
        )
        .groupBy(sql`1`, waitlistOffers.status);
      const weeks = new Map<string, RecoveryReport['weeks'][number]>();
      const at = (w: string) => {
        let row = weeks.get(w);
        if (!row) {
          row = { week: w, sent: 0, accepted: 0, declined: 0, expired: 0, recovered: 0 };
          weeks.set(w, row);
        }
        return row;
      };
      for (const s of sent) at(s.week).sent += Number(s.n);
      for (const a of answered) {
        const row = at(a.week);
        if (a.status === 'accepted') {
          row.accepted += Number(a.n);
          row.recovered += Number(a.holds);
        } else if (a.status === 'declined') row.declined += Number(a.n);
        else row.expired += Number(a.n);
      }
      const [counts] = await tx
        .select({
          waiting: sql<number>`count(*) filter (where ${waitlistEntries.status} = 'waiting')::int`,
          pending: sql<number>`(select count(*) from ${waitlistOffers} where ${waitlistOffers.status} = 'pending')::int`,
        })
        .from(waitlistEntries);
      return {
        weeks: [...weeks.values()].sort((a, b) => a.week.localeCompare(b.week)),
        waiting: Number(counts?.waiting ?? 0),
        pending: Number(counts?.pending ?? 0),
      };
    });
  }
}

function statusOf(value: string): WaitlistEntry['status'] {
  return (WAITLIST_STATUSES as readonly string[]).includes(value)
    ? (value as WaitlistEntry['status'])
    : 'waiting';
}

function offerStatusOf(value: string): WaitlistOffer['status'] {
  return (OFFER_STATUSES as readonly string[]).includes(value)
    ? (value as WaitlistOffer['status'])
    : 'pending';
}

/** Ranges must end after they start; dates must be real dates. */
function checkAvailability(a: WaitlistAvailability): void {
  a.weekly.forEach((w, i) => {
    if (w.start >= w.end)
      throw badRequest('end must be after start', `/body/availability/weekly/${i}/end`);
  });
  a.dates.forEach((d, i) => {
    if (
      Number.isNaN(Date.parse(`${d}T00:00:00Z`)) ||
      new Date(`${d}T00:00:00Z`).toISOString().slice(0, 10) !== d
    ) {
      throw badRequest('not a date', `/body/availability/dates/${i}`);
    }
  });
}
