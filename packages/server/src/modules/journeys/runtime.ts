import {
  type AttributeValue,
  type EnrolmentContext,
  type EnrolmentState,
  exitEnrolment,
  initialState,
  isReferralClosedStatus,
  type JourneyDefinition,
  type JourneyEvent,
  type JourneyTimeField,
  journeyStepKey,
  LEFT_LIST,
  type StepEffect,
  type StepInput,
  startsOnList,
  stepEnrolment,
  type Team,
  validateJourney,
} from '@careloop/core';
import { and, eq, inArray, or, sql } from 'drizzle-orm';
import type { Database, Db } from '../../db/client.js';
import type { AuditActor, AuditEntry, AuditLog } from '../audit/service.js';
import { serviceRequests } from '../clinical/schema.js';
import type { JourneyWebhooks } from '../integrations/webhooks/events.js';
import type { JobPayload } from '../jobs/names.js';
import type { BatchJob, JobRunner, QueuePolicy } from '../jobs/runner.js';
import type { KeepRunning, ListLeaving, ListService, Membership } from '../lists/service.js';
import type { OutboxService } from '../messaging/outbox.js';
import { patients } from '../patients/schema.js';
import type { RescheduleOfferService } from '../reschedule-offers/service.js';
import { appointments, visitTypes } from '../scheduling/schema.js';
import type { SchedulingService } from '../scheduling/service.js';
import { raiseCallTask, raisePatientTask } from '../tasks/service.js';
import { patientZones } from '../templates/service.js';
import { appendTouchpoints } from '../timeline/service.js';
import { journeyEnrolments, journeySteps, journeys, journeyVersions } from './schema.js';
import { type JourneySender, JourneyTemplateMissing } from './sender.js';
import { performWebhookAction, WebhookEndpointUnavailable } from './webhook-action.js';

/**
 * How many step jobs a worker takes at once: one fetch, and the next at once while batches come
 * back full (each step is still its own transaction).
 */
export const JOURNEY_STEP_BATCH_SIZE = 10;

/** Step jobs: the first attempt and four retries, about 5, 10, 20, 40 s apart; then dead letter. */
export const JOURNEY_STEP_QUEUE_POLICY: QueuePolicy = {
  retryLimit: 4,
  retryDelay: 5,
  retryBackoff: true,
  retryDelayMax: 300,
  expireInSeconds: 60,
};

/** What an enrolment stores of its context: instants and coded attributes, never free text. */
export interface StoredContext {
  times: Partial<Record<JourneyTimeField, string>>;
  attributes: Partial<Record<string, AttributeValue>>;
  timeZone: string;
}

export interface Enrolment {
  orgId: string;
  journeyId: string;
  patientId: string;
  contextKey: string;
  appointmentId?: string | null;
  context: StoredContext;
}

export type StepRun = 'advanced' | 'idle';

/** The journey event of each scheduling event; a check-in starts and ends no journey. */
const APPOINTMENT_EVENTS: Record<JobPayload<'appointment.changed'>['event'], JourneyEvent | null> =
  {
    booked: 'appointment.booked',
    rescheduled: 'appointment.rescheduled',
    cancelled: 'appointment.cancelled',
    'checked-in': null,
    'no-show': 'appointment.no_show',
    completed: 'appointment.completed',
  };

/** The journeys worker's actor in the audit log: no user, the system. */
export const systemActor = (orgId: string): AuditActor => ({
  orgId,
  userId: null,
  email: null,
  role: 'system',
  ip: null,
  userAgent: null,
});

/**
 * Durable journey execution (docs/adr/0025). Each step runs in one transaction that locks the
 * enrolment, computes core's `stepEnrolment`, performs its actions (an outbox row keyed by
 * enrolment, node and occurrence; a task; another enrolment), appends the steps and schedules
 * the next wake as a pg-boss job. A step that runs twice finds the enrolment moved on (or, at
 * worst, the step's unique key taken) and does nothing.
 */
export class JourneyRuntime implements ListLeaving {
  /** Published versions never change: each is read and validated once per process. */
  private readonly versions = new Map<string, JourneyDefinition>();

  constructor(
    private readonly database: Database,
    private readonly audit: AuditLog,
    private readonly jobs: JobRunner,
    private readonly outbox: OutboxService,
    private readonly sender: JourneySender,
    private readonly clock: () => Date,
    /** Confirms an appointment for an `update` action; without it the step only records it. */
    private readonly scheduling: SchedulingService | null = null,
    /** Issue 11 (h11r): offers open slots for `offer-slots`; without it, the fallback task. */
    private readonly rescheduleOffers: RescheduleOfferService | null = null,
    /** Issue 11 (h11l): the list service `list_add`/`list_remove` go through. */
    private readonly lists: ListService | null = null,
  ) {}

