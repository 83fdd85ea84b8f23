import { createHash, randomBytes } from 'node:crypto';
import {
  type AvailableSlot,
  conflict,
  type FreedSlot,
  notFound,
  OFFER_STATUSES,
  type OfferAccepted,
  type OfferLinkView,
  type OfferStatus,
  offerFanOut,
  type PatientAvailability,
  rankCandidates,
  suits,
  type WaitlistCandidate,
  type WaitlistPriority,
  type WaitlistSettings,
} from '@careloop/core';
import { and, asc, desc, eq, inArray, isNotNull, isNull, lte, ne, or, sql } from 'drizzle-orm';
import type { Database, Db } from '../../db/client.js';
import { sqlState } from '../../db/errors.js';
import type { AuditActor, AuditEntry, AuditLog } from '../audit/service.js';
import { locations, practitioners } from '../directory/schema.js';
import type { OutboxService } from '../messaging/outbox.js';
import { patientContactPoints, patients } from '../patients/schema.js';
import { slotHolds } from '../scheduling/schema.js';
import {
  extendHold,
  findSlots,
  loadVisitType,
  releaseHold,
  type SchedulingService,
  SlotTakenError,
  type VisitType,
} from '../scheduling/service.js';
import { appendTouchpoints } from '../timeline/service.js';
import { offerFromTemplate } from './offer-template.js';
import { waitlistEntries, waitlistOffers, waitlistSettings } from './schema.js';

const MINUTE = 60_000;
const DAY = 86_400_000;
/** Waiting entries read for one freed slot: the best-ranked come first. */
const CANDIDATES_READ = 500;
/** Slots offered out of one freed stretch of time (a freed hour may hold several visits). */
const ROUNDS_PER_FREED = 8;
/** Entries looked at per organization per proposal run. */
const PROPOSALS_PER_RUN = 20;
/** How far ahead proposals look (the availability search's own limit). */
const PROPOSAL_HORIZON_DAYS = 60;
/** An offer goes out only for a slot at least this far ahead. */
const MIN_LEAD_MS = 30 * MINUTE;
const EXCLUSION_VIOLATION = '23P01';

export const DEFAULT_SETTINGS: WaitlistSettings = {
  mode: 'sequential',
  holdMinutes: 30,
  broadcastSize: 3,
};

/** Who the recovery worker is in the audit log: no user, the system. */
export const recoveryActor = (orgId: string): AuditActor => ({
  orgId,
  userId: null,
  email: null,
  role: 'system',
  ip: null,
  userAgent: 'waitlist',
});

type EntryRow = typeof waitlistEntries.$inferSelect;
type HoldRow = typeof slotHolds.$inferSelect;

interface Candidate extends WaitlistCandidate {
  entry: EntryRow;
}

/** A value stored by this module from validated input; anything else counts as not said. */
export function availabilityOf(value: unknown): PatientAvailability | null {
  if (!value || typeof value !== 'object') return null;
  const v = value as { weekly?: unknown; dates?: unknown };
  if (!Array.isArray(v.weekly) || !Array.isArray(v.dates)) return null;
  return {
    weekly: v.weekly.flatMap((w: unknown) =>
      w &&
      typeof w === 'object' &&
      'weekday' in w &&
      'start' in w &&
      'end' in w &&
      typeof w.weekday === 'number' &&
      typeof w.start === 'string' &&
      typeof w.end === 'string'
        ? [{ weekday: w.weekday, start: w.start, end: w.end }]
        : [],
    ),
    dates: v.dates.filter((d: unknown): d is string => typeof d === 'string'),
  };
}

function offerStatus(value: string): OfferStatus {
  return (OFFER_STATUSES as readonly string[]).includes(value) ? (value as OfferStatus) : 'pending';
}

function priorityOf(value: string): WaitlistPriority {
  return value === 'urgent' || value === 'soon' ? value : 'routine';
}

function candidateOf(entry: EntryRow): Candidate {
  return {
    id: entry.id,
    priority: priorityOf(entry.priority),
    joinedAt: entry.createdAt.getTime(),
    practitionerId: entry.practitionerId,
    locationId: entry.locationId,
    earliest: entry.earliest,
    bookBefore: entry.bookBefore,
    availability: availabilityOf(entry.availability),
    entry,
  };
}

