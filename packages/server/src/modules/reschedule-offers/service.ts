import {
  type AvailableSlot,
  appointmentStart,
  CareloopError,
  chooseOfferSlots,
  type OfferedSlot,
  offerChoicesText,
  offerExpiry,
  offeredSlotsOf,
  parseOfferAnswer,
} from '@careloop/core';
import { and, desc, eq, gt, inArray, isNotNull } from 'drizzle-orm';
import type { Database, Db } from '../../db/client.js';
import type { AuditActor, AuditEntry, AuditLog } from '../audit/service.js';
import type { JobPayload } from '../jobs/names.js';
import type { JobRunner } from '../jobs/runner.js';
import type { OutboxService } from '../messaging/outbox.js';
import { patientContactPoints } from '../patients/schema.js';
import { appointments, schedulingSettings } from '../scheduling/schema.js';
import type { EhrMoveAnswer } from '../scheduling/service.js';
import {
  findSlots,
  loadVisitType,
  type SchedulingService,
  SlotTakenError,
} from '../scheduling/service.js';
import { raisePatientTask } from '../tasks/service.js';
import { messageTemplates, messageTemplateVersions } from '../templates/schema.js';
import {
  ensureTemplates,
  mergeValuesFor,
  READY_TEMPLATES,
  renderBodies,
} from '../templates/service.js';
import { appendTouchpoints } from '../timeline/service.js';
import { rescheduleOffers } from './schema.js';

const DAY = 86_400_000;
/** How far ahead open slots are looked for. */
const SEARCH_DAYS = 14;
/** Open slots read per search: enough for three distinct starts after those offered before. */
const SEARCH_LIMIT = 60;
/** A reply answers the patient's latest offer if it was made within this long. */
const ANSWER_WINDOW_MS = 7 * DAY;
const E164 = /^\+[1-9]\d{6,14}$/;

/** Who acts in the audit log when a patient's text moves their appointment: the system. */
export const rescheduleActor = (orgId: string): AuditActor => ({
  orgId,
  userId: null,
  email: null,
  role: 'system',
  ip: null,
  userAgent: 'reschedule-offer',
});

/** The front-desk task an offer falls back to (the journey node's). */
export interface FallbackTask {
  title: string;
  team: 'front-desk' | 'care-coordination' | 'clinical';
  dueInMinutes?: number;
}

/** Why no offer was made: the patient is handed to the front desk instead. */
export type HandOffReason = 'no-slots' | 'ehr-owned' | 'not-movable' | 'no-phone' | 'expired';

export type OfferOutcome =
  | { kind: 'offered'; offerId: string }
  | { kind: 'handed-off'; reason: HandOffReason; taskId: string };

type OfferRow = typeof rescheduleOffers.$inferSelect;

/** The template each text is rendered from (Careloop's ready one, written if the organization lacks it). */
type OfferTemplate =
  | 'reschedule-offer'
  | 'reschedule-offer-taken'
  | 'reschedule-offer-booked'
  | 'reschedule-offer-handoff'
  // Issue 11 (h11e): where the EHR owns the schedule, a choice is a request the EHR answers.
  | 'reschedule-offer-requested'
  | 'reschedule-offer-not-moved';

/**
 * Issue 11 (h11r): "R" to a reminder offers open slots by text, and "1", "2" or "3" moves the
 * appointment there through the scheduling service's race-safe path
 * (docs/adr/0036-reschedule-offers.md). No slot is held: a slot taken meanwhile gets a fresh
 * offer; an offer that ended, or an appointment Careloop may not move, goes to the front desk
 * as a task, as before self-scheduling. Every text goes through the outbox (consent, quiet
 * hours and caps at delivery), with a touchpoint and an audit event for each step.
 */
export class RescheduleOfferService {
  constructor(
    private readonly database: Database,
    private readonly audit: AuditLog,
    private readonly jobs: JobRunner,
    private readonly outbox: OutboxService,
    private readonly scheduling: SchedulingService,
    private readonly options: { publicUrl: string; clock: () => Date },
  ) {
    // Issue 11 (h11e): a choice the EHR must accept is confirmed, or refused, on its answer.
    scheduling.ehr?.onMoveAnswered((tx, answer) => this.ehrAnswered(tx, answer));
  }