  // Issue 11 (h11w): webhook actions; without them a webhook step fails into the dead letters.
  private webhooks: JourneyWebhooks | null = null;

  /** Webhook actions queue their deliveries through `webhooks` (docs/adr/0039). */
  callsWebhooksThrough(webhooks: JourneyWebhooks): void {
    this.webhooks = webhooks;
  }

  /** The webhooks module's side of webhook actions, for publishing's endpoint check. */
  get journeyWebhooks(): JourneyWebhooks | null {
    return this.webhooks;
  }

  /** The version's definition, validated like any input (a row may be another version's). */
  async definition(tx: Db, versionId: string): Promise<JourneyDefinition> {
    const cached = this.versions.get(versionId);
    if (cached) return cached;
    const [row] = await tx
      .select({ definition: journeyVersions.definition })
      .from(journeyVersions)
      .where(eq(journeyVersions.id, versionId));
    const checked = validateJourney(row?.definition);
    if (!checked.ok) throw new Error(`journey version ${versionId} is not a valid journey`);
    this.versions.set(versionId, checked.journey);
    return checked.journey;
  }

  /**
   * Enrols a patient in a journey's published version, in `tx`, if its re-entry rule allows;
   * the first step runs as a job. Returns the enrolment's id, or null.
   */
  async enrol(tx: Db, enrolment: Enrolment): Promise<string | null> {
    const { orgId, journeyId, patientId, contextKey } = enrolment;
    const [journey] = await tx
      .select({ status: journeys.status, version: journeys.publishedVersion })
      .from(journeys)
      .where(eq(journeys.id, journeyId));
    if (journey?.status !== 'published' || journey.version === null) return null;
    const [version] = await tx
      .select({ id: journeyVersions.id })
      .from(journeyVersions)
      .where(
        and(eq(journeyVersions.journeyId, journeyId), eq(journeyVersions.version, journey.version)),
      );
    if (!version) return null;
    const definition = await this.definition(tx, version.id);
    // Two events for one appointment at once must not both pass the re-entry check.
    await tx.execute(
      sql`select pg_advisory_xact_lock(hashtext(${`journey:${journeyId}:${patientId}:${contextKey}`}))`,
    );
    if (definition.reentry !== 'always') {
      const [previous] = await tx
        .select({ id: journeyEnrolments.id })
        .from(journeyEnrolments)
        .where(
          and(
            eq(journeyEnrolments.journeyId, journeyId),
            eq(journeyEnrolments.patientId, patientId),
            eq(journeyEnrolments.contextKey, contextKey),
            definition.reentry === 'after_exit'
              ? eq(journeyEnrolments.status, 'active')
              : undefined,
          ),
        )
        .limit(1);
      if (previous) return null;
    }
    const now = this.clock();
    const [row] = await tx
      .insert(journeyEnrolments)
      .values({
        orgId,
        journeyId,
        versionId: version.id,
        patientId,
        contextKey,
        appointmentId: enrolment.appointmentId ?? null,
        context: enrolment.context,
        state: initialState(definition),
        status: 'active',
        currentNode: definition.entry,
        createdAt: now,
        updatedAt: now,
      })
      .returning({ id: journeyEnrolments.id });
    if (!row) throw new Error('enrolment insert returned no row');
    await this.jobs.send(tx, 'journey.step', { orgId, enrolmentId: row.id });
    return row.id;
  }

  /** Enrols the patient in every published journey this event triggers. Returns the ids. */
  enrolOnEvent(
    tx: Db,
    orgId: string,
    event: JourneyEvent,
    enrolment: Omit<Enrolment, 'journeyId' | 'orgId'>,
  ): Promise<string[]> {
    return this.enrolTriggered(
      tx,
      orgId,
      (trigger) => trigger.kind === 'event' && trigger.event === event,
      enrolment,
    );
  }

  /** Enrols the patient in every published journey whose trigger `starts`. Returns the ids. */
  private async enrolTriggered(
    tx: Db,
    orgId: string,
    starts: (trigger: JourneyDefinition['trigger']) => boolean,
    enrolment: Omit<Enrolment, 'journeyId' | 'orgId'>,
  ): Promise<string[]> {
    const published = await tx
      .select({ id: journeys.id, versionId: journeyVersions.id })
      .from(journeys)
      .innerJoin(
        journeyVersions,
        and(
          eq(journeyVersions.journeyId, journeys.id),
          eq(journeyVersions.version, journeys.publishedVersion),
        ),
      )
      .where(eq(journeys.status, 'published'));
    const ids: string[] = [];
    for (const journey of published) {
      const definition = await this.definition(tx, journey.versionId);
      if (!starts(definition.trigger)) continue;
      const id = await this.enrol(tx, { ...enrolment, orgId, journeyId: journey.id });
      if (id) ids.push(id);
    }
    return ids;
  }

