import { IdParams } from '../common.js';
import { route } from '../contract.js';
import { Task, TaskCreate, TaskListQuery, TaskPage, TaskUpdate } from '../patients.js';

export const taskRoutes = {
  list: route({
    method: 'GET',
    path: '/api/tasks',
    policy: { permission: 'task:read' },
    tags: ['tasks'],
    summary: 'The work queue; mine=true for your own tasks; sorted by due date by default',
    query: TaskListQuery,
    reply: TaskPage,
  }),
  create: route({
    method: 'POST',
    path: '/api/tasks',
    policy: { permission: 'task:write' },
    tags: ['tasks'],
    summary: 'Create a task, about a patient or not',
    body: TaskCreate,
    reply: Task,
  }),
  update: route({
    method: 'PATCH',
    path: '/api/tasks/:id',
    policy: { permission: 'task:write' },
    tags: ['tasks'],
    summary: "Change a task; status 'done' stamps completedAt",
    params: IdParams,
    body: TaskUpdate,
    reply: Task,
  }),
};
