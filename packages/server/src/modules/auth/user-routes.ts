import {
  IdParams,
  StaffList,
  StaffQuery,
  User,
  UserCreate,
  UserCreated,
  UserListQuery,
  UserPage,
  UserUpdate,
} from '@careloop/core';
import { contextOf } from '../../http/actor.js';
import type { App } from '../../http/types.js';
import type { Services } from '../../services.js';

const problem = { $ref: 'Problem#' } as const;
const errors = { 400: problem, 401: problem, 403: problem, 404: problem, 409: problem };

export default async function userRoutes(app: App, { users }: Services): Promise<void> {
  app.get(
    '/api/staff',
    {
      config: { policy: { permission: 'task:write' } },
      schema: {
        tags: ['users'],
        summary: 'Active staff a task can be assigned to (name and role only)',
        querystring: StaffQuery,
        response: { 200: StaffList, ...errors },
      },
    },
    (request) => users.staff(contextOf(request).actor.orgId, request.query),
  );

  app.get(
    '/api/users',
    {
      config: { policy: { permission: 'user:read' } },
      schema: {
        tags: ['users'],
        summary: "The organization's accounts, by display name; q matches name or email",
        querystring: UserListQuery,
        response: { 200: UserPage, ...errors },
      },
    },
    (request) => users.list(contextOf(request).actor.orgId, request.query),
  );

  app.post(
    '/api/users',
    {
      config: { policy: { permission: 'user:write' } },
      schema: {
        tags: ['users'],
        summary: 'Create an account; without a password one is generated and returned once',
        body: UserCreate,
        response: { 200: UserCreated, ...errors },
      },
    },
    (request) => {
      const ctx = contextOf(request);
      return users.create(ctx.actor.orgId, request.body, ctx.audit);
    },
  );

  app.patch(
    '/api/users/:id',
    {
      config: { policy: { permission: 'user:write' } },
      schema: {
        tags: ['users'],
        summary:
          'Change, disable or reset an account; role, status and password changes end its sessions',
        params: IdParams,
        body: UserUpdate,
        response: { 200: User, ...errors },
      },
    },
    (request) => users.update(contextOf(request), request.params.id, request.body),
  );
}
