import { type Static, Type } from 'typebox';
import { ListQuery } from './common.js';
import { RoleSchema } from './enums.js';

/** `GET /api/users`: q matches the display name or the email, case-insensitively. */
export const UserListQuery = Type.Object({
  q: Type.Optional(Type.String({ maxLength: 200 })),
  role: Type.Optional(RoleSchema),
  disabled: Type.Optional(Type.Boolean()),
  ...ListQuery,
});

export type UserListQuery = Static<typeof UserListQuery>;