  /**
   * An "R" reached the reminder journey (in its step's transaction): open slots offered by
   * text, else the fallback task. Returns what was done and the audit entries for the caller
   * to append (the step appends its audit events last).
   */
  async offerOrHandOff(
    tx: Db,
    request: {
      orgId: string;
      patientId: string;
      appointmentId: string;
      /** Unique per request (the journey step's key): a step run twice offers once. */
      sourceKey: string;
      fallback: FallbackTask;
    },
  ): Promise<{ outcome: OfferOutcome; audits: AuditEntry[] }> {
    const now = this.options.clock();
    const offered = await this.makeOffer(tx, {
      ...request,
      round: 1,
      exclude: [],
      template: 'reschedule-offer',
      now,
    });
    if (offered.kind === 'offered') {
      return {
        outcome: offered,
        audits: [offerAudit('create', offered.offerId, request.patientId, 'offered by text')],
      };
    }
    const taskId = await this.handOff(tx, { ...request, reason: offered.reason, now });
    return {
      outcome: { kind: 'handed-off', reason: offered.reason, taskId },
      audits: [
        { action: 'create', recordType: 'task', recordId: taskId, patientId: request.patientId },
      ],
    };
  }

  /**
   * A patient's text, before journeys see it: when it answers the patient's open offer (1, 2,
   * 3 or N), the offer handles it and this answers true; anything else answers false (the
   * journeys and the shared inbox have it). Safe to run twice for one message (a retried job).
   */
  async answer(message: {
    id: string;
    orgId: string;
    patientId: string | null;
    body: string;
  }): Promise<boolean> {
    const { orgId, patientId } = message;
    if (!patientId) return false;
    const actor = rescheduleActor(orgId);
    const decided = await this.database.withTenant(orgId, async (tx) => {
      const now = this.options.clock();
      const [offer] = await tx
        .select()
        .from(rescheduleOffers)
        .where(
          and(
            eq(rescheduleOffers.patientId, patientId),
            gt(rescheduleOffers.createdAt, new Date(now.getTime() - ANSWER_WINDOW_MS)),
          ),
        )
        .orderBy(desc(rescheduleOffers.createdAt), desc(rescheduleOffers.round))
        .limit(1)
        .for('update');
      if (!offer) return null;
      const slots = offeredSlotsOf(offer.slots);
      const said = parseOfferAnswer(message.body, slots.length);
      if (!said) return null;
      // This message was taken up before (the job ran again): go on where it stopped.
      const mine = offer.answerKey === message.id;
      if (offer.status !== 'open' && !mine) {
        // A late answer to an offer that ended: the front desk has it (a task was raised).
        if (offer.status !== 'expired') return null;
        await this.text(tx, offer, 'reschedule-offer-handoff', `late:${message.id}`, []);
        return { kind: 'done' } as const;
      }
      if (!mine && offer.expiresAt.getTime() <= now.getTime()) {
        await this.expire(tx, offer, now);
        await this.text(tx, offer, 'reschedule-offer-handoff', `late:${message.id}`, []);
        return { kind: 'done' } as const;
      }
      if (said.kind === 'more') {
        await this.close(tx, offer, 'replaced', now, message.id, null);
        await this.offerAgain(tx, offer, 'reschedule-offer', `more:${message.id}`, now, slots);
        await this.audit.inTransaction(
          tx,
          actor,
          offerAudit('update', offer.id, patientId, 'more times asked for'),
        );
        return { kind: 'done' } as const;
      }
      const slot = slots[said.choice - 1];
      if (!slot) return null;
      if (!mine) {
        await tx
          .update(rescheduleOffers)
          .set({ answerKey: message.id, chosen: said.choice })
          .where(eq(rescheduleOffers.id, offer.id));
      }
      return { kind: 'move', offer, slot } as const;
    });
    if (!decided) return false;
    if (decided.kind === 'done') return true;
    await this.move(decided.offer, decided.slot, message.id);
    return true;
  }