  /** The `journey.step` handler: after the last retry, the enrolment goes to the dead letters. */
  async handleStepJob(
    payload: JobPayload<'journey.step'>,
    attempt: { retryCount: number; retryLimit: number },
  ): Promise<void> {
    try {
      await this.runStep(payload.orgId, payload.enrolmentId);
    } catch (error) {
      // Issue 11 (h11w): an endpoint gone stays gone on a retry; an admin decides. So does a
      // template the organization lacks (h11t): no generic text goes in its place.
      const permanent =
        error instanceof WebhookEndpointUnavailable || error instanceof JourneyTemplateMissing;
      if (!permanent && attempt.retryCount < attempt.retryLimit) throw error;
      const detail =
        error instanceof JourneyTemplateMissing
          ? `the organization has no template “${error.templateKey}”`
          : null;
      await this.markFailed(payload.orgId, payload.enrolmentId, errorCode(error), detail);
    }
  }

  // Issue 11 at scale: the worker takes step jobs in batches (docs/adr/0033).
  /** `handleStepJob` for a batch of jobs, one after another: each done, or its retry's error. */
  async handleStepJobs(jobs: BatchJob<'journey.step'>[]): Promise<Map<string, Error | null>> {
    const outcomes = new Map<string, Error | null>();
    for (const job of jobs) {
      try {
        await this.handleStepJob(job.payload, job);
        outcomes.set(job.id, null);
      } catch (error) {
        outcomes.set(job.id, error instanceof Error ? error : new Error(String(error)));
      }
    }
    return outcomes;
  }

  /**
   * Runs one step of an enrolment: a start, a wake (a no-op unless its wait is over), or an
   * event. `times` updates the instants its waits are anchored on (a moved appointment).
   */
  runStep(
    orgId: string,
    enrolmentId: string,
    input?: StepInput,
    times?: StoredContext['times'],
  ): Promise<StepRun> {
    return this.database.withTenant(orgId, async (tx) => {
      const [found] = await tx
        .select({ row: journeyEnrolments, journeyStatus: journeys.status })
        .from(journeyEnrolments)
        .innerJoin(journeys, eq(journeys.id, journeyEnrolments.journeyId))
        .where(eq(journeyEnrolments.id, enrolmentId))
        .for('update', { of: journeyEnrolments });
      const row = found?.row;
      if (row?.status !== 'active') return 'idle';
      // Paused: nothing moves; `resume` wakes what fell due meanwhile.
      if (found?.journeyStatus !== 'published') return 'idle';
      const definition = await this.definition(tx, row.versionId);
      const stored = row.context as StoredContext;
      const context: StoredContext = times
        ? { ...stored, times: { ...stored.times, ...times } }
        : stored;
      const state = row.state as EnrolmentState;
      const now = this.clock();
      const step =
        input ??
        (Object.keys(state.occurrences).length === 0 ? { kind: 'start' } : { kind: 'wake' });
      const result = stepEnrolment(
        definition,
        state,
        { ...context, seed: row.id } satisfies EnrolmentContext,
        step,
        now,
      );
      const next = result.state;
      const moved =
        result.visited.length > 0 || next.status !== state.status || next.wakeAt !== state.wakeAt;
      if (!moved && !times) return 'idle';

      const effects = new Map(result.effects.map((e) => [`${e.nodeId}#${e.occurrence}`, e]));
      const steps: (typeof journeySteps.$inferInsert)[] = [];
      const audits: AuditEntry[] = [];
      for (const visit of result.visited) {
        const effect = effects.get(`${visit.nodeId}#${visit.occurrence}`);
        const done = effect
          ? await this.perform(tx, row, effect, now, audits, definition.key)
          : { outcome: 'entered', messageId: null };
        steps.push({
          orgId,
          enrolmentId,
          journeyId: row.journeyId,
          nodeId: visit.nodeId,
          occurrence: visit.occurrence,
          outcome: done.outcome,
          messageId: done.messageId,
          at: now,
        });
      }
      if (steps.length > 0) await tx.insert(journeySteps).values(steps).onConflictDoNothing();
      await tx
        .update(journeyEnrolments)
        .set({
          state: next,
          status: next.status,
          currentNode: next.node,
          wakeAt: next.wakeAt ? new Date(next.wakeAt) : null,
          convertedAt: next.convertedAt ? new Date(next.convertedAt) : null,
          context,
          lastError: null,
          updatedAt: now,
        })
        .where(eq(journeyEnrolments.id, enrolmentId));
      if (next.status === 'active' && next.wakeAt && next.wakeAt !== state.wakeAt) {
        await this.jobs.send(
          tx,
          'journey.step',
          { orgId, enrolmentId },
          { startAfter: new Date(next.wakeAt) },
        );
      }
      // Issue 11 at scale: the audit events last. Appending takes the organization's chain lock
      // until commit, so every other step of the organization waits for it: held for the last
      // statements only, not for the whole step.
      for (const entry of audits) await this.audit.inTransaction(tx, systemActor(orgId), entry);
      return moved ? 'advanced' : 'idle';
    });
  }

