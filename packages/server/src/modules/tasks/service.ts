import { randomUUID } from 'node:crypto';
import {
  badRequest,
  type CursorValues,
  decodeCursor,
  encodeCursor,
  isCursorValue,
  isRole,
  isTeam,
  mayRead,
  notFound,
  type Role,
  STAFF_ROLES,
  type Task,
  type TaskCreate,
  type TaskListQuery,
  type TaskPriority,
  type TaskStatus,
  type TaskUpdate,
  type Team,
  taskFor,
  teamReadsTaskTitles,
  teamsOf,
  touchpointLabel,
  unknownReference,
} from '@careloop/core';
import { and, eq, inArray, or, type SQL, sql } from 'drizzle-orm';
import type { AnyPgColumn } from 'drizzle-orm/pg-core';
import { taskDescriptionAad } from '../../crypto/encrypted-fields.js';
import { type FieldCipher, openForView } from '../../crypto/field-cipher.js';
import type { Database, Db } from '../../db/client.js';
import { UUID } from '../../db/keyset.js';
import type { RequestContext } from '../../http/actor.js';
import type { AuditLog } from '../audit/service.js';
import { users } from '../auth/schema.js';
import { patients } from '../patients/schema.js';
import { appendTouchpoints, type NewTouchpoint } from '../timeline/service.js';
import { tasks } from './schema.js';

type TaskSort = NonNullable<TaskListQuery['sort']>;

export interface TaskPage {
  items: Task[];
  nextCursor: string | null;
}

const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;

/** Most urgent first. */
const priorityRank = sql`(case ${tasks.priority} when 'urgent' then 0 when 'high' then 1
  when 'normal' then 2 else 3 end)`;

/**
 * One column of a keyset. Instants travel in cursors as microsecond UTC text produced by
 * PostgreSQL itself, so a page boundary never falls between two rows a millisecond apart.
 */
interface SortKey {
  expr: SQL | AnyPgColumn;
  kind: 'instant' | 'rank' | 'uuid';
  desc: boolean;
  /** Nulls sort last in either direction. */
  nullable: boolean;
}

const key = (
  expr: SQL | AnyPgColumn,
  kind: SortKey['kind'],
  desc = false,
  nullable = false,
): SortKey => ({ expr, kind, desc, nullable });

const SORTS: Record<TaskSort, SortKey[]> = {
  dueAt: [key(tasks.dueAt, 'instant', false, true), key(tasks.id, 'uuid')],
  '-dueAt': [key(tasks.dueAt, 'instant', true, true), key(tasks.id, 'uuid', true)],
  priority: [
    key(priorityRank, 'rank'),
    key(tasks.dueAt, 'instant', false, true),
    key(tasks.id, 'uuid'),
  ],
  createdAt: [key(tasks.createdAt, 'instant'), key(tasks.id, 'uuid')],
  '-createdAt': [key(tasks.createdAt, 'instant', true), key(tasks.id, 'uuid', true)],
};

function cursorExpr(k: SortKey): SQL {
  return k.kind === 'instant'
    ? sql`to_char(${k.expr} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`
    : sql`${k.expr}`;
}

function param(k: SortKey, value: string | number): SQL {
  switch (k.kind) {
    case 'instant':
      return sql`${value}::timestamptz`;
    case 'rank':
      return sql`${value}::int`;
    case 'uuid':
      return sql`${value}::uuid`;
  }
}

function validKeyValue(k: SortKey, value: CursorValues[number]): boolean {
  if (value === null) return k.nullable;
  switch (k.kind) {
    case 'instant':
      return (
        typeof value === 'string' && ISO_INSTANT.test(value) && isCursorValue('instant', value)
      );
    case 'rank':
      return typeof value === 'number' && Number.isInteger(value);
    case 'uuid':
      return typeof value === 'string' && UUID.test(value);
  }
}

/** Rows strictly after `values` in the order of `keys` (lexicographic, nulls last). */
function after(keys: SortKey[], values: CursorValues, i = 0): SQL {
  const k = keys[i];
  const v = values[i];
  if (!k || v === undefined) return sql`false`;
  const beyond =
    v === null
      ? undefined
      : or(
          k.desc ? sql`${k.expr} < ${param(k, v)}` : sql`${k.expr} > ${param(k, v)}`,
          k.nullable ? sql`${k.expr} is null` : undefined,
        );
  if (i === keys.length - 1) return beyond ?? sql`false`;
  const tie = v === null ? sql`${k.expr} is null` : sql`${k.expr} = ${param(k, v)}`;
  const rest = and(tie, after(keys, values, i + 1));
  return or(beyond, rest) ?? sql`false`;
}

