import {
  CareTeamMemberInput,
  CareTeamParams,
  CoverageInput,
  CoverageList,
  CoverageParams,
  CoverageRecord,
  CoverageUpdate,
  IdParams,
} from '@careloop/core';
import { Type } from 'typebox';
import { contextOf } from '../../http/actor.js';
import type { App } from '../../http/types.js';
import type { Services } from '../../services.js';
import { PatientCoverageService } from './coverage.js';

const problem = { $ref: 'Problem#' } as const;
const errors = { 400: problem, 401: problem, 403: problem, 404: problem, 422: problem };
const read = { policy: { permission: 'patient:read' } } as const;
const write = { policy: { permission: 'patient:write' } } as const;
const tags = ['patients'];

/** Coverage and care team, kept by the front desk from the 360 page. */
export default async function coverageRoutes(
  app: App,
  { database, audit, restrictions }: Services,
): Promise<void> {
  const coverage = new PatientCoverageService(database, audit);

  app.get(
    '/api/patients/:id/coverages',
    {
      config: read,
      schema: {
        tags,
        summary: "The patient's coverage with subscribers (ids only for registration and billing)",
        params: IdParams,
        response: { 200: CoverageList, ...errors },
      },
    },
    async (request) => {
      const ctx = contextOf(request);
      await restrictions.guard(ctx, [request.params.id], 'coverage');
      return { items: await coverage.list(ctx, request.params.id) };
    },
  );

  app.post(
    '/api/patients/:id/coverages',
    {
      config: write,
      schema: {
        tags,
        summary: 'Add a coverage: payer, plan, member and group id, subscriber',
        params: IdParams,
        body: CoverageInput,
        response: { 200: CoverageRecord, ...errors },
      },
    },
    async (request) => {
      const ctx = contextOf(request);
      await restrictions.guard(ctx, [request.params.id], 'coverage');
      return coverage.add(ctx, request.params.id, request.body);
    },
  );

  app.patch(
    '/api/patients/:id/coverages/:coverageId',
    {
      config: write,
      schema: {
        tags,
        summary: 'Change a coverage (end it with status inactive and an end date)',
        params: CoverageParams,
        body: CoverageUpdate,
        response: { 200: CoverageRecord, ...errors },
      },
    },
    async (request) => {
      const ctx = contextOf(request);
      await restrictions.guard(ctx, [request.params.id], 'coverage');
      return coverage.update(ctx, request.params.id, request.params.coverageId, request.body);
    },
  );

  app.post(
    '/api/patients/:id/care-team-members',
    {
      config: write,
      schema: {
        tags,
        summary: 'Add a practitioner or a named person to the care team shown on the 360 page',
        params: IdParams,
        body: CareTeamMemberInput,
        response: { 204: Type.Null(), ...errors },
      },
    },
    async (request, reply) => {
      const ctx = contextOf(request);
      await restrictions.guard(ctx, [request.params.id], 'patient');
      await coverage.addCareTeamMember(ctx, request.params.id, request.body);
      return reply.status(204).send(null);
    },
  );

  app.delete(
    '/api/patients/:id/care-team-members/:memberId',
    {
      config: write,
      schema: {
        tags,
        summary: 'Remove a member from the care team shown on the 360 page',
        params: CareTeamParams,
        response: { 204: Type.Null(), ...errors },
      },
    },
    async (request, reply) => {
      const ctx = contextOf(request);
      await restrictions.guard(ctx, [request.params.id], 'patient');
      await coverage.removeCareTeamMember(ctx, request.params.id, request.params.memberId);
      return reply.status(204).send(null);
    },
  );
}