  private async perform(
    tx: Db,
    row: typeof journeyEnrolments.$inferSelect,
    effect: StepEffect,
    now: Date,
    /** The audit events of what was done, appended by the caller at the end of the step. */
    audits: AuditEntry[],
    journeyKey: string,
  ): Promise<{ outcome: string; messageId: string | null }> {
    const action = effect.action;
    const { orgId, patientId } = row;
    const audited = (recordType: string, recordId: string) => {
      audits.push({ action: 'create', recordType, recordId, patientId });
    };
    /** A task node's work, and what "R" falls back to when it can offer no time. */
    const task = async (what: {
      title: string;
      team: Team;
      dueInMinutes?: number;
    }): Promise<{ outcome: string; messageId: null }> => {
      const id = await raisePatientTask(tx, {
        orgId,
        patientId,
        title: what.title,
        team: what.team,
        dueAt: what.dueInMinutes ? new Date(now.getTime() + what.dueInMinutes * 60_000) : null,
        createdAt: now,
      });
      audited('task', id);
      return { outcome: 'task', messageId: null };
    };
    switch (action.kind) {
      case 'send': {
        const validUntil = new Date(effect.validUntil ?? now.toISOString());
        if (validUntil.getTime() <= now.getTime()) return { outcome: 'expired', messageId: null };
        const sent = await this.sender.send(tx, {
          orgId,
          patientId,
          channel: action.channel,
          templateKey: action.template,
          context: row.appointmentId ? { appointmentId: row.appointmentId } : {},
          idempotencyKey: journeyStepKey(row.id, effect.nodeId, effect.occurrence),
          validUntil,
        });
        if (sent.kind === 'queued') {
          audited('outbound-message', sent.messageId);
          return { outcome: 'queued', messageId: sent.messageId };
        }
        return {
          outcome: sent.kind === 'duplicate' ? 'duplicate' : `suppressed:${sent.reason}`,
          messageId: null,
        };
      }
      case 'task': {
        return task(action);
      }
      // Issue 11: a call task with the node's script; its outcome comes back as call.completed.
      case 'call': {
        const id = await raiseCallTask(tx, {
          orgId,
          patientId,
          script: action.script,
          team: action.team,
          ...(action.title ? { title: action.title } : {}),
          dueAt: action.dueInMinutes
            ? new Date(now.getTime() + action.dueInMinutes * 60_000)
            : null,
          createdAt: now,
        });
        audited('task', id);
        return { outcome: 'call-task', messageId: null };
      }
      case 'update': {
        // The appointment is confirmed through its owning service (the outbound SIU to an EHR
        // that owns the schedule is issue 13's); without one the step records it.
        if (!this.scheduling || !row.appointmentId) return { outcome: 'recorded', messageId: null };
        const confirmed = await this.scheduling.confirmByPatient(tx, {
          orgId,
          appointmentId: row.appointmentId,
          at: now,
          channel: 'sms',
        });
        if (!confirmed) return { outcome: 'not_confirmed', messageId: null };
        audits.push({
          action: 'update',
          recordType: 'appointment',
          recordId: row.appointmentId,
          patientId,
          reason: 'confirmed by the patient',
        });
        return { outcome: 'confirmed', messageId: null };
      }
      // Issue 11 (h11r): "R" to a reminder: open slots by text, else the front-desk task.
      case 'offer-slots': {
        if (this.rescheduleOffers && row.appointmentId) {
          const done = await this.rescheduleOffers.offerOrHandOff(tx, {
            orgId,
            patientId,
            appointmentId: row.appointmentId,
            sourceKey: journeyStepKey(row.id, effect.nodeId, effect.occurrence),
            fallback: action,
          });
          audits.push(...done.audits);
          return {
            outcome: done.outcome.kind === 'offered' ? 'offered' : `task:${done.outcome.reason}`,
            messageId: null,
          };
        }
        return task(action);
      }
      // Issue 11 (h11l): list membership through the list service, in the step's transaction;
      // a retried step finds the patient already there (or gone) and changes nothing.
      case 'list_add':
      case 'list_remove': {
        const list = this.lists ? await this.lists.resolve(tx, action.list) : null;
        if (!this.lists || !list) return { outcome: 'no_list', messageId: null };
        const membership = { orgId, listId: list.id, patientId, at: now };
        // Removing: this enrolment goes on (to its goal); the others the list started end.
        const changed =
          action.kind === 'list_add'
            ? await this.lists.add(tx, membership, {
                source: `journey:${journeyKey}`,
                addedBy: null,
              })
            : await this.lists.remove(tx, membership, { enrolmentId: row.id });
        if (changed)
          audits.push({
            action: action.kind === 'list_add' ? 'create' : 'delete',
            recordType: 'patient-list-member',
            recordId: list.id,
            patientId,
          });
        const done = action.kind === 'list_add' ? 'list_added' : 'list_removed';
        return { outcome: changed ? done : 'list_unchanged', messageId: null };
      }
      case 'enrol': {
        const [target] = await tx
          .select({ id: journeys.id })
          .from(journeys)
          .where(eq(journeys.key, action.journey));
        const id = target
          ? await this.enrol(tx, {
              orgId,
              journeyId: target.id,
              patientId,
              contextKey: row.contextKey,
              appointmentId: row.appointmentId,
              context: row.context as StoredContext,
            })
          : null;
        return { outcome: id ? 'enrolled' : 'not_enrolled', messageId: null };
      }
      // Issue 11 (h11w): call a signed webhook, through the outbox (docs/adr/0039).
      case 'webhook': {
        if (!this.webhooks) throw new WebhookEndpointUnavailable();
        const done = await performWebhookAction(
          tx,
          this.webhooks,
          row,
          { ...effect, action },
          journeyKey,
        );
        if (done.messageId) audited('webhook-delivery', done.messageId);
        return done;
      }
    }
  }