export async function settingsOf(tx: Db): Promise<WaitlistSettings> {
  const [row] = await tx.select().from(waitlistSettings);
  if (!row) return DEFAULT_SETTINGS;
  return {
    mode: row.mode === 'broadcast' ? 'broadcast' : 'sequential',
    holdMinutes: row.holdMinutes,
    broadcastSize: row.broadcastSize,
  };
}

export const tokenHash = (token: string) => createHash('sha256').update(token).digest('hex');

export type AnswerOutcome =
  | { kind: 'booked'; accepted: OfferAccepted }
  | { kind: 'declined' }
  | { kind: 'expired' }
  | { kind: 'taken'; serviceId: string; locationId: string; start: number }
  | { kind: 'answered' };

/**
 * Slot recovery (issue 13; docs/adr/0030-slot-holds-and-offers.md): freed time is offered to
 * waiting patients under a hold, one at a time or several at once per the organization's mode;
 * offers expire; an accepted offer books through the scheduling service's race-safe path.
 * Every offer, answer and expiry is a touchpoint and an audit event.
 */
export class SlotRecovery {
  constructor(
    private readonly database: Database,
    private readonly audit: AuditLog,
    private readonly scheduling: SchedulingService,
    private readonly outbox: OutboxService,
    private readonly options: { clock: () => Date; publicUrl: string },
  ) {}

  private now(): Date {
    return this.options.clock();
  }

  // ---- Freed time -------------------------------------------------------------------------

  /** A cancellation or a move freed [start, end) of a practitioner: offer what fits. */
  async onSlotFreed(freed: {
    orgId: string;
    practitionerId: string;
    locationId: string;
    start: string;
    end: string;
  }): Promise<number> {
    const now = this.now().getTime();
    const start = Math.max(Date.parse(freed.start), now + MIN_LEAD_MS);
    const end = Date.parse(freed.end);
    if (end <= start) return 0;
    let offered = 0;
    for (let round = 0; round < ROUNDS_PER_FREED; round++) {
      const made = await this.database.withTenant(freed.orgId, async (tx) => {
        const audits: AuditEntry[] = [];
        const n = await this.offerOneSlot(tx, freed, { start, end }, audits);
        await this.writeAudits(tx, freed.orgId, audits);
        return n;
      });
      if (made === 0) break;
      offered += made;
    }
    return offered;
  }

  private async offerOneSlot(
    tx: Db,
    freed: { orgId: string; practitionerId: string; locationId: string },
    window: { start: number; end: number },
    audits: AuditEntry[],
  ): Promise<number> {
    const now = this.now().getTime();
    const timeZone = await this.zoneOf(tx, freed.locationId);
    if (!timeZone) return 0;
    const rows = await tx
      .select()
      .from(waitlistEntries)
      .where(
        and(
          eq(waitlistEntries.status, 'waiting'),
          isNotNull(waitlistEntries.availability),
          or(
            isNull(waitlistEntries.practitionerId),
            eq(waitlistEntries.practitionerId, freed.practitionerId),
          ),
          or(isNull(waitlistEntries.locationId), eq(waitlistEntries.locationId, freed.locationId)),
        ),
      )
      .orderBy(
        sql`case ${waitlistEntries.priority} when 'urgent' then 0 when 'soon' then 1 else 2 end`,
        asc(waitlistEntries.createdAt),
      )
      .limit(CANDIDATES_READ);
    const ranked = rankCandidates(rows.map(candidateOf));
    const services = new Map<string, VisitType | null>();
    const serviceOf = async (id: string) => {
      if (!services.has(id)) services.set(id, await loadVisitType(tx, id));
      return services.get(id) ?? null;
    };
    for (const first of ranked) {
      const service = await serviceOf(first.entry.visitTypeId);
      if (!service?.active) continue;
      const slots = await findSlots(
        tx,
        service,
        { practitionerId: freed.practitionerId, locationId: freed.locationId },
        window,
        20,
        now,
      );
      for (const slot of slots) {
        const fit = this.suiting(ranked, service.id, slot, timeZone, now);
        if (!fit.some((c) => c.id === first.id)) continue;
        const made = await this.offerSlot(tx, freed.orgId, slot, fit, audits);
        if (made > 0) return made;
      }
    }
    return 0;
  }

  private suiting(
    ranked: Candidate[],
    serviceId: string,
    slot: AvailableSlot,
    timeZone: string,
    now: number,
  ): Candidate[] {
    const freed: FreedSlot = {
      start: Date.parse(slot.start),
      end: Date.parse(slot.end),
      practitionerId: slot.practitionerId,
      locationId: slot.locationId,
      timeZone,
    };
    return ranked.filter((c) => c.entry.visitTypeId === serviceId && suits(c, freed, now));
  }

