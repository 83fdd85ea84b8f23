import {
  DirectoryListQuery,
  IdParams,
  Location,
  LocationCreate,
  LocationPage,
  LocationUpdate,
  OrganizationSettings,
  OrganizationSettingsUpdate,
  PortalOrganizations,
  Practitioner,
  PractitionerCreate,
  PractitionerPage,
  PractitionerUpdate,
  Service,
  ServiceCreate,
  ServicePage,
  ServiceUpdate,
} from '@careloop/core';
import { contextOf } from '../../http/actor.js';
import type { App } from '../../http/types.js';
import type { Services } from '../../services.js';

const problem = { $ref: 'Problem#' } as const;
const errors = { 400: problem, 401: problem, 403: problem, 404: problem, 409: problem };
const read = { policy: { permission: 'directory:read' } } as const;
const write = { policy: { permission: 'directory:write' } } as const;
const tags = ['directory'];

export default async function directoryRoutes(app: App, { directory }: Services): Promise<void> {
  const orgOf = (request: Parameters<typeof contextOf>[0]) => contextOf(request).actor.orgId;

  app.get(
    '/api/organization/settings',
    {
      config: read,
      schema: {
        tags,
        summary: "The organization's MRN format and default location for new patients",
        response: { 200: OrganizationSettings, ...errors },
      },
    },
    (request) => directory.settings(orgOf(request)),
  );

  app.get(
    '/api/portal/organizations',
    {
      config: { policy: { public: true } },
      schema: {
        tags: ['portal'],
        summary:
          "Organizations listed on the portal's sign-up page (id and name only; admins list theirs in the organization settings)",
        security: [],
        response: { 200: PortalOrganizations },
      },
    },
    () => directory.portalOrganizations(),
  );

  app.patch(
    '/api/organization/settings',
    {
      config: write,
      schema: {
        tags,
        summary: "Change the organization's MRN format or default location (admins)",
        body: OrganizationSettingsUpdate,
        response: { 200: OrganizationSettings, 422: problem, ...errors },
      },
    },
    (request) => directory.updateSettings(orgOf(request), request.body),
  );

  app.get(
    '/api/locations',
    {
      config: read,
      schema: {
        tags,
        summary: 'Locations, by name; q matches the name',
        querystring: DirectoryListQuery,
        response: { 200: LocationPage, ...errors },
      },
    },
    (request) => directory.listLocations(orgOf(request), request.query),
  );
  app.post(
    '/api/locations',
    {
      config: write,
      schema: {
        tags,
        summary: 'Add a location',
        body: LocationCreate,
        response: { 200: Location, ...errors },
      },
    },
    (request) => directory.createLocation(orgOf(request), request.body),
  );
  app.patch(
    '/api/locations/:id',
    {
      config: write,
      schema: {
        tags,
        summary: 'Change a location',
        params: IdParams,
        body: LocationUpdate,
        response: { 200: Location, ...errors },
      },
    },
    (request) => directory.updateLocation(orgOf(request), request.params.id, request.body),
  );

  app.get(
    '/api/practitioners',
    {
      config: read,
      schema: {
        tags,
        summary: 'Practitioners, by family then given name; q matches the name',
        querystring: DirectoryListQuery,
        response: { 200: PractitionerPage, ...errors },
      },
    },
    (request) => directory.listPractitioners(orgOf(request), request.query),
  );
  app.post(
    '/api/practitioners',
    {
      config: write,
      schema: {
        tags,
        summary: 'Add a practitioner',
        body: PractitionerCreate,
        response: { 200: Practitioner, ...errors },
      },
    },
    (request) => directory.createPractitioner(orgOf(request), request.body),
  );
  app.patch(
    '/api/practitioners/:id',
    {
      config: write,
      schema: {
        tags,
        summary: 'Change a practitioner',
        params: IdParams,
        body: PractitionerUpdate,
        response: { 200: Practitioner, ...errors },
      },
    },
    (request) => directory.updatePractitioner(orgOf(request), request.params.id, request.body),
  );

  app.get(
    '/api/services',
    {
      config: read,
      schema: {
        tags,
        summary: 'Service lines, by name; q matches the name',
        querystring: DirectoryListQuery,
        response: { 200: ServicePage, ...errors },
      },
    },
    (request) => directory.listServices(orgOf(request), request.query),
  );
  app.post(
    '/api/services',
    {
      config: write,
      schema: {
        tags,
        summary: 'Add a service line',
        body: ServiceCreate,
        response: { 200: Service, ...errors },
      },
    },
    (request) => directory.createService(orgOf(request), request.body),
  );
  app.patch(
    '/api/services/:id',
    {
      config: write,
      schema: {
        tags,
        summary: 'Change a service line',
        params: IdParams,
        body: ServiceUpdate,
        response: { 200: Service, ...errors },
      },
    },
    (request) => directory.updateService(orgOf(request), request.params.id, request.body),
  );
}
