import { randomUUID } from 'node:crypto';
import {
  badRequest,
  CALL_OUTCOME_LABELS,
  type CallOutcomeRecord,
  type CallTask,
  type CallTaskCreate,
  callOutcomeCompletes,
  isCallOutcome,
  notFound,
  unknownReference,
} from '@careloop/core';
import { and, eq } from 'drizzle-orm';
import { callNoteAad } from '../../crypto/encrypted-fields.js';
import type { FieldCipher } from '../../crypto/field-cipher.js';
import type { Database, Db } from '../../db/client.js';
import type { RequestContext } from '../../http/actor.js';
import type { AuditLog } from '../audit/service.js';
import { patients } from '../patients/schema.js';
import { appendTouchpoints } from '../timeline/service.js';
import { tasks } from './schema.js';

export const CALL_TASK_TITLE = 'Call the patient';

/** What renders a call script from a template for a patient (the inbox's quick-reply renderer). */
export type ScriptRenderer = (
  tx: Db,
  orgId: string,
  patientId: string,
  templateKey: string,
) => Promise<string>;

/** A call task a worker raises inside its own transaction (a journey's call node). */
export interface RaisedCallTask {
  orgId: string;
  patientId: string;
  script: string;
  team: 'front-desk' | 'care-coordination' | 'clinical';
  dueAt: Date | null;
  createdAt: Date;
  /** Issue 11 (h11v): the node's title, else CALL_TASK_TITLE. */
  title?: string;
}

/** Inserts the call task and its touchpoint within `tx`; returns its id. */
export async function raiseCallTask(tx: Db, call: RaisedCallTask): Promise<string> {
  const id = randomUUID();
  const title = call.title ?? CALL_TASK_TITLE;
  await tx.insert(tasks).values({
    id,
    orgId: call.orgId,
    patientId: call.patientId,
    kind: 'call',
    title,
    nonClinicalTitle: title,
    callScript: call.script,
    team: call.team,
    dueAt: call.dueAt,
    priority: 'normal',
    status: 'open',
    createdAt: call.createdAt,
  });
  await appendTouchpoints(tx, [
    {
      orgId: call.orgId,
      patientId: call.patientId,
      channel: 'phone',
      direction: 'internal',
      stage: 'follow-up',
      type: 'task.created',
      summary: `Task: ${title}`,
      nonClinicalSummary: `Task: ${title}`,
      subjectType: 'task',
      subjectId: id,
      occurredAt: call.createdAt,
    },
  ]);
  return id;
}

/**
 * Voice (issue 11, docs/inbox.md): a call task carries a script; the caller records the outcome
 * (reached, voicemail, no answer, wrong number, declined) and a note. The outcome is a
 * touchpoint on the timeline (without the note) and an audit event; reached, wrong number and
 * declined complete the task, voicemail and no answer leave it open for another try.
 */
export class CallTaskService {
  constructor(
    private readonly database: Database,
    private readonly audit: AuditLog,
    private readonly cipher: FieldCipher,
    private readonly renderScript: ScriptRenderer,
    private readonly clock: () => Date,
    /** Told each outcome after it is committed (journeys waiting for `call.completed`). */
    private readonly onOutcome?: (
      orgId: string,
      patientId: string,
      outcome: string,
    ) => Promise<unknown>,
  ) {}

  async create(ctx: RequestContext, input: CallTaskCreate): Promise<CallTask> {
    if ((input.templateKey === undefined) === (input.script === undefined))
      throw badRequest('Give either a template (templateKey) or a script', '/body/script');
    const { orgId } = ctx.actor;
    const at = this.clock();
    return this.database.withTenant(orgId, async (tx) => {
      const [patient] = await tx
        .select({ id: patients.id })
        .from(patients)
        .where(eq(patients.id, input.patientId));
      if (!patient) throw unknownReference('patientId', 'patient');
      const script = input.templateKey
        ? await this.renderScript(tx, orgId, input.patientId, input.templateKey)
        : (input.script ?? '');
      const id = await raiseCallTask(tx, {
        orgId,
        patientId: input.patientId,
        script,
        team: input.team ?? 'front-desk',
        dueAt: input.dueAt ? new Date(input.dueAt) : null,
        createdAt: at,
      });
      if (input.assigneeId) {
        await tx
          .update(tasks)
          .set({ assigneeId: input.assigneeId, createdBy: ctx.actor.userId })
          .where(and(eq(tasks.orgId, orgId), eq(tasks.id, id)));
      } else {
        await tx
          .update(tasks)
          .set({ createdBy: ctx.actor.userId })
          .where(and(eq(tasks.orgId, orgId), eq(tasks.id, id)));
      }
      await this.audit.inTransaction(tx, ctx.audit, {
        action: 'create',
        recordType: 'task',
        recordId: id,
        patientId: input.patientId,
        reason: 'call task',
      });
      return this.find(tx, orgId, id);
    });
  }

