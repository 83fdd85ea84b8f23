import {
  DeadLetter,
  IdParams,
  JourneyDetail,
  JourneyDraftBody,
  JourneySummary,
  ReadyJourney,
} from '@careloop/core';
import { Type } from 'typebox';
import { contextOf } from '../../http/actor.js';
import type { App } from '../../http/types.js';
import type { Services } from '../../services.js';

const problem = { $ref: 'Problem#' } as const;
const errors = { 400: problem, 401: problem, 403: problem, 404: problem };
const Published = Type.Object({ id: Type.String(), version: Type.Integer() });
const KeyParams = Type.Object({ key: Type.String({ pattern: '^[a-z][a-z0-9-]{0,63}$' }) });

/** The console's Journeys pages: list, builder, publish, pause/resume, ready journeys, dead letters. */
export default async function journeyRoutes(
  app: App,
  { journeys, restrictions }: Services,
): Promise<void> {
  const editor = (request: Parameters<typeof contextOf>[0]) => {
    const { actor } = contextOf(request);
    return { orgId: actor.orgId, userId: actor.userId };
  };

  app.get(
    '/api/journeys',
    {
      config: { policy: { permission: 'journey:read' } },
      schema: {
        tags: ['journeys'],
        summary: 'Journeys with their status, published version and enrolment counts',
        response: { 200: Type.Array(JourneySummary), ...errors },
      },
    },
    (request) => journeys.list(contextOf(request).actor.orgId),
  );

  app.get(
    '/api/journeys/ready',
    {
      config: { policy: { permission: 'journey:read' } },
      schema: {
        tags: ['journeys'],
        summary: 'The ready care journeys shipped with Careloop, and whether each is enabled',
        response: { 200: Type.Array(ReadyJourney), ...errors },
      },
    },
    (request) => journeys.listReady(contextOf(request).actor.orgId),
  );

  app.post(
    '/api/journeys/ready/:key/enable',
    {
      config: { policy: { permission: 'journey:write' } },
      schema: {
        tags: ['journeys'],
        summary: 'Enable a ready journey for this organization (installed and published)',
        params: KeyParams,
        response: { 200: Type.Object({ id: Type.String() }), ...errors },
      },
    },
    async (request) => ({ id: await journeys.enableReady(editor(request), request.params.key) }),
  );

  app.post(
    '/api/journeys',
    {
      config: { policy: { permission: 'journey:write' } },
      schema: {
        tags: ['journeys'],
        summary: 'Save a journey definition as a draft (by its key: created or replaced)',
        body: JourneyDraftBody,
        response: { 200: Type.Object({ id: Type.String() }), ...errors },
      },
    },
    async (request) => ({
      id: await journeys.saveDraft(editor(request), request.body.definition),
    }),
  );

  app.get(
    '/api/journeys/dead-letters',
    {
      config: { policy: { permission: 'journey:write' } },
      schema: {
        tags: ['journeys'],
        summary: 'Enrolments whose step failed past its retries (each an audited read)',
        response: { 200: Type.Array(DeadLetter), ...errors },
      },
    },
    (request) => journeys.deadLetters(contextOf(request)),
  );

  app.post(
    '/api/journeys/enrolments/:id/retry',
    {
      config: { policy: { permission: 'journey:write' } },
      schema: {
        tags: ['journeys'],
        summary: 'Put a failed enrolment back to work where it failed',
        params: IdParams,
        response: { 204: Type.Null(), ...errors },
      },
    },
    async (request, reply) => {
      await journeys.retry(contextOf(request), request.params.id);
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/api/journeys/:id',
    {
      config: { policy: { permission: 'journey:read' } },
      schema: {
        tags: ['journeys'],
        summary: 'A journey: draft, published graph and per-node counts of its enrolments',
        params: IdParams,
        response: { 200: JourneyDetail, ...errors },
      },
    },
    (request) => journeys.detail(contextOf(request).actor.orgId, request.params.id),
  );

  app.put(
    '/api/journeys/:id/draft',
    {
      config: { policy: { permission: 'journey:write' } },
      schema: {
        tags: ['journeys'],
        summary: 'Save the draft of a journey (validated: schema and graph)',
        params: IdParams,
        body: JourneyDraftBody,
        response: { 204: Type.Null(), ...errors },
      },
    },
    async (request, reply) => {
      await journeys.updateDraft(editor(request), request.params.id, request.body.definition);
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/api/journeys/:id/publish',
    {
      config: { policy: { permission: 'journey:write' } },
      schema: {
        tags: ['journeys'],
        summary: 'Publish the draft as the next version; running enrolments keep theirs',
        params: IdParams,
        response: { 200: Published, ...errors },
      },
    },
    async (request) => ({
      id: request.params.id,
      version: await journeys.publish(editor(request), request.params.id),
    }),
  );

  app.post(
    '/api/journeys/:id/enrolments',
    {
      config: { policy: { permission: 'journey:write' } },
      schema: {
        tags: ['journeys'],
        summary: 'Enrol a patient by hand (manual or API enrolment); audited',
        params: IdParams,
        body: Type.Object(
          { patientId: Type.String({ format: 'uuid' }) },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({ id: Type.String() }),
          ...errors,
          409: problem,
          422: problem,
        },
      },
    },
    async (request) => {
      const ctx = contextOf(request);
      await restrictions.guard(ctx, [request.body.patientId], 'journey-enrolment');
      return { id: await journeys.enrolManually(ctx, request.params.id, request.body.patientId) };
    },
  );

  for (const action of ['pause', 'resume'] as const) {
    app.post(
      `/api/journeys/:id/${action}`,
      {
        config: { policy: { permission: 'journey:write' } },
        schema: {
          tags: ['journeys'],
          summary:
            action === 'pause'
              ? 'Pause a journey: no step moves until it resumes'
              : 'Resume a paused journey; steps past their window are recorded as expired',
          params: IdParams,
          response: { 204: Type.Null(), ...errors },
        },
      },
      async (request, reply) => {
        if (action === 'pause') await journeys.pause(editor(request), request.params.id);
        else await journeys.resume(editor(request), request.params.id);
        return reply.status(204).send(null);
      },
    );
  }
}
