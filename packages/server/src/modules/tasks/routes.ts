import { IdParams, Task, TaskCreate, TaskListQuery, TaskPage, TaskUpdate } from '@careloop/core';
import { contextOf } from '../../http/actor.js';
import type { App } from '../../http/types.js';
import type { Services } from '../../services.js';

const problem = { $ref: 'Problem#' } as const;
const errors = { 400: problem, 401: problem, 403: problem, 404: problem, 409: problem };

export default async function taskRoutes(app: App, { tasks }: Services): Promise<void> {
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
    (request) => tasks.list(contextOf(request), request.query),
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
    (request) => tasks.create(contextOf(request), request.body),
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
    (request) => tasks.update(contextOf(request), request.params.id, request.body),
  );
}