  /** The `reschedule-offer.expire` job: an offer unanswered at its end goes to the front desk. */
  async expireJob(job: JobPayload<'reschedule-offer.expire'>): Promise<void> {
    await this.database.withTenant(job.orgId, async (tx) => {
      const [offer] = await tx
        .select()
        .from(rescheduleOffers)
        .where(eq(rescheduleOffers.id, job.offerId))
        .for('update');
      const now = this.options.clock();
      if (offer?.status !== 'open' || offer.answerKey) return;
      if (offer.expiresAt.getTime() > now.getTime()) return;
      await this.expire(tx, offer, now);
    });
  }

  /**
   * Moves the appointment to the chosen slot in the scheduling service's own transaction (its
   * checks, lock and exclusion constraint), then records the answer. A slot taken meanwhile (or
   * no longer within hours) gets a fresh offer; any other refusal goes to the front desk. A
   * retried job finds the appointment already there and only records it.
   */
  private async move(offer: OfferRow, slot: OfferedSlot, answerKey: string): Promise<void> {
    const { orgId, patientId } = offer;
    const actor = rescheduleActor(orgId);
    const [current] = await this.database.withTenant(orgId, (tx) =>
      tx
        .select({ startAt: appointments.startAt, practitionerId: appointments.practitionerId })
        .from(appointments)
        .where(eq(appointments.id, offer.appointmentId)),
    );
    const alreadyThere =
      current?.startAt.toISOString() === new Date(slot.start).toISOString() &&
      current.practitionerId === slot.practitionerId;
    // Where the EHR owns the schedule the move is a request: a retried job finds it made.
    const alreadyAsked =
      (await this.database.withTenant(orgId, (tx) => this.ehrMoveOf(tx, offer, slot))) !== null;
    let refusal: 'taken' | 'refused' | null = null;
    if (!alreadyThere && !alreadyAsked) {
      try {
        await this.scheduling.change(
          { actor: { orgId, userId: null, role: 'patient' }, audit: actor },
          offer.appointmentId,
          {
            action: 'reschedule',
            start: slot.start,
            practitionerId: slot.practitionerId,
            locationId: slot.locationId,
          },
          'patient',
        );
      } catch (error) {
        if (error instanceof SlotTakenError) refusal = 'taken';
        else if (error instanceof CareloopError) {
          refusal = error.problem.path === '/body/start' ? 'taken' : 'refused';
        } else throw error;
      }
    }
    await this.database.withTenant(orgId, async (tx) => {
      const now = this.options.clock();
      const [locked] = await tx
        .select()
        .from(rescheduleOffers)
        .where(eq(rescheduleOffers.id, offer.id))
        .for('update');
      if (locked?.status !== 'open') return;
      if (refusal === 'taken') {
        await this.close(tx, locked, 'replaced', now, answerKey, locked.chosen);
        await this.offerAgain(tx, locked, 'reschedule-offer-taken', `taken:${answerKey}`, now, []);
        await this.audit.inTransaction(
          tx,
          actor,
          offerAudit('update', offer.id, patientId, 'the chosen time was taken'),
        );
        return;
      }
      if (refusal === 'refused') {
        await this.close(tx, locked, 'handed-off', now, answerKey, locked.chosen);
        const taskId = await this.handOff(tx, {
          orgId,
          patientId,
          appointmentId: offer.appointmentId,
          reason: 'not-movable',
          fallback: DEFAULT_FALLBACK,
          now,
        });
        await this.text(tx, locked, 'reschedule-offer-handoff', `refused:${answerKey}`, []);
        await this.audit.inTransaction(tx, actor, {
          action: 'create',
          recordType: 'task',
          recordId: taskId,
          patientId,
        });
        return;
      }
      const asked = await this.ehrMoveOf(tx, locked, slot);
      if (asked === 'refused') {
        await this.notMoved(tx, locked, slot);
        return;
      }
      await this.close(tx, locked, 'accepted', now, answerKey, locked.chosen);
      await appendTouchpoints(tx, [
        touchpoint(orgId, patientId, offer.id, 'inbound', 'Chose a new time by text', now),
      ]);
      if (asked === 'sent') {
        // Asked of the EHR, not moved: the visit keeps its time until the EHR accepts.
        await this.text(
          tx,
          locked,
          'reschedule-offer-requested',
          `requested:${offer.id}`,
          [],
          slot,
        );
        await this.audit.inTransaction(
          tx,
          actor,
          offerAudit('update', offer.id, patientId, 'accepted: move requested of the EHR'),
        );
        return;
      }
      await this.text(tx, locked, 'reschedule-offer-booked', `booked:${offer.id}`, []);
      await this.audit.inTransaction(
        tx,
        actor,
        offerAudit('update', offer.id, patientId, 'accepted: appointment moved'),
      );
    });
  }