  /**
   * An enrolment whose step failed past its retries (or at once, when retrying cannot help):
   * shown in the dead-letter view, and on the patient's timeline as a failed step with its
   * reason (a code, and `detail` when it names no patient data: a template key).
   */
  async markFailed(
    orgId: string,
    enrolmentId: string,
    code: string,
    detail: string | null = null,
  ): Promise<void> {
    const now = this.clock();
    await this.database.withTenant(orgId, async (tx) => {
      const [failed] = await tx
        .update(journeyEnrolments)
        .set({ status: 'failed', lastError: code, updatedAt: now })
        .where(and(eq(journeyEnrolments.id, enrolmentId), eq(journeyEnrolments.status, 'active')))
        .returning({
          patientId: journeyEnrolments.patientId,
          journeyId: journeyEnrolments.journeyId,
          node: journeyEnrolments.currentNode,
        });
      if (!failed) return;
      const [journey] = await tx
        .select({ name: journeys.name })
        .from(journeys)
        .where(eq(journeys.id, failed.journeyId));
      const reason = `${detail ?? code}; the step sent nothing`;
      // The journey's name is staff's words and may name a condition: not for every role.
      const summary = `Journey “${journey?.name ?? ''}” failed at step “${failed.node}”: ${reason}`;
      await appendTouchpoints(tx, [
        {
          orgId,
          patientId: failed.patientId,
          channel: 'system',
          direction: 'internal',
          type: 'journey.step-failed',
          stage: 'follow-up',
          summary,
          nonClinicalSummary: `A journey step failed: ${reason}`,
          outcome: code,
          subjectType: 'journey-enrolment',
          subjectId: enrolmentId,
          occurredAt: now,
        },
      ]);
    });
  }

