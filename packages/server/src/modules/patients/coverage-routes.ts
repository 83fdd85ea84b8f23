import { routes } from '@careloop/core';
import { contextOf } from '../../http/actor.js';
import { defineRoute } from '../../http/route.js';
import type { App } from '../../http/types.js';
import type { Services } from '../../services.js';
import { PatientCoverageService } from './coverage.js';

/** Coverage and care team, kept by the front desk from the 360 page. */
export default async function coverageRoutes(
  app: App,
  { database, audit, restrictions, cipher }: Services,
): Promise<void> {
  const coverage = new PatientCoverageService(database, audit, cipher);

  defineRoute(app, routes.patients.coverages, async (request) => {
    const ctx = contextOf(request);
    await restrictions.guard(ctx, [request.params.id], 'coverage');
    return { items: await coverage.list(ctx, request.params.id) };
  });

  defineRoute(app, routes.patients.addCoverage, async (request) => {
    const ctx = contextOf(request);
    await restrictions.guard(ctx, [request.params.id], 'coverage');
    return coverage.add(ctx, request.params.id, request.body);
  });

  defineRoute(app, routes.patients.updateCoverage, async (request) => {
    const ctx = contextOf(request);
    await restrictions.guard(ctx, [request.params.id], 'coverage');
    return coverage.update(ctx, request.params.id, request.params.coverageId, request.body);
  });

  // Issue 13 (h13r): the insurance card a patient photographed at pre-registration.
  defineRoute(app, routes.preRegistration.coverageCard, async (request, reply) => {
    const ctx = contextOf(request);
    const { id, coverageId, side } = request.params;
    await restrictions.guard(ctx, [id], 'coverage');
    const file = await coverage.cardImage(ctx, id, coverageId, side);
    return reply
      .header('content-type', file.contentType)
      .header('content-disposition', `inline; filename="insurance-card-${side}"`)
      .header('x-content-type-options', 'nosniff')
      .header('cache-control', 'no-store')
      .send(file.bytes);
  });

  defineRoute(app, routes.patients.addCareTeamMember, async (request, reply) => {
    const ctx = contextOf(request);
    await restrictions.guard(ctx, [request.params.id], 'patient');
    await coverage.addCareTeamMember(ctx, request.params.id, request.body);
    return reply.status(204).send(null);
  });

  defineRoute(app, routes.patients.removeCareTeamMember, async (request, reply) => {
    const ctx = contextOf(request);
    await restrictions.guard(ctx, [request.params.id], 'patient');
    await coverage.removeCareTeamMember(ctx, request.params.id, request.params.memberId);
    return reply.status(204).send(null);
  });
}