  /** Where the EHR stands on moving the offer's visit to `slot`; null: no such request. */
  private async ehrMoveOf(tx: Db, offer: OfferRow, slot: OfferedSlot) {
    const ehr = this.scheduling.ehr;
    if (!ehr) return null;
    return ehr.moveRequested(tx, offer.appointmentId, new Date(slot.start), offer.createdAt);
  }

  /**
   * Issue 11 (h11e): the EHR answered a move (in the transaction that records its answer). When
   * the move is the patient's choice from an offer: accepted, the patient is told the visit's new
   * time; refused, that it keeps its time (the EHR-mode refusal gave the front desk its task).
   * Any other move (staff's) is not an offer's business.
   */
  private async ehrAnswered(tx: Db, answer: EhrMoveAnswer): Promise<void> {
    const [offer] = await tx
      .select()
      .from(rescheduleOffers)
      .where(
        and(
          eq(rescheduleOffers.orgId, answer.orgId),
          eq(rescheduleOffers.appointmentId, answer.appointmentId),
          isNotNull(rescheduleOffers.answerKey),
          inArray(rescheduleOffers.status, ['open', 'accepted']),
        ),
      )
      .orderBy(desc(rescheduleOffers.createdAt), desc(rescheduleOffers.round))
      .limit(1)
      .for('update');
    if (!offer?.chosen) return;
    const slot = offeredSlotsOf(offer.slots)[offer.chosen - 1];
    if (!slot || Date.parse(slot.start) !== answer.requestedStart.getTime()) return;
    if (!answer.accepted) {
      await this.notMoved(tx, offer, slot);
      return;
    }
    const now = this.options.clock();
    if (offer.status === 'open') {
      // The EHR answered before the choice was recorded (the outbox was that quick).
      await this.close(tx, offer, 'accepted', now, offer.answerKey, offer.chosen);
      await appendTouchpoints(tx, [
        touchpoint(
          offer.orgId,
          offer.patientId,
          offer.id,
          'inbound',
          'Chose a new time by text',
          now,
        ),
      ]);
    }
    await this.text(tx, offer, 'reschedule-offer-booked', `booked:${offer.id}`, []);
    await this.audit.inTransaction(
      tx,
      rescheduleActor(offer.orgId),
      offerAudit('update', offer.id, offer.patientId, 'moved: the EHR accepted'),
    );
  }

  /** The EHR refused the chosen time: the offer ends with the front desk, the patient is told. */
  private async notMoved(tx: Db, offer: OfferRow, slot: OfferedSlot): Promise<void> {
    const now = this.options.clock();
    await this.close(tx, offer, 'handed-off', now, offer.answerKey, offer.chosen);
    await this.text(tx, offer, 'reschedule-offer-not-moved', `not-moved:${offer.id}`, [], slot);
    await this.audit.inTransaction(
      tx,
      rescheduleActor(offer.orgId),
      offerAudit('update', offer.id, offer.patientId, 'not moved: the EHR refused'),
    );
  }