/** The cursor names its sort, so a cursor from another sort order is refused, not misread. */
function decodeTaskCursor(sort: TaskSort, keys: SortKey[], cursor: string): CursorValues {
  const [name, ...values] = decodeCursor(cursor, keys.length + 1);
  if (name !== sort || !keys.every((k, i) => validKeyValue(k, values[i] ?? null))) {
    throw badRequest('The cursor is not valid', '/query/cursor');
  }
  return values;
}

const taskColumns = {
  id: tasks.id,
  patientId: tasks.patientId,
  patientName: sql<string | null>`case when ${patients.id} is null then null
    else concat_ws(' ', ${patients.givenName}, ${patients.familyName}) end`,
  title: tasks.title,
  nonClinicalTitle: tasks.nonClinicalTitle,
  description: tasks.description,
  descriptionEncrypted: tasks.descriptionEncrypted,
  assigneeId: tasks.assigneeId,
  assigneeName: users.displayName,
  team: tasks.team,
  dueAt: tasks.dueAt,
  status: tasks.status,
  priority: tasks.priority,
  createdAt: tasks.createdAt,
  completedAt: tasks.completedAt,
};

interface TaskRow {
  id: string;
  patientId: string | null;
  patientName: string | null;
  title: string;
  nonClinicalTitle: string | null;
  /** Plain, only on tasks written before migration 0012 and not yet rotated. */
  description: string | null;
  descriptionEncrypted: string | null;
  assigneeId: string | null;
  assigneeName: string | null;
  team: string | null;
  dueAt: Date | null;
  status: string;
  priority: string;
  createdAt: Date;
  completedAt: Date | null;
}

/** A task's description: encrypted, or plain on a task from before encryption. */
export function taskDescription(
  row: { id: string; description: string | null; descriptionEncrypted: string | null },
  cipher: FieldCipher,
  orgId: string,
): string | null {
  if (row.descriptionEncrypted === null) return row.description;
  return openForView(cipher, row.descriptionEncrypted, taskDescriptionAad(row.id, orgId));
}

function toTask(row: TaskRow, cipher: FieldCipher, orgId: string): Task {
  return {
    id: row.id,
    patientId: row.patientId,
    patientName: row.patientName,
    title: row.title,
    nonClinicalTitle: row.nonClinicalTitle,
    description: taskDescription(row, cipher, orgId),
    assigneeId: row.assigneeId,
    assigneeName: row.assigneeName,
    team: row.team as Team | null,
    status: row.status as TaskStatus,
    priority: row.priority as TaskPriority,
    dueAt: row.dueAt?.toISOString() ?? null,
    createdAt: row.createdAt.toISOString(),
    completedAt: row.completedAt?.toISOString() ?? null,
  };
}

function selectTasks(tx: Db) {
  return tx
    .select(taskColumns)
    .from(tasks)
    .leftJoin(patients, eq(patients.id, tasks.patientId))
    .leftJoin(users, eq(users.id, tasks.assigneeId));
}

/** One task as `role` may read it (minimum necessary: `taskFor`). */
async function findTask(
  tx: Db,
  id: string,
  cipher: FieldCipher,
  orgId: string,
  role: Role,
): Promise<Task> {
  const [row] = await selectTasks(tx).where(eq(tasks.id, id));
  if (!row) throw notFound('Task');
  return taskFor(role, toTask(row, cipher, orgId));
}

/**
 * The non-clinical title a write leaves: the one given; else, from a role that may not read
 * clinical titles, the title itself (it is what they see, and they cannot be told a condition
 * they may not read); else none (`TASK_LABEL` for those roles).
 */
function nonClinicalTitleOf(
  role: Role,
  input: { title?: string; nonClinicalTitle?: string | null },
  team: Team | null | undefined,
): string | null | undefined {
  if (input.nonClinicalTitle !== undefined) {
    return input.nonClinicalTitle === null ? null : checkedTitle(input.nonClinicalTitle, true);
  }
  if (input.title === undefined) return undefined;
  // Written by someone who may not read clinical titles, or for a queue worked by such roles:
  // the title is the one they read.
  const forReaders = mayRead(role, 'task', 'title') && (!team || teamReadsTaskTitles(team));
  return forReaders ? null : checkedTitle(input.title);
}

/** A stored team (a column checked by the database) as a team, or null. */
const teamOf = (value: string | null): Team | null => (value && isTeam(value) ? value : null);