  /**
   * The `appointment.changed` handler. A cancelled or moved appointment withdraws its
   * enrolments' queued messages at once; the event then reaches them (a cancellation exits, a
   * move shifts their waits) and enrols the patient in journeys it triggers.
   */
  async onAppointmentChanged(payload: JobPayload<'appointment.changed'>): Promise<void> {
    const { orgId, appointmentId } = payload;
    const event = APPOINTMENT_EVENTS[payload.event];
    if (event === null) return;
    const found = await this.database.withTenant(orgId, async (tx) => {
      const [appointment] = await tx
        .select({
          patientId: appointments.patientId,
          startAt: appointments.startAt,
          status: appointments.status,
          telehealth: appointments.telehealth,
          // Issue 11 (h11j): pre-visit instructions branch on the service booked (its name).
          service: visitTypes.name,
        })
        .from(appointments)
        .leftJoin(visitTypes, eq(visitTypes.id, appointments.visitTypeId))
        .where(eq(appointments.id, appointmentId));
      if (!appointment) return null;
      const enrolments = await tx
        .select({ id: journeyEnrolments.id })
        .from(journeyEnrolments)
        .where(
          and(
            eq(journeyEnrolments.status, 'active'),
            or(
              eq(journeyEnrolments.appointmentId, appointmentId),
              and(
                eq(journeyEnrolments.patientId, appointment.patientId),
                sql`${journeyEnrolments.state}->>'awaiting' = ${event}`,
              ),
            ),
          ),
        );
      if (payload.event === 'cancelled' || payload.event === 'rescheduled') {
        for (const e of enrolments) await this.outbox.withdraw(tx, `journey:${e.id}:`);
      }
      return { appointment, enrolments };
    });
    if (!found) return;
    const times = { 'appointment.start': found.appointment.startAt.toISOString() };
    for (const e of found.enrolments) {
      await this.runStep(orgId, e.id, { kind: 'event', event }, times);
    }
    await this.database.withTenant(orgId, async (tx) => {
      const context = await patientContext(tx, found.appointment.patientId, {
        times,
        attributes: {
          'appointment.status': found.appointment.status,
          'appointment.telehealth': found.appointment.telehealth,
          'appointment.service': found.appointment.service,
        },
      });
      await this.enrolOnEvent(tx, orgId, event, {
        patientId: found.appointment.patientId,
        contextKey: `appointment:${appointmentId}`,
        appointmentId,
        context,
      });
    });
  }

  /**
   * A message from a patient (an SMS reply): reaches the enrolments waiting for one. The text
   * is read by the step's conditions and never stored. To be called by the SMS inbound path.
   */
  async onMessageReceived(orgId: string, patientId: string, text: string): Promise<number> {
    const waiting = await this.database.withTenant(orgId, (tx) =>
      tx
        .select({ id: journeyEnrolments.id })
        .from(journeyEnrolments)
        .where(
          and(
            eq(journeyEnrolments.patientId, patientId),
            eq(journeyEnrolments.status, 'active'),
            sql`${journeyEnrolments.state}->>'awaiting' = 'message.received'`,
          ),
        ),
    );
    let advanced = 0;
    for (const e of waiting) {
      const run = await this.runStep(orgId, e.id, {
        kind: 'event',
        event: 'message.received',
        attributes: { 'message.text': text },
      });
      if (run === 'advanced') advanced++;
    }
    return advanced;
  }

  // Issue 11: call tasks.
  /**
   * A call task's outcome, recorded by staff: reaches the patient's enrolments waiting for
   * `call.completed`, whose conditions may branch on `call.outcome`. Called after the outcome's
   * transaction commits; an enrolment it misses (a crash in between) takes its timeout branch.
   */
  async onCallCompleted(orgId: string, patientId: string, outcome: string): Promise<number> {
    const waiting = await this.database.withTenant(orgId, (tx) =>
      tx
        .select({ id: journeyEnrolments.id })
        .from(journeyEnrolments)
        .where(
          and(
            eq(journeyEnrolments.patientId, patientId),
            eq(journeyEnrolments.status, 'active'),
            sql`${journeyEnrolments.state}->>'awaiting' = 'call.completed'`,
          ),
        ),
    );
    let advanced = 0;
    for (const e of waiting) {
      const run = await this.runStep(orgId, e.id, {
        kind: 'event',
        event: 'call.completed',
        attributes: { 'call.outcome': outcome },
      });
      if (run === 'advanced') advanced++;
    }
    return advanced;
  }

  // Issue 11 (h11j): referrals.
  /**
   * The `referral.created` handler: enrols the patient in every published journey that starts
   * on a referral, once per referral (the context key). A referral no longer active (completed
   * or revoked before the job ran) starts nothing.
   */
  async onReferralCreated(payload: JobPayload<'referral.created'>): Promise<void> {
    const { orgId, serviceRequestId } = payload;
    await this.database.withTenant(orgId, async (tx) => {
      const [request] = await tx
        .select({ patientId: serviceRequests.patientId, status: serviceRequests.status })
        .from(serviceRequests)
        .where(eq(serviceRequests.id, serviceRequestId));
      if (request?.status !== 'active') return;
      const context = await patientContext(tx, request.patientId, { times: {}, attributes: {} });
      await this.enrolOnEvent(tx, orgId, 'referral.created', {
        patientId: request.patientId,
        contextKey: `referral:${serviceRequestId}`,
        context,
      });
    });
  }