  /**
   * Holds `slot` and offers it to the first of `ranked` (sequential) or the first few
   * (broadcast). Returns how many offers went out: none when the slot could not be held.
   */
  private async offerSlot(
    tx: Db,
    orgId: string,
    slot: AvailableSlot,
    ranked: Candidate[],
    audits: AuditEntry[],
  ): Promise<number> {
    if (ranked.length === 0) return 0;
    const settings = await settingsOf(tx);
    const expiresAt = new Date(this.now().getTime() + settings.holdMinutes * MINUTE);
    const holdId = await this.scheduling.holdSlot(tx, {
      orgId,
      serviceId: slot.serviceId,
      practitionerId: slot.practitionerId,
      locationId: slot.locationId,
      start: Date.parse(slot.start),
      reason: 'waitlist-offer',
      expiresAt,
    });
    if (!holdId) return 0;
    const chosen = ranked.slice(0, offerFanOut(settings.mode, settings.broadcastSize));
    for (const c of chosen)
      await this.sendOffer(tx, orgId, c.entry, holdId, slot, expiresAt, audits);
    return chosen.length;
  }

  private async sendOffer(
    tx: Db,
    orgId: string,
    entry: EntryRow,
    holdId: string,
    slot: { start: string; end?: string; locationId: string },
    expiresAt: Date,
    audits: AuditEntry[],
  ): Promise<void> {
    const now = this.now();
    const token = randomBytes(32).toString('base64url');
    const [offer] = await tx
      .insert(waitlistOffers)
      .values({
        orgId,
        entryId: entry.id,
        patientId: entry.patientId,
        holdId,
        tokenHash: tokenHash(token),
        sentAt: now,
        expiresAt,
      })
      .returning({ id: waitlistOffers.id });
    if (!offer) throw new Error('insert returned nothing');
    await tx
      .update(waitlistEntries)
      .set({ status: 'offered', updatedAt: now })
      .where(eq(waitlistEntries.id, entry.id));
    const channel = await this.message(tx, orgId, entry.patientId, offer.id, {
      start: new Date(slot.start),
      locationId: slot.locationId,
      expiresAt,
      link: `${this.options.publicUrl}/portal/offer/${token}`,
    });
    const summary = `Offered a freed slot on ${slot.start.slice(0, 16).replace('T', ' ')} UTC`;
    await appendTouchpoints(tx, [
      {
        orgId,
        patientId: entry.patientId,
        channel,
        direction: 'outbound',
        type: 'waitlist-offer-sent',
        stage: 'scheduling',
        summary,
        nonClinicalSummary: summary,
        subjectType: 'waitlist-offer',
        subjectId: offer.id,
        occurredAt: now,
      },
    ]);
    audits.push({
      action: 'create',
      recordType: 'waitlist-offer',
      recordId: offer.id,
      patientId: entry.patientId,
      reason: 'waitlist offer sent',
    });
  }

  /** Queues the offer's message (a text if the patient prefers it and has a number, else email). */
  private async message(
    tx: Db,
    orgId: string,
    patientId: string,
    offerId: string,
    offer: { start: Date; locationId: string; expiresAt: Date; link: string },
  ): Promise<'sms' | 'email' | 'portal'> {
    const [patient] = await tx
      .select({ preferredChannel: patients.preferredChannel })
      .from(patients)
      .where(eq(patients.id, patientId));
    const [place] = await tx
      .select({ name: locations.name, timeZone: locations.timeZone })
      .from(locations)
      .where(eq(locations.id, offer.locationId));
    if (!patient || !place) return 'portal';
    const contacts = await tx
      .select({ system: patientContactPoints.system, value: patientContactPoints.value })
      .from(patientContactPoints)
      .where(eq(patientContactPoints.patientId, patientId))
      .orderBy(desc(patientContactPoints.isPrimary), patientContactPoints.id);
    const phone = contacts.find((c) => c.system === 'phone' && /^\+[1-9]\d{6,14}$/.test(c.value));
    const email = contacts.find((c) => c.system === 'email');
    const channel = phone && (patient.preferredChannel === 'sms' || !email) ? 'sms' : 'email';
    const to = channel === 'sms' ? phone : email;
    // The organization's `waitlist-offer` template (written from Careloop's ready one if it has
    // none): never a generic text.
    const text = to
      ? await offerFromTemplate(tx, {
          orgId,
          patientId,
          channel,
          start: offer.start,
          expiresAt: offer.expiresAt,
          timeZone: place.timeZone,
          location: place.name,
          link: offer.link,
          publicUrl: this.options.publicUrl,
          now: this.now(),
        })
      : null;
    const key = `waitlist-offer:${offerId}`;
    if (to && text && channel === 'sms') {
      await this.outbox.queueSms(tx, {
        orgId,
        patientId,
        purpose: 'treatment',
        to: to.value,
        text: text.body,
        idempotencyKey: key,
      });
      return 'sms';
    }
    if (to && text) {
      await this.outbox.queueEmail(tx, {
        orgId,
        patientId,
        purpose: 'treatment',
        to: to.value,
        subject: text.subject,
        text: text.body,
        idempotencyKey: key,
        validUntil: offer.expiresAt,
      });
      return 'email';
    }
    // No address: the portal shows the offer.
    return 'portal';
  }

