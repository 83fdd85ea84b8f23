import { sql } from 'drizzle-orm';
import { Type } from 'typebox';
import type { App } from '../../http/types.js';
import type { Services } from '../../services.js';

const problem = { $ref: 'Problem#' } as const;

const Health = Type.Object({
  status: Type.Literal('ok'),
  database: Type.Union([Type.Literal('pglite'), Type.Literal('postgres')]),
});

export default async function healthRoutes(app: App, { database }: Services): Promise<void> {
  app.get(
    '/api/health',
    {
      config: { policy: { public: true } },
      schema: {
        tags: ['system'],
        summary: 'Liveness and database mode',
        response: { 200: Health },
      },
    },
    async () => ({ status: 'ok' as const, database: database.kind }),
  );

  app.get(
    '/api/health/ready',
    {
      config: { policy: { public: true } },
      schema: {
        tags: ['system'],
        summary: 'Readiness: the database answers',
        description:
          "A 503 (with Retry-After) while the database cannot be reached, within the pool's connection timeout.",
        response: { 200: Health, 503: problem },
      },
    },
    // No caches, no session: a load balancer asks this every few seconds during an outage too.
    async () => {
      await database.db.execute(sql`select 1`);
      return { status: 'ok' as const, database: database.kind };
    },
  );
}
