import { routes } from '@careloop/core';
import { contextOf } from '../../http/actor.js';
import { defineRoute } from '../../http/route.js';
import type { App } from '../../http/types.js';
import type { Services } from '../../services.js';

export default async function mpiRoutes(app: App, { mpi, restrictions }: Services): Promise<void> {
  defineRoute(app, routes.mpi.reviews, async (request) => {
    const ctx = contextOf(request);
    const page = await mpi.listReviews(ctx, request.query);
    // A possible duplicate involving a restricted record the reviewer may not open waits for
    // its care team (or a reviewer who broke the glass): both sides are detail.
    const hidden = await restrictions.hiddenAmong(
      ctx.actor,
      page.items.flatMap((i) => [i.incoming.patientId, i.candidate.patientId]),
    );
    if (hidden.size === 0) return page;
    return {
      ...page,
      items: page.items.filter(
        (i) => !hidden.has(i.incoming.patientId) && !hidden.has(i.candidate.patientId),
      ),
    };
  });

  defineRoute(app, routes.mpi.reviewCount, (request) => mpi.countOpenReviews(contextOf(request)));

  defineRoute(app, routes.mpi.review, async (request) => {
    const ctx = contextOf(request);
    await restrictions.guardRecord(ctx, 'mpi-review', request.params.id);
    return mpi.getReview(ctx, request.params.id);
  });

  defineRoute(app, routes.mpi.decide, async (request) => {
    const ctx = contextOf(request);
    await restrictions.guardRecord(ctx, 'mpi-review', request.params.id);
    return mpi.decide(ctx, request.params.id, request.body);
  });

  defineRoute(app, routes.mpi.sources, async (request) => {
    const ctx = contextOf(request);
    await restrictions.guard(ctx, [request.params.id], 'patient-sources');
    return mpi.sources(ctx, request.params.id);
  });

  defineRoute(app, routes.mpi.merge, async (request) => {
    const ctx = contextOf(request);
    await restrictions.guard(ctx, [request.params.id, request.body.mergedId], 'patient-merge');
    return mpi.merge(ctx, request.params.id, request.body);
  });

  defineRoute(app, routes.mpi.unmerge, async (request) => {
    const ctx = contextOf(request);
    await restrictions.guardRecord(ctx, 'patient-merge', request.params.id);
    return mpi.unmerge(ctx, request.params.id, request.body.reason?.trim() || null);
  });
}