  private async zoneOf(tx: Db, locationId: string): Promise<string | null> {
    const [row] = await tx
      .select({ timeZone: locations.timeZone })
      .from(locations)
      .where(eq(locations.id, locationId));
    return row?.timeZone ?? null;
  }

  private async writeAudits(tx: Db, orgId: string, entries: AuditEntry[]): Promise<void> {
    // Last in the transaction: the audit chain's lock is held from here to the commit only.
    for (const e of entries) await this.audit.inTransaction(tx, recoveryActor(orgId), e);
  }

  // ---- Answers ----------------------------------------------------------------------------

  /** The organization and offer an accept link's token names, or null. */
  async offerOfToken(token: string): Promise<{ orgId: string; offerId: string } | null> {
    const result = await this.database.db.execute(
      sql`select org_id, offer_id from careloop_offer_lookup(${tokenHash(token)})`,
    );
    const rows = (Array.isArray(result) ? result : (result as { rows: unknown[] }).rows) as {
      org_id: string;
      offer_id: string;
    }[];
    const row = rows[0];
    return row ? { orgId: row.org_id, offerId: row.offer_id } : null;
  }

  /** What an accept link shows: time, practitioner and place, no name and no service. */
  async linkView(orgId: string, offerId: string, actor: AuditActor): Promise<OfferLinkView> {
    return this.database.withTenant(orgId, async (tx) => {
      const [row] = await tx
        .select({
          status: waitlistOffers.status,
          patientId: waitlistOffers.patientId,
          expiresAt: waitlistOffers.expiresAt,
          start: slotHolds.startAt,
          end: slotHolds.endAt,
          practitionerName: sql<
            string | null
          >`concat_ws(' ', ${practitioners.prefix}, ${practitioners.givenName}, ${practitioners.familyName})`,
          locationName: locations.name,
        })
        .from(waitlistOffers)
        .innerJoin(slotHolds, eq(slotHolds.id, waitlistOffers.holdId))
        .leftJoin(practitioners, eq(practitioners.id, slotHolds.practitionerId))
        .leftJoin(locations, eq(locations.id, slotHolds.locationId))
        .where(eq(waitlistOffers.id, offerId));
      if (!row) throw notFound('Offer');
      await this.audit.inTransaction(tx, actor, {
        action: 'read',
        recordType: 'waitlist-offer',
        recordId: offerId,
        patientId: row.patientId,
      });
      const expired = row.status === 'pending' && row.expiresAt <= this.now();
      return {
        status: expired ? 'expired' : offerStatus(row.status),
        start: row.start.toISOString(),
        end: row.end.toISOString(),
        practitionerName: row.practitionerName,
        locationName: row.locationName,
        expiresAt: row.expiresAt.toISOString(),
      };
    });
  }

