import { type Static, Type } from 'typebox';
import { PROBLEM_CODES } from '../errors/problem.js';

export const Uuid = Type.String({ format: 'uuid' });
export const Instant = Type.String({ format: 'date-time', description: 'ISO 8601 instant, UTC' });
export const IsoDate = Type.String({ format: 'date', description: 'YYYY-MM-DD' });
export const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) =>
  Type.Union([schema, Type.Null()]);

export const ProblemSchema = Type.Object(
  {
    status: Type.Integer(),
    code: Type.Enum(PROBLEM_CODES),
    message: Type.String(),
    path: Type.Optional(Type.String()),
    errors: Type.Optional(
      Type.Array(Type.Object({ path: Type.String(), message: Type.String() }), {
        description: 'Every invalid field of a refused request; `path` names the first',
      }),
    ),
  },
  { $id: 'Problem', description: 'The one error shape of every Careloop API response.' },
);

export const IdParams = Type.Object({ id: Uuid });

export const ListQuery = {
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 25 })),
  cursor: Type.Optional(Type.String({ maxLength: 500 })),
};

/** A page of a list. Pass `nextCursor` back as `cursor` for the next page; null at the end. */
export const Page = <T extends Parameters<typeof Type.Array>[0]>(item: T) =>
  Type.Object({ items: Type.Array(item), nextCursor: Nullable(Type.String()) });

export type ProblemBody = Static<typeof ProblemSchema>;