/** The description as stored: sealed to the task, the plain column emptied. */
function sealedDescription(
  cipher: FieldCipher,
  description: string | null,
  id: string,
  orgId: string,
) {
  return {
    description: null,
    descriptionEncrypted:
      description === null ? null : cipher.encrypt(description, taskDescriptionAad(id, orgId)),
  };
}

/** Both must belong to the organization: foreign keys alone do not see row-level security. */
async function checkReferences(
  tx: Db,
  refs: { patientId?: string | null; assigneeId?: string | null },
): Promise<void> {
  if (refs.patientId) {
    const [found] = await tx
      .select({ id: patients.id })
      .from(patients)
      .where(eq(patients.id, refs.patientId));
    if (!found) throw unknownReference('patientId', 'patient');
  }
  if (refs.assigneeId) {
    const [found] = await tx
      .select({ role: users.role, disabledAt: users.disabledAt })
      .from(users)
      .where(eq(users.id, refs.assigneeId));
    // Unknown and another organization's users read the same (row-level security): a 422.
    if (!found) throw unknownReference('assigneeId', 'user');
    const staff = !found.disabledAt && isRole(found.role) && STAFF_ROLES.includes(found.role);
    if (!staff) throw badRequest('Tasks can only be assigned to active staff', '/body/assigneeId');
  }
}

/** The care team's work queue. Tasks about a patient are patient data: audited, on the timeline. */
export class TaskService {
  constructor(
    readonly database: Database,
    readonly audit: AuditLog,
    readonly cipher: FieldCipher,
  ) {}

  async list(ctx: RequestContext, query: TaskListQuery): Promise<TaskPage> {
    if (query.mine && query.assigneeId && query.assigneeId !== ctx.actor.userId) {
      throw badRequest('mine=true lists your own tasks: leave assigneeId out', '/query/assigneeId');
    }
    const sort = query.sort ?? 'dueAt';
    const keys = SORTS[sort];
    const limit = query.limit ?? 25;
    const cursor = query.cursor ? decodeTaskCursor(sort, keys, query.cursor) : null;
    const assigneeId = query.mine ? ctx.actor.userId : query.assigneeId;
    const teams = this.teamFilter(ctx, query);
    const sortKey = sql<CursorValues>`json_build_array(${sql.join(keys.map(cursorExpr), sql`, `)})`;
    const rows = await this.database.withTenant(ctx.actor.orgId, (tx) =>
      tx
        .select({ ...taskColumns, sortKey })
        .from(tasks)
        .leftJoin(patients, eq(patients.id, tasks.patientId))
        .leftJoin(users, eq(users.id, tasks.assigneeId))
        .where(
          and(
            query.status ? eq(tasks.status, query.status) : undefined,
            assigneeId ? eq(tasks.assigneeId, assigneeId) : undefined,
            teams ? inArray(tasks.team, teams) : undefined,
            query.patientId ? eq(tasks.patientId, query.patientId) : undefined,
            cursor ? after(keys, cursor) : undefined,
          ),
        )
        .orderBy(...keys.map((k) => sql`${k.expr} ${sql.raw(k.desc ? 'desc' : 'asc')} nulls last`))
        .limit(limit + 1),
    );
    const page = rows.slice(0, limit);
    await this.auditSearch(ctx, page);
    const last = page.at(-1);
    return {
      items: page.map((row) => taskFor(ctx.actor.role, toTask(row, this.cipher, ctx.actor.orgId))),
      nextCursor: rows.length > limit && last ? encodeCursor([sort, ...last.sortKey]) : null,
    };
  }

  /**
   * The queues a list asks for: one team, or the caller's teams (by role). A caller with no
   * team asking for their teams' queues gets a 400, not every task.
   */
  private teamFilter(ctx: RequestContext, query: TaskListQuery): readonly Team[] | null {
    if (!query.myTeams) return query.team ? [query.team] : null;
    const mine = teamsOf(ctx.actor.role);
    if (mine.length === 0) throw badRequest('Your role works no team queue', '/query/myTeams');
    if (query.team && !mine.includes(query.team)) {
      throw badRequest(
        'myTeams=true lists your teams: this team is not one of them',
        '/query/team',
      );
    }
    return query.team ? [query.team] : mine;
  }

  /** One event per patient whose tasks were shown, so each patient's access log is complete. */
  private async auditSearch(ctx: RequestContext, rows: { patientId: string | null }[]) {
    const shown = new Set(rows.map((r) => r.patientId).filter((id): id is string => id !== null));
    await Promise.all(
      [...shown].map((patientId) =>
        this.audit.read(ctx.audit, { action: 'search', recordType: 'task', patientId }),
      ),
    );
  }