  /**
   * Accepts an offer: under its hold's row lock (so two acceptances of one slot run one after
   * the other), books it through the scheduling service with the hold as its claim. The second
   * acceptance finds the hold released: `taken`, with alternatives. Accepting an accepted offer
   * again answers the same booking.
   */
  async accept(
    orgId: string,
    offerId: string,
    actor: AuditActor,
    onlyPatient: string | null,
  ): Promise<OfferAccepted> {
    const outcome = await this.database.withTenant(orgId, async (tx): Promise<AnswerOutcome> => {
      const offer = await this.lockedOffer(tx, offerId, onlyPatient);
      if (!offer) throw notFound('Offer');
      const { row, hold } = offer;
      const now = this.now();
      if (row.status === 'accepted' && row.appointmentId) {
        return {
          kind: 'booked',
          accepted: {
            offerId,
            appointmentId: row.appointmentId,
            start: hold.startAt.toISOString(),
            end: hold.endAt.toISOString(),
          },
        } satisfies AnswerOutcome;
      }
      if (row.status === 'expired' || (row.status === 'pending' && row.expiresAt <= now)) {
        return { kind: 'expired' } satisfies AnswerOutcome;
      }
      const taken = {
        kind: 'taken',
        serviceId: hold.visitTypeId,
        locationId: hold.locationId,
        start: hold.startAt.getTime(),
      } satisfies AnswerOutcome;
      if (row.status !== 'pending') return row.status === 'taken' ? taken : { kind: 'answered' };
      if (hold.releasedAt) {
        await this.closeOffer(tx, row, 'taken', now);
        return taken;
      }
      const [entry] = await tx
        .select()
        .from(waitlistEntries)
        .where(eq(waitlistEntries.id, row.entryId));
      if (!entry) throw notFound('Offer');
      let appointmentId: string;
      try {
        // A savepoint: a refused booking leaves this transaction usable to record the refusal.
        appointmentId = await tx.transaction((sp) =>
          this.scheduling.bookHeld(
            sp,
            { actor: { orgId, userId: actor.userId }, audit: actor },
            {
              patientId: row.patientId,
              serviceId: hold.visitTypeId,
              practitionerId: hold.practitionerId,
              locationId: hold.locationId,
              start: hold.startAt.toISOString(),
            },
            hold.id,
          ),
        );
      } catch (error) {
        if (error instanceof SlotTakenError || sqlState(error) === EXCLUSION_VIOLATION) {
          await releaseHold(tx, hold.id, now, 'taken');
          await this.closeOffer(tx, row, 'taken', now);
          return taken;
        }
        throw error;
      }
      await tx
        .update(waitlistOffers)
        .set({ status: 'accepted', answeredAt: now, appointmentId })
        .where(eq(waitlistOffers.id, row.id));
      // The others of a broadcast lost the race: their offers are over.
      await tx
        .update(waitlistOffers)
        .set({ status: 'taken', answeredAt: now })
        .where(
          and(
            eq(waitlistOffers.holdId, hold.id),
            eq(waitlistOffers.status, 'pending'),
            ne(waitlistOffers.id, row.id),
          ),
        );
      await this.restoreWaiting(tx, hold.id, now);
      await tx
        .update(waitlistEntries)
        .set({ status: 'booked', appointmentId, updatedAt: now })
        .where(eq(waitlistEntries.id, entry.id));
      await this.answered(tx, orgId, row, 'accepted', actor);
      return {
        kind: 'booked',
        accepted: {
          offerId,
          appointmentId,
          start: hold.startAt.toISOString(),
          end: hold.endAt.toISOString(),
        },
      } satisfies AnswerOutcome;
    });
    return this.settle(orgId, outcome);
  }

  /** Declines an offer: the patient stays on the waitlist, and the slot goes to the next one. */
  async decline(
    orgId: string,
    offerId: string,
    actor: AuditActor,
    onlyPatient: string | null,
  ): Promise<void> {
    await this.database.withTenant(orgId, async (tx) => {
      const offer = await this.lockedOffer(tx, offerId, onlyPatient);
      if (!offer) throw notFound('Offer');
      if (offer.row.status !== 'pending') {
        throw conflict('This offer has already been answered or has expired', '/params/id');
      }
      const now = this.now();
      await this.closeOffer(tx, offer.row, 'declined', now);
      const audits: AuditEntry[] = [];
      await this.advance(tx, orgId, offer.hold, audits);
      await this.answered(tx, orgId, offer.row, 'declined', actor);
      await this.writeAudits(tx, orgId, audits);
    });
  }

  private async settle(orgId: string, outcome: AnswerOutcome): Promise<OfferAccepted> {
    switch (outcome.kind) {
      case 'booked':
        return outcome.accepted;
      case 'expired':
        throw conflict('This offer has expired', '/params/id');
      case 'answered':
      case 'declined':
        throw conflict('This offer has already been answered', '/params/id');
      case 'taken':
        throw new SlotTakenError(await this.alternatives(orgId, outcome));
    }
  }

