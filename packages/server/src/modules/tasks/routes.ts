import { IdParams, Task, TaskCreate, TaskListQuery, TaskPage, TaskUpdate } from '@careloop/core';
import { contextOf } from '../../http/actor.js';
import type { App } from '../../http/types.js';
import type { Services } from '../../services.js';

const problem = { $ref: 'Problem#' } as const;
const errors = { 400: problem, 401: problem, 403: problem, 404: problem, 409: problem };

export default async function taskRoutes(
  app: App,
  { tasks, restrictions }: Services,
): Promise<void> {
  app.get(
    '/api/tasks',
    {
      config: { policy: { permission: 'task:read' } },
      schema: {
        tags: ['tasks'],
        summary: 'The work queue; mine=true for your own tasks; sorted by due date by default',
        querystring: TaskListQuery,
        response: { 200: TaskPage, ...errors },
      },
    },
    async (request) => {
      const ctx = contextOf(request);
      if (request.query.patientId) await restrictions.guard(ctx, [request.query.patientId], 'task');
      return restrictions.maskTasks(ctx.actor, await tasks.list(ctx, request.query));
    },
  );

  app.post(
    '/api/tasks',
    {
      config: { policy: { permission: 'task:write' } },
      schema: {
        tags: ['tasks'],
        summary: 'Create a task, about a patient or not',
        body: TaskCreate,
        response: { 200: Task, ...errors },
      },
    },
    async (request) => {
      const ctx = contextOf(request);
      if (request.body.patientId) await restrictions.guard(ctx, [request.body.patientId], 'task');
      return tasks.create(ctx, request.body);
    },
  );

  app.patch(
    '/api/tasks/:id',
    {
      config: { policy: { permission: 'task:write' } },
      schema: {
        tags: ['tasks'],
        summary: "Change a task; status 'done' stamps completedAt",
        params: IdParams,
        body: TaskUpdate,
        response: { 200: Task, ...errors },
      },
    },
    async (request) => {
      const ctx = contextOf(request);
      await restrictions.guardRecord(ctx, 'task', request.params.id);
      return tasks.update(ctx, request.params.id, request.body);
    },
  );
}
