import {
  DrillDownQuery,
  DrillDownResult,
  DrillDownTasks,
  IdParams,
  JourneyMap,
  JourneyMapQuery,
  JourneyMapSettings,
  PatientJourney,
  PatientListCreate,
  PatientListSummary,
} from '@careloop/core';
import { Type } from 'typebox';
import { contextOf } from '../../http/actor.js';
import type { App } from '../../http/types.js';
import type { Services } from '../../services.js';

const problem = { $ref: 'Problem#' } as const;
const errors = { 400: problem, 401: problem, 403: problem, 404: problem };

export default async function journeyMapRoutes(
  app: App,
  { journeyMap, restrictions, tasks }: Services,
): Promise<void> {
  app.get(
    '/api/journey-map/settings',
    {
      config: { policy: { permission: 'journey-map:read' } },
      schema: {
        tags: ['journey-map'],
        summary: 'Stages, the mapping of touchpoints to stages, journey definitions, threshold',
        response: { 200: JourneyMapSettings, ...errors },
      },
    },
    async (request) => journeyMap.settings(contextOf(request).actor.orgId),
  );

  app.put(
    '/api/journey-map/settings',
    {
      config: { policy: { permission: 'journey-map:configure' } },
      schema: {
        tags: ['journey-map'],
        summary: 'Replace the stage taxonomy, mapping, definitions and small-cell threshold',
        body: JourneyMapSettings,
        response: { 200: JourneyMapSettings, ...errors },
      },
    },
    async (request) => journeyMap.saveSettings(contextOf(request), request.body),
  );

  app.get(
    '/api/journey-map',
    {
      config: { policy: { permission: 'journey-map:read' } },
      schema: {
        tags: ['journey-map'],
        summary: 'The journey map of a cohort: Sankey, funnel, waits, channel mix, pain points',
        querystring: JourneyMapQuery,
        response: { 200: JourneyMap, ...errors },
      },
    },
    async (request) => journeyMap.map(contextOf(request), request.query),
  );

  app.get(
    '/api/journey-map/drill-down',
    {
      config: { policy: { permission: 'journey-map:drill-down' } },
      schema: {
        tags: ['journey-map'],
        summary: 'The patients behind a pain point (audited)',
        querystring: DrillDownQuery,
        response: { 200: DrillDownResult, ...errors },
      },
    },
    async (request) => {
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
    },
  );

  app.post(
    '/api/journey-map/lists',
    {
      config: { policy: { permission: 'journey-map:drill-down' } },
      schema: {
        tags: ['journey-map'],
        summary: 'Save patients from a drill-down as a static list',
        body: PatientListCreate,
        response: { 200: PatientListSummary, ...errors },
      },
    },
    async (request) => journeyMap.createList(contextOf(request), request.body, 'journey-map'),
  );

  app.post(
    '/api/journey-map/tasks',
    {
      config: { policy: { permission: 'task:write' } },
      schema: {
        tags: ['journey-map'],
        summary: 'A task for each patient of a drill-down (restricted ones are skipped)',
        body: DrillDownTasks,
        response: {
          200: Type.Object({ created: Type.Integer(), skipped: Type.Integer() }),
          ...errors,
        },
      },
    },
    async (request) => {
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
    },
  );

  app.get(
    '/api/patients/:id/journey',
    {
      config: { policy: { permission: 'patient:read' } },
      schema: {
        tags: ['journey-map'],
        summary: "The patient's journey: touchpoints by stage, waits, standing per definition",
        params: IdParams,
        response: { 200: PatientJourney, ...errors },
      },
    },
    async (request) => {
      const ctx = contextOf(request);
      await restrictions.guard(ctx, [request.params.id], 'journey');
      return journeyMap.patientJourney(ctx, request.params.id);
    },
  );
}
