import { routes } from '@careloop/core';
import { sql } from 'drizzle-orm';
import { defineRoute } from '../../http/route.js';
import type { App } from '../../http/types.js';
import type { Services } from '../../services.js';

export default async function healthRoutes(app: App, { database }: Services): Promise<void> {
  defineRoute(app, routes.health.live, async () => ({
    status: 'ok' as const,
    database: database.kind,
  }));

  // No caches, no session: a load balancer asks this every few seconds during an outage too.
  defineRoute(app, routes.health.ready, async () => {
    await database.db.execute(sql`select 1`);
    return { status: 'ok' as const, database: database.kind };
  });
}