  /** A fresh offer after `previous` (an N, or a slot taken): else the front desk. */
  private async offerAgain(
    tx: Db,
    previous: OfferRow,
    template: 'reschedule-offer' | 'reschedule-offer-taken',
    sourceKey: string,
    now: Date,
    exclude: readonly OfferedSlot[],
  ): Promise<void> {
    const request = {
      orgId: previous.orgId,
      patientId: previous.patientId,
      appointmentId: previous.appointmentId,
    };
    const offered = await this.makeOffer(tx, {
      ...request,
      sourceKey,
      round: previous.round + 1,
      exclude: exclude.map((s) => s.start),
      template,
      now,
    });
    if (offered.kind === 'offered') return;
    const taskId = await this.handOff(tx, {
      ...request,
      reason: offered.reason,
      fallback: DEFAULT_FALLBACK,
      now,
    });
    await this.text(tx, previous, 'reschedule-offer-handoff', `handoff:${sourceKey}`, []);
    await this.audit.inTransaction(tx, rescheduleActor(previous.orgId), {
      action: 'create',
      recordType: 'task',
      recordId: taskId,
      patientId: previous.patientId,
    });
  }

  /**
   * Finds up to three open slots for the appointment's service (its practitioner first, else
   * anyone at its location), stores the offer, texts it and schedules its end; or says why not.
   */
  private async makeOffer(
    tx: Db,
    input: {
      orgId: string;
      patientId: string;
      appointmentId: string;
      sourceKey: string;
      round: number;
      exclude: readonly string[];
      template: 'reschedule-offer' | 'reschedule-offer-taken';
      now: Date;
    },
  ): Promise<{ kind: 'offered'; offerId: string } | { kind: 'none'; reason: HandOffReason }> {
    const none = (reason: HandOffReason) => ({ kind: 'none', reason }) as const;
    const [existing] = await tx
      .select({ id: rescheduleOffers.id })
      .from(rescheduleOffers)
      .where(eq(rescheduleOffers.sourceKey, input.sourceKey));
    if (existing) return { kind: 'offered', offerId: existing.id };
    const [appointment] = await tx
      .select()
      .from(appointments)
      .where(eq(appointments.id, input.appointmentId));
    // Only what Careloop booked, and still booked: an EHR feed's appointment moves in the EHR.
    if (!appointment?.visitTypeId || !appointment.locationId || appointment.status !== 'booked') {
      return none('not-movable');
    }
    const [settings] = await tx
      .select({ mode: schedulingSettings.scheduleMode })
      .from(schedulingSettings);
    // A visit booked here occupies its time (the exclusion constraint); one the EHR booked on
    // Careloop's request occupies none here (the EHR's book keeps it), issue 13.
    if (settings?.mode !== 'ehr' && !appointment.occupies) return none('not-movable');
    const service = await loadVisitType(tx, appointment.visitTypeId);
    if (!service?.active) return none('no-slots');
    const now = input.now.getTime();
    const window = { start: now, end: now + SEARCH_DAYS * DAY };
    let open: (filter: { practitionerId?: string; locationId: string }) => Promise<AvailableSlot[]>;
    if (settings?.mode === 'ehr') {
      // Issue 11 (h11e): the EHR's free slots, and the move an S13 (or FHIR update) the EHR
      // answers. Only what Careloop requested of the EHR moves that way, and the EHR moves a
      // visit within its practitioner and location: no one else's times are offered.
      const ehr = this.scheduling.ehr;
      if (!ehr || !appointment.practitionerId || !(await ehr.requested(tx, appointment.id))) {
        return none('ehr-owned');
      }
      const practitionerId = appointment.practitionerId;
      open = (filter) =>
        filter.practitionerId
          ? ehr.availability(tx, service, { ...filter, practitionerId }, window, SEARCH_LIMIT)
          : Promise.resolve([]);
    } else {
      open = (filter) => findSlots(tx, service, filter, window, SEARCH_LIMIT, now);
    }
    const choose = (found: OfferedSlot[]) =>
      chooseOfferSlots(found, {
        now,
        practitionerId: appointment.practitionerId,
        currentStart: appointment.startAt.getTime(),
        exclude: input.exclude,
      });
    const locationId = appointment.locationId;
    let slots = appointment.practitionerId
      ? choose(await open({ practitionerId: appointment.practitionerId, locationId }))
      : [];
    if (slots.length === 0) slots = choose(await open({ locationId }));
    const expiry = offerExpiry(now, slots);
    if (expiry === null) return none('no-slots');
    if (!(await this.phoneOf(tx, input.patientId))) return none('no-phone');
    const [row] = await tx
      .insert(rescheduleOffers)
      .values({
        orgId: input.orgId,
        patientId: input.patientId,
        appointmentId: input.appointmentId,
        status: 'open',
        slots,
        round: input.round,
        sourceKey: input.sourceKey,
        createdAt: input.now,
        expiresAt: new Date(expiry),
      })
      .returning();
    if (!row) throw new Error('reschedule offer: insert returned nothing');
    await this.text(tx, row, input.template, `offer:${row.id}`, slots);
    await appendTouchpoints(tx, [
      touchpoint(
        input.orgId,
        input.patientId,
        row.id,
        'outbound',
        'Open times offered by text',
        input.now,
      ),
    ]);
    await this.jobs.send(
      tx,
      'reschedule-offer.expire',
      { orgId: input.orgId, offerId: row.id },
      { startAfter: new Date(expiry) },
    );
    return { kind: 'offered', offerId: row.id };
  }

