import { routes } from '@careloop/core';
import { contextOf } from '../../http/actor.js';
import { defineRoute } from '../../http/route.js';
import type { App } from '../../http/types.js';
import type { Services } from '../../services.js';

export default async function directoryRoutes(app: App, { directory }: Services): Promise<void> {
  const orgOf = (request: Parameters<typeof contextOf>[0]) => contextOf(request).actor.orgId;
  const d = routes.directory;

  defineRoute(app, d.settings, (request) => directory.settings(orgOf(request)));
  defineRoute(app, d.portalOrganizations, () => directory.portalOrganizations());
  defineRoute(app, d.updateSettings, (request) =>
    directory.updateSettings(contextOf(request).audit, request.body),
  );

  defineRoute(app, d.locations, (request) =>
    directory.listLocations(orgOf(request), request.query),
  );
  defineRoute(app, d.createLocation, (request) =>
    directory.createLocation(orgOf(request), request.body),
  );
  defineRoute(app, d.updateLocation, (request) =>
    directory.updateLocation(orgOf(request), request.params.id, request.body),
  );

  defineRoute(app, d.practitioners, (request) =>
    directory.listPractitioners(orgOf(request), request.query),
  );
  defineRoute(app, d.createPractitioner, (request) =>
    directory.createPractitioner(orgOf(request), request.body),
  );
  defineRoute(app, d.updatePractitioner, (request) =>
    directory.updatePractitioner(orgOf(request), request.params.id, request.body),
  );

  defineRoute(app, d.services, (request) => directory.listServices(orgOf(request), request.query));
  defineRoute(app, d.createService, (request) =>
    directory.createService(orgOf(request), request.body),
  );
  defineRoute(app, d.updateService, (request) =>
    directory.updateService(orgOf(request), request.params.id, request.body),
  );
}
