import { routes } from '@careloop/core';
import { contextOf } from '../../http/actor.js';
import { defineRoute } from '../../http/route.js';
import type { App } from '../../http/types.js';
import type { Services } from '../../services.js';
import coverageRoutes from './coverage-routes.js';
import { readsMaskedFields } from './search.js';

export default async function patientRoutes(app: App, services: Services): Promise<void> {
  const { patients, restrictions } = services;
  await coverageRoutes(app, services);
  const serialized = new WeakMap<object, Buffer>();
  defineRoute(app, routes.patients.list, async (request) => {
    const ctx = contextOf(request);
    const hidden = readsMaskedFields(request.query)
      ? await restrictions.hiddenPatients(ctx.actor)
      : new Set<string>();
    return restrictions.maskPatients(ctx.actor, await patients.search(ctx, request.query, hidden));
  });

  defineRoute(app, routes.patients.create, (request) =>
    patients.create(contextOf(request), request.body),
  );

  defineRoute(app, routes.patients.get, async (request, reply) => {
    const ctx = contextOf(request);
    await restrictions.guard(ctx, [request.params.id], 'patient');
    const view = await patients.get360(ctx, request.params.id);
    // A cached view is one frozen object shared by all its readers: serialize it once, with
    // the route's own serializer, and send those bytes to each of them.
    let body = serialized.get(view);
    if (!body) {
      const out = reply.serialize(view);
      body =
        typeof out === 'string' ? Buffer.from(out) : Buffer.isBuffer(out) ? out : Buffer.from(out);
      if (Object.isFrozen(view)) serialized.set(view, body);
    }
    return reply.type('application/json; charset=utf-8').send(body);
  });

  defineRoute(app, routes.patients.update, async (request) => {
    const ctx = contextOf(request);
    await restrictions.guard(ctx, [request.params.id], 'patient');
    return patients.update(ctx, request.params.id, request.body);
  });

  defineRoute(app, routes.patients.updatePreferences, async (request) => {
    const ctx = contextOf(request);
    await restrictions.guard(ctx, [request.params.id], 'patient');
    await patients.updatePreferences(ctx, request.params.id, request.body, 'staff');
    return patients.get360(ctx, request.params.id);
  });

  defineRoute(app, routes.patients.timeline, async (request) => {
    const ctx = contextOf(request);
    await restrictions.guard(ctx, [request.params.id], 'timeline');
    return patients.timeline(ctx, request.params.id, request.query);
  });
}
