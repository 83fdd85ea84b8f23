import { Type } from 'typebox';
import { route } from '../contract.js';

export const Health = Type.Object({
  status: Type.Literal('ok'),
  database: Type.Union([Type.Literal('pglite'), Type.Literal('postgres')]),
});

export const healthRoutes = {
  live: route({
    method: 'GET',
    path: '/api/health',
    policy: { public: true },
    tags: ['system'],
    summary: 'Liveness and database mode',
    reply: Health,
  }),
  ready: route({
    method: 'GET',
    path: '/api/health/ready',
    policy: { public: true },
    tags: ['system'],
    summary: 'Readiness: the database answers',
    description:
      "A 503 (with Retry-After) while the database cannot be reached, within the pool's connection timeout.",
    reply: Health,
  }),
};