  private async alternatives(
    orgId: string,
    taken: { serviceId: string; locationId: string; start: number },
  ): Promise<AvailableSlot[]> {
    const now = this.now().getTime();
    const from = Math.max(now, taken.start);
    return this.database.withTenant(orgId, async (tx) => {
      const service = await loadVisitType(tx, taken.serviceId);
      if (!service?.active) return [];
      return findSlots(
        tx,
        service,
        { locationId: taken.locationId },
        { start: from, end: from + 14 * DAY },
        5,
        now,
      );
    });
  }

  /** The offer with its hold's row locked (the hold first: every answer takes it in that order). */
  private async lockedOffer(
    tx: Db,
    offerId: string,
    onlyPatient: string | null,
  ): Promise<{ row: typeof waitlistOffers.$inferSelect; hold: HoldRow } | null> {
    const [first] = await tx
      .select({ holdId: waitlistOffers.holdId, patientId: waitlistOffers.patientId })
      .from(waitlistOffers)
      .where(eq(waitlistOffers.id, offerId));
    if (!first || (onlyPatient !== null && first.patientId !== onlyPatient)) return null;
    const [hold] = await tx
      .select()
      .from(slotHolds)
      .where(eq(slotHolds.id, first.holdId))
      .for('update');
    const [row] = await tx.select().from(waitlistOffers).where(eq(waitlistOffers.id, offerId));
    return hold && row ? { row, hold } : null;
  }

  private async closeOffer(
    tx: Db,
    row: typeof waitlistOffers.$inferSelect,
    status: 'declined' | 'expired' | 'taken',
    now: Date,
  ): Promise<void> {
    await tx
      .update(waitlistOffers)
      .set({ status, answeredAt: status === 'expired' ? null : now })
      .where(and(eq(waitlistOffers.id, row.id), eq(waitlistOffers.status, 'pending')));
    await this.restoreWaiting(tx, null, now, row.entryId);
  }

  /** Entries left without a pending offer (of this hold, or this entry) wait again. */
  private async restoreWaiting(
    tx: Db,
    holdId: string | null,
    now: Date,
    entryId?: string,
  ): Promise<void> {
    const ids = entryId
      ? [entryId]
      : (
          await tx
            .select({ id: waitlistOffers.entryId })
            .from(waitlistOffers)
            .where(eq(waitlistOffers.holdId, holdId ?? ''))
        ).map((r) => r.id);
    if (ids.length === 0) return;
    await tx
      .update(waitlistEntries)
      .set({ status: 'waiting', updatedAt: now })
      .where(
        and(
          inArray(waitlistEntries.id, ids),
          eq(waitlistEntries.status, 'offered'),
          sql`not exists (select 1 from ${waitlistOffers} o where o.entry_id = ${waitlistEntries.id} and o.status = 'pending')`,
        ),
      );
  }

  private async answered(
    tx: Db,
    orgId: string,
    row: typeof waitlistOffers.$inferSelect,
    answer: 'accepted' | 'declined',
    actor: AuditActor,
  ): Promise<void> {
    const summary =
      answer === 'accepted' ? 'Accepted a waitlist offer' : 'Declined a waitlist offer';
    await appendTouchpoints(tx, [
      {
        orgId,
        patientId: row.patientId,
        channel: 'portal',
        direction: 'inbound',
        type: `waitlist-offer-${answer}`,
        stage: 'scheduling',
        summary,
        nonClinicalSummary: summary,
        subjectType: 'waitlist-offer',
        subjectId: row.id,
        occurredAt: this.now(),
      },
    ]);
    await this.audit.inTransaction(tx, actor, {
      action: 'update',
      recordType: 'waitlist-offer',
      recordId: row.id,
      patientId: row.patientId,
      reason: `offer ${answer}`,
    });
  }