  // Issue 11 (h11r): referrals closed (docs/adr/0045).
  /**
   * The `referral.closed` handler. The enrolments the referral started (their context key names
   * it) end at once, exited with `referral.<status>` as the reason: their queued messages are
   * withdrawn and their pending wakes find them ended, so no task and no message follow. The
   * event then reaches the patient's enrolments waiting for `referral.closed`, and enrols the
   * patient in journeys it starts. A referral open again when the job runs ends nothing.
   * Returns the ids of the enrolments it ended.
   */
  async onReferralClosed(payload: JobPayload<'referral.closed'>): Promise<string[]> {
    const { orgId, serviceRequestId } = payload;
    const contextKey = `referral:${serviceRequestId}`;
    const found = await this.database.withTenant(orgId, async (tx) => {
      const [request] = await tx
        .select({ patientId: serviceRequests.patientId, status: serviceRequests.status })
        .from(serviceRequests)
        .where(eq(serviceRequests.id, serviceRequestId));
      if (!request || !isReferralClosedStatus(request.status)) return null;
      const ended = await this.endReferralEnrolments(tx, contextKey, `referral.${request.status}`);
      for (const id of ended) {
        await this.audit.inTransaction(tx, systemActor(orgId), {
          action: 'update',
          recordType: 'journey-enrolment',
          recordId: id,
          patientId: request.patientId,
          reason: `ended: referral ${request.status}`,
        });
      }
      return { patientId: request.patientId, status: request.status, ended };
    });
    if (!found) return [];
    const attributes = { 'referral.status': found.status };
    const waiting = await this.database.withTenant(orgId, (tx) =>
      tx
        .select({ id: journeyEnrolments.id })
        .from(journeyEnrolments)
        .where(
          and(
            eq(journeyEnrolments.patientId, found.patientId),
            eq(journeyEnrolments.status, 'active'),
            sql`${journeyEnrolments.state}->>'awaiting' = 'referral.closed'`,
          ),
        ),
    );
    for (const e of waiting) {
      await this.runStep(orgId, e.id, { kind: 'event', event: 'referral.closed', attributes });
    }
    await this.database.withTenant(orgId, async (tx) => {
      const context = await patientContext(tx, found.patientId, { times: {}, attributes });
      await this.enrolOnEvent(tx, orgId, 'referral.closed', {
        patientId: found.patientId,
        contextKey,
        context,
      });
    });
    return found.ended;
  }

  /**
   * Ends one running enrolment from outside its graph (its referral closed, its patient left
   * the list it started on), in `tx`: exited with `reason`, no wake left, its queued messages
   * withdrawn. The caller holds the row's lock and audits as it must.
   */
  private async endFromOutside(
    tx: Db,
    enrolment: { id: string; state: unknown },
    reason: string,
    at: Date,
  ): Promise<void> {
    const state = exitEnrolment(enrolment.state as EnrolmentState, reason);
    await this.outbox.withdraw(tx, `journey:${enrolment.id}:`);
    await tx
      .update(journeyEnrolments)
      .set({ state, status: state.status, wakeAt: null, updatedAt: at })
      .where(eq(journeyEnrolments.id, enrolment.id));
  }

  /**
   * Ends the active enrolments of a referral's context as exited with `reason`, in `tx`, and
   * withdraws their queued messages. A journey that starts on the close itself is left running.
   */
  private async endReferralEnrolments(
    tx: Db,
    contextKey: string,
    reason: string,
  ): Promise<string[]> {
    const running = await tx
      .select({
        id: journeyEnrolments.id,
        versionId: journeyEnrolments.versionId,
        state: journeyEnrolments.state,
      })
      .from(journeyEnrolments)
      .where(
        and(eq(journeyEnrolments.contextKey, contextKey), eq(journeyEnrolments.status, 'active')),
      )
      .for('update');
    const now = this.clock();
    const ended: string[] = [];
    for (const e of running) {
      const { trigger } = await this.definition(tx, e.versionId);
      if (trigger.kind === 'event' && trigger.event === 'referral.closed') continue;
      await this.endFromOutside(tx, e, reason, now);
      ended.push(e.id);
    }
    return ended;
  }

  // Issue 11 (h11l): entry into a list (docs/adr/0040).
  /**
   * The `list.entered` handler: enrols the patient in every published journey that starts on
   * the list (named by its id or its key). The list membership is the context: the re-entry
   * rule counts enrolments per patient and list. A patient already off the list again when the
   * job runs starts nothing.
   */
  async onListEntered(payload: JobPayload<'list.entered'>): Promise<string[]> {
    const { orgId, listId, patientId } = payload;
    const lists = this.lists;
    if (!lists) return [];
    return this.database.withTenant(orgId, async (tx) => {
      const list = await lists.resolve(tx, listId);
      if (!list || !(await lists.isMember(tx, listId, patientId))) return [];
      const context = await patientContext(tx, patientId, { times: {}, attributes: {} });
      return this.enrolTriggered(tx, orgId, (trigger) => startsOnList(trigger, list), {
        patientId,
        contextKey: `list:${listId}`,
        context,
      });
    });
  }