  /** An offer unanswered at its end: expired, and the front desk gets the task. */
  private async expire(tx: Db, offer: OfferRow, now: Date): Promise<void> {
    await this.close(tx, offer, 'expired', now, offer.answerKey, null);
    const taskId = await this.handOff(tx, {
      orgId: offer.orgId,
      patientId: offer.patientId,
      appointmentId: offer.appointmentId,
      reason: 'expired',
      fallback: DEFAULT_FALLBACK,
      now,
    });
    const actor = rescheduleActor(offer.orgId);
    await this.audit.inTransaction(
      tx,
      actor,
      offerAudit('update', offer.id, offer.patientId, 'expired unanswered'),
    );
    await this.audit.inTransaction(tx, actor, {
      action: 'create',
      recordType: 'task',
      recordId: taskId,
      patientId: offer.patientId,
    });
  }

  private async close(
    tx: Db,
    offer: OfferRow,
    status: 'accepted' | 'replaced' | 'expired' | 'handed-off',
    now: Date,
    answerKey: string | null,
    chosen: number | null,
  ): Promise<void> {
    await tx
      .update(rescheduleOffers)
      .set({ status, answeredAt: now, answerKey, chosen })
      .where(eq(rescheduleOffers.id, offer.id));
  }

  /** The front-desk task of a patient who asked to reschedule and could not be offered a time. */
  private async handOff(
    tx: Db,
    input: {
      orgId: string;
      patientId: string;
      appointmentId: string;
      reason: HandOffReason;
      fallback: FallbackTask;
      now: Date;
    },
  ): Promise<string> {
    const { fallback, now } = input;
    return raisePatientTask(tx, {
      orgId: input.orgId,
      patientId: input.patientId,
      title: `${fallback.title}${HAND_OFF_NOTE[input.reason]}`,
      team: fallback.team,
      dueAt: fallback.dueInMinutes
        ? new Date(now.getTime() + fallback.dueInMinutes * 60_000)
        : null,
      createdAt: now,
    });
  }