  /**
   * A hold whose offers are all answered or expired: offer it to the next patients who suit
   * it (with the full hold time again), else release it.
   */
  private async advance(tx: Db, orgId: string, hold: HoldRow, audits: AuditEntry[]): Promise<void> {
    if (hold.releasedAt) return;
    const [pending] = await tx
      .select({ id: waitlistOffers.id })
      .from(waitlistOffers)
      .where(and(eq(waitlistOffers.holdId, hold.id), eq(waitlistOffers.status, 'pending')))
      .limit(1);
    if (pending) return;
    const now = this.now();
    const timeZone = await this.zoneOf(tx, hold.locationId);
    if (!timeZone || hold.startAt.getTime() < now.getTime() + MIN_LEAD_MS) {
      await releaseHold(tx, hold.id, now, 'no-taker');
      return;
    }
    const asked = new Set(
      (
        await tx
          .select({ entryId: waitlistOffers.entryId })
          .from(waitlistOffers)
          .where(eq(waitlistOffers.holdId, hold.id))
      ).map((r) => r.entryId),
    );
    const rows = await tx
      .select()
      .from(waitlistEntries)
      .where(
        and(
          eq(waitlistEntries.status, 'waiting'),
          eq(waitlistEntries.visitTypeId, hold.visitTypeId),
          isNotNull(waitlistEntries.availability),
        ),
      )
      .limit(CANDIDATES_READ);
    const slot: AvailableSlot = {
      start: hold.startAt.toISOString(),
      end: hold.endAt.toISOString(),
      practitionerId: hold.practitionerId,
      locationId: hold.locationId,
      serviceId: hold.visitTypeId,
    };
    const next = this.suiting(
      rankCandidates(rows.map(candidateOf)).filter((c) => !asked.has(c.id)),
      hold.visitTypeId,
      slot,
      timeZone,
      now.getTime(),
    );
    if (next.length === 0) {
      await releaseHold(tx, hold.id, now, 'no-taker');
      return;
    }
    const settings = await settingsOf(tx);
    const expiresAt = new Date(now.getTime() + settings.holdMinutes * MINUTE);
    await extendHold(tx, hold.id, expiresAt);
    for (const c of next.slice(0, offerFanOut(settings.mode, settings.broadcastSize))) {
      await this.sendOffer(tx, orgId, c.entry, hold.id, slot, expiresAt, audits);
    }
  }

  // ---- Timers -----------------------------------------------------------------------------

  /**
   * Expires offers past their time (a touchpoint and an audit event each) and moves their
   * holds on to the next patients or releases them. Every organization with something due.
   */
  async sweep(): Promise<{ expired: number }> {
    const now = this.now();
    const due = await this.database.system((tx) =>
      tx
        .selectDistinct({ orgId: waitlistOffers.orgId })
        .from(waitlistOffers)
        .where(and(eq(waitlistOffers.status, 'pending'), lte(waitlistOffers.expiresAt, now)))
        .union(
          tx
            .selectDistinct({ orgId: slotHolds.orgId })
            .from(slotHolds)
            .where(and(isNull(slotHolds.releasedAt), lte(slotHolds.expiresAt, now))),
        ),
    );
    let expired = 0;
    for (const { orgId } of due) expired += await this.sweepOrganization(orgId);
    return { expired };
  }

  async sweepOrganization(orgId: string): Promise<number> {
    return this.database.withTenant(orgId, async (tx) => {
      const now = this.now();
      const audits: AuditEntry[] = [];
      const holds = await tx
        .select()
        .from(slotHolds)
        .where(and(isNull(slotHolds.releasedAt), lte(slotHolds.expiresAt, now)))
        .orderBy(asc(slotHolds.startAt))
        .limit(200)
        .for('update');
      let expired = 0;
      for (const hold of holds) {
        const stale = await tx
          .update(waitlistOffers)
          .set({ status: 'expired' })
          .where(and(eq(waitlistOffers.holdId, hold.id), eq(waitlistOffers.status, 'pending')))
          .returning();
        for (const offer of stale) {
          expired++;
          await this.restoreWaiting(tx, null, now, offer.entryId);
          const summary = 'A waitlist offer expired unanswered';
          await appendTouchpoints(tx, [
            {
              orgId,
              patientId: offer.patientId,
              channel: 'system',
              direction: 'internal',
              type: 'waitlist-offer-expired',
              stage: 'scheduling',
              summary,
              nonClinicalSummary: summary,
              subjectType: 'waitlist-offer',
              subjectId: offer.id,
              occurredAt: now,
            },
          ]);
          audits.push({
            action: 'update',
            recordType: 'waitlist-offer',
            recordId: offer.id,
            patientId: offer.patientId,
            reason: 'offer expired',
          });
        }
        if (hold.reason === 'waitlist-offer') await this.advance(tx, orgId, hold, audits);
        else await releaseHold(tx, hold.id, now, 'expired');
      }
      await this.writeAudits(tx, orgId, audits);
      return expired;
    });
  }