  /**
   * A patient left a list (staff, a journey's `list_remove`, a merge), in that change's
   * transaction: each running enrolment of a published journey that started on the list for
   * the patient (its context is the membership) exits as `left-list`, its queued messages
   * withdrawn; its next wake finds it ended. `keep`: the enrolment whose step removed them, or
   * the oldest (after a merge). In the removal's transaction, not a job after it: a job could
   * run after the wake it should have stopped (docs/adr/0040, addendum).
   */
  async leftList(
    tx: Db,
    left: Membership & { list: { id: string; key: string | null } },
    keep: KeepRunning,
  ): Promise<void> {
    const running = await tx
      .select({
        id: journeyEnrolments.id,
        versionId: journeyEnrolments.versionId,
        state: journeyEnrolments.state,
      })
      .from(journeyEnrolments)
      .where(
        and(
          eq(journeyEnrolments.patientId, left.patientId),
          eq(journeyEnrolments.contextKey, `list:${left.list.id}`),
          eq(journeyEnrolments.status, 'active'),
        ),
      )
      .orderBy(journeyEnrolments.createdAt, journeyEnrolments.id)
      .for('update');
    let keepOldest = keep === 'oldest';
    for (const enrolment of running) {
      if (keep !== null && keep !== 'oldest' && enrolment.id === keep.enrolmentId) continue;
      // A journey enrolled by another's `enrol` action inherits the context: only those the
      // list started end.
      const definition = await this.definition(tx, enrolment.versionId);
      if (!startsOnList(definition.trigger, left.list)) continue;
      if (keepOldest) {
        keepOldest = false;
        continue;
      }
      await this.endFromOutside(tx, enrolment, LEFT_LIST, left.at);
      await this.audit.inTransaction(tx, systemActor(left.orgId), {
        action: 'update',
        recordType: 'journey-enrolment',
        recordId: enrolment.id,
        patientId: left.patientId,
        reason: LEFT_LIST,
      });
    }
  }

  /** Wakes the given enrolments now (after a resume, or a dead letter retried). */
  async wakeAll(tx: Db, orgId: string, enrolmentIds: string[]): Promise<void> {
    for (const enrolmentId of enrolmentIds) {
      await this.jobs.send(tx, 'journey.step', { orgId, enrolmentId });
    }
  }

  /** The ids of a journey's active enrolments whose wait is over (or not yet started). */
  async dueEnrolments(tx: Db, journeyId: string, now: Date): Promise<string[]> {
    const rows = await tx
      .select({ id: journeyEnrolments.id })
      .from(journeyEnrolments)
      .where(
        and(
          eq(journeyEnrolments.journeyId, journeyId),
          inArray(journeyEnrolments.status, ['active']),
          or(
            sql`${journeyEnrolments.wakeAt} is null`,
            sql`${journeyEnrolments.wakeAt} <= ${now.toISOString()}::timestamptz`,
          ),
        ),
      );
    return rows.map((r) => r.id);
  }
}

/**
 * The attributes and zone of a patient that conditions and waits read. The zone is the one the
 * send-time checks use (the patient's, else their location's, else the organization's), so a
 * wait until 09:00 and the quiet hours agree on what 09:00 is.
 */
export async function patientContext(
  tx: Db,
  patientId: string,
  base: Pick<StoredContext, 'times' | 'attributes'>,
): Promise<StoredContext> {
  const [patient] = await tx
    .select({
      orgId: patients.orgId,
      language: patients.preferredLanguage,
      channel: patients.preferredChannel,
    })
    .from(patients)
    .where(eq(patients.id, patientId));
  const zones = patient ? await patientZones(tx, patient.orgId, [patientId]) : new Map();
  return {
    times: base.times,
    attributes: {
      ...base.attributes,
      'patient.language': patient?.language ?? null,
      'patient.preferred_channel': patient?.channel ?? null,
    },
    timeZone: zones.get(patientId) ?? 'UTC',
  };
}

/** An error as a code for the dead-letter view: never its message (it may carry data). */
function errorCode(error: unknown): string {
  if (error && typeof error === 'object') {
    const code = (error as { code?: unknown }).code;
    if (typeof code === 'string' && /^[A-Za-z0-9_.-]{1,40}$/.test(code)) return code;
    const name = (error as { name?: unknown }).name;
    if (typeof name === 'string') return name.slice(0, 40);
  }
  return 'error';
}