  create(ctx: RequestContext, input: TaskCreate): Promise<Task> {
    const orgId = ctx.actor.orgId;
    const title = checkedTitle(input.title);
    return this.database.withTenant(orgId, async (tx) => {
      await checkReferences(tx, input);
      // The id is chosen here: the description is sealed to it.
      const id = randomUUID();
      const [row] = await tx
        .insert(tasks)
        .values({
          id,
          orgId,
          patientId: input.patientId ?? null,
          title,
          nonClinicalTitle: nonClinicalTitleOf(ctx.actor.role, input, input.team) ?? null,
          ...sealedDescription(this.cipher, input.description ?? null, id, orgId),
          assigneeId: input.assigneeId ?? null,
          team: input.team ?? null,
          dueAt: instantOrNull(input.dueAt) ?? null,
          priority: input.priority ?? 'normal',
          createdBy: ctx.actor.userId,
          createdAt: new Date(),
        })
        .returning({
          id: tasks.id,
          patientId: tasks.patientId,
          title: tasks.title,
          nonClinicalTitle: tasks.nonClinicalTitle,
        });
      if (!row) throw new Error('task insert returned no row');
      if (row.patientId) {
        await this.audit.inTransaction(tx, ctx.audit, {
          action: 'create',
          recordType: 'task',
          recordId: row.id,
          patientId: row.patientId,
        });
        await appendTouchpoints(tx, [taskTouchpoint(orgId, row.patientId, row, 'task.created')]);
      }
      return findTask(tx, row.id, this.cipher, orgId, ctx.actor.role);
    });
  }

  /** Marking a task done stamps `completedAt`; reopening it clears the stamp. */
  update(ctx: RequestContext, id: string, input: TaskUpdate): Promise<Task> {
    const orgId = ctx.actor.orgId;
    return this.database.withTenant(orgId, async (tx) => {
      const summary = {
        id: tasks.id,
        patientId: tasks.patientId,
        title: tasks.title,
        nonClinicalTitle: tasks.nonClinicalTitle,
        team: tasks.team,
      };
      const [current] = await tx
        .select({ ...summary, status: tasks.status })
        .from(tasks)
        .where(eq(tasks.id, id));
      if (!current) throw notFound('Task');
      await checkReferences(tx, { assigneeId: input.assigneeId });
      const completes = input.status === 'done' && current.status !== 'done';
      const reopens = input.status !== undefined && input.status !== 'done';
      const changes = {
        title: checkedTitle(input.title),
        nonClinicalTitle:
          nonClinicalTitleOf(ctx.actor.role, input, input.team ?? teamOf(current.team)) ??
          // Moved to a queue whose roles may not read the title: they read it from now on.
          (input.team && !teamReadsTaskTitles(input.team) && current.nonClinicalTitle === null
            ? current.title
            : undefined),
        ...(input.description === undefined
          ? {}
          : sealedDescription(this.cipher, input.description, current.id, orgId)),
        assigneeId: input.assigneeId,
        team: input.team,
        dueAt: instantOrNull(input.dueAt),
        priority: input.priority,
        status: input.status,
        completedAt: completes ? new Date() : reopens ? null : undefined,
      };
      const [row] = Object.values(changes).every((v) => v === undefined)
        ? [current]
        : await tx.update(tasks).set(changes).where(eq(tasks.id, id)).returning(summary);
      if (!row) throw notFound('Task');
      if (row.patientId) {
        await this.audit.inTransaction(tx, ctx.audit, {
          action: 'update',
          recordType: 'task',
          recordId: row.id,
          patientId: row.patientId,
          reason: completes ? 'completed' : null,
        });
        if (completes) {
          await appendTouchpoints(tx, [
            taskTouchpoint(orgId, row.patientId, row, 'task.completed'),
          ]);
        }
      }
      return findTask(tx, row.id, this.cipher, orgId, ctx.actor.role);
    });
  }
}

function checkedTitle(title: string, nonClinical?: boolean): string;
function checkedTitle(title: string | undefined): string | undefined;
function checkedTitle(title: string | undefined, nonClinical = false): string | undefined {
  const trimmed = title?.trim();
  if (trimmed === '') {
    const field = nonClinical ? 'nonClinicalTitle' : 'title';
    throw badRequest(
      `${nonClinical ? 'A non-clinical title' : 'Title'} is required`,
      `/body/${field}`,
    );
  }
  return trimmed;
}

