import { routes } from '@careloop/core';
import { contextOf } from '../../http/actor.js';
import { defineRoute } from '../../http/route.js';
import type { App } from '../../http/types.js';
import type { Services } from '../../services.js';

export default async function journeyMapRoutes(
  app: App,
  { journeyMap, restrictions, tasks, lists }: Services,
): Promise<void> {
  defineRoute(app, routes.journeyMap.settings, async (request) =>
    journeyMap.settings(contextOf(request).actor.orgId),
  );

  defineRoute(app, routes.journeyMap.saveSettings, async (request) =>
    journeyMap.saveSettings(contextOf(request), request.body),
  );

  defineRoute(app, routes.journeyMap.map, async (request) =>
    journeyMap.map(contextOf(request), request.query),
  );

  defineRoute(app, routes.journeyMap.drillDown, async (request) => {
    const ctx = contextOf(request);
    const result = await journeyMap.drillDown(ctx, request.query);
    const hidden = await restrictions.hiddenAmong(
      ctx.actor,
      result.patients.map((p) => p.id),
    );
    return {
      ...result,
      patients: result.patients.map((p) => ({ ...p, restricted: hidden.has(p.id) })),
    };
  });

  // Issue 11 (h11l): lists are their own module's (docs/adr/0040).
  defineRoute(app, routes.journeyMap.createList, async (request) =>
    lists.create(contextOf(request), request.body, 'journey-map'),
  );

  defineRoute(app, routes.journeyMap.createTasks, async (request) => {
    const ctx = contextOf(request);
    const ids = [...new Set(request.body.patientIds)];
    const hidden = await restrictions.hiddenAmong(ctx.actor, ids);
    let created = 0;
    for (const patientId of ids) {
      if (hidden.has(patientId)) continue;
      await tasks.create(ctx, {
        patientId,
        title: request.body.title,
        team: 'care-coordination',
      });
      created++;
    }
    return { created, skipped: ids.length - created };
  });

  defineRoute(app, routes.journeyMap.patientJourney, async (request) => {
    const ctx = contextOf(request);
    await restrictions.guard(ctx, [request.params.id], 'journey');
    return journeyMap.patientJourney(ctx, request.params.id);
  });
}
