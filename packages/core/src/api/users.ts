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

/** `GET /api/staff`: active staff a task can be assigned to; q matches name or email. */
export const StaffQuery = Type.Object({
  q: Type.Optional(Type.String({ maxLength: 200 })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 50 })),
});
export const StaffMember = Type.Object({
  id: Type.String({ format: 'uuid' }),
  displayName: Type.String(),
  role: RoleSchema,
});
export const StaffList = Type.Object({ items: Type.Array(StaffMember) });

export type StaffQuery = Static<typeof StaffQuery>;
export type StaffMember = Static<typeof StaffMember>;
export type StaffList = Static<typeof StaffList>;
