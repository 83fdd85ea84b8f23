import {
  IdParams,
  Patient360,
  PatientCreate,
  PatientListQuery,
  PatientPage,
  PatientUpdate,
  PreferencesUpdate,
  TimelinePage,
  TimelineQuery,
} from '@careloop/core';
import { contextOf } from '../../http/actor.js';
import type { App } from '../../http/types.js';
import type { Services } from '../../services.js';
import coverageRoutes from './coverage-routes.js';
import { readsMaskedFields } from './search.js';

const problem = { $ref: 'Problem#' } as const;
const errors = { 400: problem, 401: problem, 403: problem, 404: problem, 409: problem };

export default async function patientRoutes(app: App, services: Services): Promise<void> {
  const { patients, restrictions } = services;
  await coverageRoutes(app, services);
  const serialized = new WeakMap<object, Buffer>();
  app.get(
    '/api/patients',
    {
      config: { policy: { permission: 'patient:read' } },
      schema: {
        tags: ['patients'],
        summary: 'Search patients by name, birth date, phone, email or identifier',
        querystring: PatientListQuery,
        response: { 200: PatientPage, ...errors },
      },
    },
    async (request) => {
      const ctx = contextOf(request);
      const hidden = readsMaskedFields(request.query)
        ? await restrictions.hiddenPatients(ctx.actor)
        : new Set<string>();
      return restrictions.maskPatients(
        ctx.actor,
        await patients.search(ctx, request.query, hidden),
      );
    },
  );

  app.post(
    '/api/patients',
    {
      config: { policy: { permission: 'patient:write' } },
      schema: {
        tags: ['patients'],
        summary: 'Register a patient',
        body: PatientCreate,
        response: { 200: Patient360, ...errors },
      },
    },
    (request) => patients.create(contextOf(request), request.body),
  );

  app.get(
    '/api/patients/:id',
    {
      config: { policy: { permission: 'patient:read' } },
      schema: {
        tags: ['patients'],
        summary: 'The 360 view of a patient',
        params: IdParams,
        response: { 200: Patient360, ...errors },
      },
    },
    async (request, reply) => {
      const ctx = contextOf(request);
      await restrictions.guard(ctx, [request.params.id], 'patient');
      const view = await patients.get360(ctx, request.params.id);
      // A cached view is one frozen object shared by all its readers: serialize it once, with
      // the route's own serializer, and send those bytes to each of them.
      let body = serialized.get(view);
      if (!body) {
        const out = reply.serialize(view);
        body =
          typeof out === 'string'
            ? Buffer.from(out)
            : Buffer.isBuffer(out)
              ? out
              : Buffer.from(out);
        if (Object.isFrozen(view)) serialized.set(view, body);
      }
      return reply.type('application/json; charset=utf-8').send(body);
    },
  );

  app.patch(
    '/api/patients/:id',
    {
      config: { policy: { permission: 'patient:write' } },
      schema: {
        tags: ['patients'],
        summary: 'Update a patient; arrays given replace the stored ones',
        params: IdParams,
        body: PatientUpdate,
        response: { 200: Patient360, ...errors },
      },
    },
    async (request) => {
      const ctx = contextOf(request);
      await restrictions.guard(ctx, [request.params.id], 'patient');
      return patients.update(ctx, request.params.id, request.body);
    },
  );

  app.patch(
    '/api/patients/:id/preferences',
    {
      config: { policy: { permission: 'patient:write' } },
      schema: {
        tags: ['patients'],
        summary: 'Record preferences and consent decisions the patient gave to staff',
        params: IdParams,
        body: PreferencesUpdate,
        response: { 200: Patient360, ...errors },
      },
    },
    async (request) => {
      const ctx = contextOf(request);
      await restrictions.guard(ctx, [request.params.id], 'patient');
      await patients.updatePreferences(ctx, request.params.id, request.body, 'staff');
      return patients.get360(ctx, request.params.id);
    },
  );

  app.get(
    '/api/patients/:id/timeline',
    {
      config: { policy: { permission: 'patient:read' } },
      schema: {
        tags: ['patients'],
        summary: "The patient's touchpoints, newest first",
        params: IdParams,
        querystring: TimelineQuery,
        response: { 200: TimelinePage, ...errors },
      },
    },
    async (request) => {
      const ctx = contextOf(request);
      await restrictions.guard(ctx, [request.params.id], 'timeline');
      return patients.timeline(ctx, request.params.id, request.query);
    },
  );
}