  /**
   * Looks for open slots for waiting patients and follow-ups whose window has begun (new
   * hours, a schedule opened for the follow-up's month): each gets one offer at a time.
   */
  async propose(): Promise<number> {
    const now = this.now();
    const horizon = new Date(now.getTime() + PROPOSAL_HORIZON_DAYS * DAY)
      .toISOString()
      .slice(0, 10);
    const orgs = await this.database.system((tx) =>
      tx
        .selectDistinct({ orgId: waitlistEntries.orgId })
        .from(waitlistEntries)
        .where(
          and(
            eq(waitlistEntries.status, 'waiting'),
            isNotNull(waitlistEntries.availability),
            or(isNull(waitlistEntries.earliest), lte(waitlistEntries.earliest, horizon)),
          ),
        ),
    );
    let offered = 0;
    for (const { orgId } of orgs) offered += await this.proposeFor(orgId);
    return offered;
  }

  async proposeFor(orgId: string): Promise<number> {
    const now = this.now().getTime();
    const horizon = new Date(now + PROPOSAL_HORIZON_DAYS * DAY).toISOString().slice(0, 10);
    const entries = await this.database.withTenant(orgId, (tx) =>
      tx
        .select()
        .from(waitlistEntries)
        .where(
          and(
            eq(waitlistEntries.status, 'waiting'),
            isNotNull(waitlistEntries.availability),
            or(isNull(waitlistEntries.earliest), lte(waitlistEntries.earliest, horizon)),
          ),
        )
        .orderBy(
          sql`case ${waitlistEntries.priority} when 'urgent' then 0 when 'soon' then 1 else 2 end`,
          asc(waitlistEntries.createdAt),
        )
        .limit(PROPOSALS_PER_RUN),
    );
    let offered = 0;
    for (const entry of entries) {
      offered += await this.database.withTenant(orgId, async (tx) => {
        const audits: AuditEntry[] = [];
        const n = await this.proposeOne(tx, orgId, entry, audits);
        await this.writeAudits(tx, orgId, audits);
        return n;
      });
    }
    return offered;
  }

  private async proposeOne(
    tx: Db,
    orgId: string,
    entry: EntryRow,
    audits: AuditEntry[],
  ): Promise<number> {
    const now = this.now().getTime();
    const service = await loadVisitType(tx, entry.visitTypeId);
    if (!service?.active) return 0;
    const earliest = entry.earliest ? Date.parse(`${entry.earliest}T00:00:00Z`) - DAY : now;
    const from = Math.max(now + MIN_LEAD_MS, earliest);
    const until = entry.bookBefore
      ? Date.parse(`${entry.bookBefore}T00:00:00Z`) + 2 * DAY
      : Infinity;
    const to = Math.min(until, from + PROPOSAL_HORIZON_DAYS * DAY);
    if (to <= from) return 0;
    // Slots offered to this entry before (declined or expired) are not offered again.
    const before = await tx
      .select({ start: slotHolds.startAt, practitionerId: slotHolds.practitionerId })
      .from(waitlistOffers)
      .innerJoin(slotHolds, eq(slotHolds.id, waitlistOffers.holdId))
      .where(eq(waitlistOffers.entryId, entry.id));
    const seen = new Set(before.map((b) => `${b.practitionerId}@${b.start.getTime()}`));
    const slots = await findSlots(
      tx,
      service,
      {
        ...(entry.practitionerId ? { practitionerId: entry.practitionerId } : {}),
        ...(entry.locationId ? { locationId: entry.locationId } : {}),
      },
      { start: from, end: to },
      200,
      now,
    );
    const candidate = candidateOf(entry);
    const zones = new Map<string, string | null>();
    for (const slot of slots) {
      if (seen.has(`${slot.practitionerId}@${Date.parse(slot.start)}`)) continue;
      if (!zones.has(slot.locationId))
        zones.set(slot.locationId, await this.zoneOf(tx, slot.locationId));
      const timeZone = zones.get(slot.locationId);
      if (!timeZone) continue;
      if (this.suiting([candidate], service.id, slot, timeZone, now).length === 0) continue;
      const settings = await settingsOf(tx);
      const expiresAt = new Date(now + settings.holdMinutes * MINUTE);
      const holdId = await this.scheduling.holdSlot(tx, {
        orgId,
        serviceId: service.id,
        practitionerId: slot.practitionerId,
        locationId: slot.locationId,
        start: Date.parse(slot.start),
        reason: 'waitlist-offer',
        expiresAt,
      });
      if (!holdId) continue;
      await this.sendOffer(tx, orgId, entry, holdId, slot, expiresAt, audits);
      return 1;
    }
    return 0;
  }
}