  /**
   * Texts the patient the offer's message, rendered from the organization's template in the
   * patient's language and zone (no generic text), through the outbox: consent, quiet
   * hours and caps are checked at delivery, as for every patient message.
   */
  private async text(
    tx: Db,
    offer: Pick<OfferRow, 'orgId' | 'patientId' | 'appointmentId'>,
    template: OfferTemplate,
    key: string,
    slots: readonly OfferedSlot[],
    /** The time the patient chose (`offer.start`), for the texts about a request of the EHR. */
    chosen?: OfferedSlot,
  ): Promise<void> {
    const phone = await this.phoneOf(tx, offer.patientId);
    if (!phone) return;
    const context = {
      orgId: offer.orgId,
      patientId: offer.patientId,
      appointmentId: offer.appointmentId,
    };
    const merge = await mergeValuesFor(tx, context, this.options.publicUrl);
    if (!merge) return;
    const values = {
      ...merge.values,
      'offer.choices': offerChoicesText(slots, merge.timeZone, merge.language),
      ...(chosen
        ? {
            'offer.start': appointmentStart(new Date(chosen.start), merge.timeZone, merge.language),
          }
        : {}),
    };
    const render = () => renderSms(tx, offer.orgId, template, merge.language, values);
    let text = await render();
    if (text === null) {
      // An organization created before organizations got the ready templates: Careloop's is
      // written now (kept and editable afterwards), never a generic text in its place.
      const ready = READY_TEMPLATES.filter((t) => t.key === template);
      await ensureTemplates(tx, offer.orgId, ready, this.options.clock());
      text = await render();
    }
    // Staff's own template of that key without an SMS version: nothing is texted.
    if (text === null) return;
    await this.outbox.queueSms(tx, {
      orgId: offer.orgId,
      patientId: offer.patientId,
      // A reply to the patient's own message about their visit: operations, not marketing.
      purpose: 'operations',
      to: phone,
      text,
      idempotencyKey: `reschedule-offer:${key}`,
    });
  }

  /** The patient's number for texts (the primary first), E.164; null without one. */
  private async phoneOf(tx: Db, patientId: string): Promise<string | null> {
    const rows = await tx
      .select({ value: patientContactPoints.value })
      .from(patientContactPoints)
      .where(
        and(
          eq(patientContactPoints.patientId, patientId),
          eq(patientContactPoints.system, 'phone'),
        ),
      )
      .orderBy(desc(patientContactPoints.isPrimary), patientContactPoints.id);
    return rows.map((r) => r.value).find((v) => E164.test(v)) ?? null;
  }
}

const DEFAULT_FALLBACK: FallbackTask = {
  title: 'Patient asked to reschedule (replied R to a reminder)',
  team: 'front-desk',
  dueInMinutes: 240,
};

/** Why the front desk got the task, added to its title (no clinical detail). */
const HAND_OFF_NOTE: Record<HandOffReason, string> = {
  'no-slots': '',
  'ehr-owned': ': the EHR owns the schedule',
  'not-movable': ': the appointment cannot be moved by text',
  'no-phone': '',
  expired: ': the times offered by text went unanswered',
};

function offerAudit(
  action: 'create' | 'update',
  offerId: string,
  patientId: string,
  reason: string,
): AuditEntry {
  return { action, recordType: 'reschedule-offer', recordId: offerId, patientId, reason };
}

function touchpoint(
  orgId: string,
  patientId: string,
  offerId: string,
  direction: 'inbound' | 'outbound',
  summary: string,
  at: Date,
) {
  return {
    orgId,
    patientId,
    channel: 'sms',
    direction,
    type: direction === 'outbound' ? 'reschedule-offer.sent' : 'reschedule-offer.accepted',
    stage: 'scheduling',
    summary,
    nonClinicalSummary: summary,
    subjectType: 'reschedule-offer',
    subjectId: offerId,
    occurredAt: at,
  } as const;
}

/** The organization's SMS version of `key` in `language` (else English), rendered; else null. */
async function renderSms(
  tx: Db,
  orgId: string,
  key: OfferTemplate,
  language: string,
  values: Record<string, string>,
): Promise<string | null> {
  const versions = await tx
    .select({
      language: messageTemplateVersions.language,
      subject: messageTemplateVersions.subject,
      textBody: messageTemplateVersions.textBody,
    })
    .from(messageTemplateVersions)
    .innerJoin(messageTemplates, eq(messageTemplates.id, messageTemplateVersions.templateId))
    .where(
      and(
        eq(messageTemplates.orgId, orgId),
        eq(messageTemplates.key, key),
        eq(messageTemplateVersions.channel, 'sms'),
      ),
    );
  const version =
    versions.find((v) => v.language === language) ?? versions.find((v) => v.language === 'en');
  if (!version) return null;
  return renderBodies({ subject: version.subject, text: version.textBody, html: null }, values)
    .text;
}