function instantOrNull(value: string | null | undefined): Date | null | undefined {
  return value === undefined || value === null ? value : new Date(value);
}

function taskTouchpoint(
  orgId: string,
  patientId: string,
  task: { id: string; title: string; nonClinicalTitle: string | null },
  type: 'task.created' | 'task.completed',
): NewTouchpoint {
  const prefix = type === 'task.created' ? 'Task' : 'Task done';
  return {
    orgId,
    patientId,
    channel: 'system',
    direction: 'internal',
    stage: 'follow-up',
    type,
    summary: `${prefix}: ${task.title}`,
    // The title may name a condition ("Review discharge summary: syncope").
    nonClinicalSummary: task.nonClinicalTitle
      ? `${prefix}: ${task.nonClinicalTitle}`
      : touchpointLabel(type, 'system'),
    subjectType: 'task',
    subjectId: task.id,
  };
}

/** A task another module raises inside its own transaction (a privacy officer's review). */
export interface RaisedTask {
  orgId: string;
  title: string;
  description: string;
  assigneeId: string;
  priority: TaskPriority;
  createdBy: string;
  createdAt: Date;
}

/** Inserts tasks about no patient (nothing to audit or put on a timeline) within `tx`. */
export async function raiseTasks(tx: Db, raised: RaisedTask[]): Promise<void> {
  if (raised.length === 0) return;
  // Their titles name no one's care (the patient is in the description): every role sees them.
  await tx
    .insert(tasks)
    .values(
      raised.map((r) => ({ ...r, nonClinicalTitle: r.title, patientId: null, status: 'open' })),
    );
}

// Issue 11, journeys: a task a journey step raises for a team about a patient.
/** A task about a patient a worker raises inside its own transaction (a journey step). */
export interface RaisedPatientTask {
  orgId: string;
  patientId: string;
  /** Names no condition (a journey's titles are reviewed as non-clinical): every role reads it. */
  title: string;
  team: Team;
  dueAt: Date | null;
  createdAt: Date;
}

/** Inserts the task and its timeline touchpoint within `tx`; returns the task's id. */
export async function raisePatientTask(tx: Db, task: RaisedPatientTask): Promise<string> {
  const id = randomUUID();
  await tx.insert(tasks).values({
    id,
    orgId: task.orgId,
    patientId: task.patientId,
    title: task.title,
    nonClinicalTitle: task.title,
    team: task.team,
    dueAt: task.dueAt,
    priority: 'normal',
    status: 'open',
    createdBy: null,
    createdAt: task.createdAt,
  });
  await appendTouchpoints(tx, [
    taskTouchpoint(
      task.orgId,
      task.patientId,
      { id, title: task.title, nonClinicalTitle: task.title },
      'task.created',
    ),
  ]);
  return id;
}

// Issue 11, the shared inbox: an @mention in an internal note.
/** A colleague mentioned in an inbox note: a task assigned to them, naming no condition. */
export interface RaisedMention {
  orgId: string;
  patientId: string | null;
  assigneeId: string;
  createdBy: string | null;
  conversationId: string;
  createdAt: Date;
}

export const MENTION_TASK_TITLE = 'You were mentioned in an inbox conversation';

/** Inserts the mention's task (and, about a patient, its touchpoint) within `tx`. */
export async function raiseMention(
  tx: Db,
  cipher: FieldCipher,
  mention: RaisedMention,
): Promise<string> {
  const id = randomUUID();
  await tx.insert(tasks).values({
    id,
    orgId: mention.orgId,
    patientId: mention.patientId,
    title: MENTION_TASK_TITLE,
    nonClinicalTitle: MENTION_TASK_TITLE,
    // Where to look, not what was said: the note itself stays in the conversation.
    ...sealedDescription(cipher, `/inbox/${mention.conversationId}`, id, mention.orgId),
    assigneeId: mention.assigneeId,
    priority: 'normal',
    status: 'open',
    createdBy: mention.createdBy,
    createdAt: mention.createdAt,
  });
  if (mention.patientId) {
    await appendTouchpoints(tx, [
      {
        ...taskTouchpoint(
          mention.orgId,
          mention.patientId,
          { id, title: MENTION_TASK_TITLE, nonClinicalTitle: MENTION_TASK_TITLE },
          'task.created',
        ),
        // The note's time (the caller's clock), not the database's: a seeded note is in the past.
        occurredAt: mention.createdAt,
      },
    ]);
  }
  return id;
}

// Call tasks (issue 11): journeys raise them through the tasks module.
export { raiseCallTask } from './calls.js';