  async get(ctx: RequestContext, id: string): Promise<CallTask> {
    const { orgId } = ctx.actor;
    return this.database.withTenant(orgId, async (tx) => {
      const call = await this.find(tx, orgId, id);
      await this.audit.inTransaction(tx, ctx.audit, {
        action: 'read',
        recordType: 'task',
        recordId: id,
        patientId: call.patientId,
      });
      return call;
    });
  }

  async record(ctx: RequestContext, id: string, input: CallOutcomeRecord): Promise<CallTask> {
    const call = await this.recordInTransaction(ctx, id, input);
    await this.onOutcome?.(ctx.actor.orgId, call.patientId, input.outcome);
    return call;
  }

  private recordInTransaction(
    ctx: RequestContext,
    id: string,
    input: CallOutcomeRecord,
  ): Promise<CallTask> {
    const { orgId } = ctx.actor;
    const at = this.clock();
    return this.database.withTenant(orgId, async (tx) => {
      const current = await this.find(tx, orgId, id);
      if (current.status === 'done' || current.status === 'cancelled')
        throw badRequest('This call task is closed', '/params/id');
      const completes = callOutcomeCompletes(input.outcome);
      const note = input.note?.trim() ? input.note.trim() : null;
      await tx
        .update(tasks)
        .set({
          callOutcome: input.outcome,
          callNoteEncrypted: note ? this.cipher.encrypt(note, callNoteAad(id, orgId)) : null,
          callOutcomeAt: at,
          callAttempts: current.attempts + 1,
          ...(completes ? { status: 'done', completedAt: at } : { status: 'in-progress' }),
        })
        .where(and(eq(tasks.orgId, orgId), eq(tasks.id, id)));
      const label = CALL_OUTCOME_LABELS[input.outcome];
      await appendTouchpoints(tx, [
        {
          orgId,
          patientId: current.patientId,
          channel: 'phone',
          direction: 'outbound',
          stage: 'follow-up',
          type: 'call.completed',
          // The outcome, never the caller's note (it may carry clinical detail).
          summary: `Call: ${label}`,
          nonClinicalSummary: `Call: ${label}`,
          subjectType: 'task',
          subjectId: id,
          occurredAt: at,
        },
      ]);
      await this.audit.inTransaction(tx, ctx.audit, {
        action: 'update',
        recordType: 'task',
        recordId: id,
        patientId: current.patientId,
        reason: `call outcome: ${input.outcome}`,
      });
      return this.find(tx, orgId, id);
    });
  }

  private async find(tx: Db, orgId: string, id: string): Promise<CallTask> {
    const [row] = await tx
      .select()
      .from(tasks)
      .where(and(eq(tasks.orgId, orgId), eq(tasks.id, id), eq(tasks.kind, 'call')));
    if (!row?.patientId || row.callScript === null) throw notFound('Call task');
    return {
      id: row.id,
      patientId: row.patientId,
      script: row.callScript,
      status: row.status,
      outcome: row.callOutcome && isCallOutcome(row.callOutcome) ? row.callOutcome : null,
      note: row.callNoteEncrypted
        ? this.cipher.decrypt(row.callNoteEncrypted, callNoteAad(row.id, orgId))
        : null,
      outcomeAt: row.callOutcomeAt?.toISOString() ?? null,
      attempts: row.callAttempts,
    };
  }
}
