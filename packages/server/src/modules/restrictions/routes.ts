import {
  BreakGlassGrant,
  BreakGlassReport,
  BreakGlassReportQuery,
  BreakGlassRequest,
  CareTeamAccess,
  CareTeamAdd,
  CareTeamMemberParams,
  IdParams,
  PatientAccess,
  RestrictionUpdate,
} from '@careloop/core';
import { contextOf } from '../../http/actor.js';
import type { App } from '../../http/types.js';
import type { Services } from '../../services.js';

const problem = { $ref: 'Problem#' } as const;
const errors = { 400: problem, 401: problem, 403: problem, 404: problem, 409: problem };
const tags = ['restricted records'];

export default async function restrictionRoutes(
  app: App,
  { restrictions }: Services,
): Promise<void> {
  app.get(
    '/api/patients/:id/access',
    {
      config: { policy: { permission: 'patient:read' } },
      schema: {
        tags,
        summary: "Whether you may open a patient's record, may break the glass, or manage it",
        params: IdParams,
        response: { 200: PatientAccess, ...errors },
      },
    },
    (request) => restrictions.access(contextOf(request), request.params.id),
  );

  app.post(
    '/api/patients/:id/break-glass',
    {
      // Clinical access: the front desk, marketing and analytics never break the glass.
      config: { policy: { permission: 'clinical:read' } },
      schema: {
        tags,
        summary:
          'Open a restricted record with a stated reason: audited, time-limited, privacy officers told',
        params: IdParams,
        body: BreakGlassRequest,
        response: { 200: BreakGlassGrant, ...errors },
      },
    },
    (request) =>
      restrictions.breakGlass(contextOf(request), request.params.id, request.body.reason),
  );

  app.put(
    '/api/patients/:id/restriction',
    {
      config: { policy: { permission: 'restriction:manage' } },
      schema: {
        tags,
        summary: 'Mark a patient confidential, VIP or employee, or clear it (kind: null)',
        params: IdParams,
        body: RestrictionUpdate,
        response: { 200: PatientAccess, ...errors },
      },
    },
    (request) =>
      restrictions.setRestriction(contextOf(request), request.params.id, request.body.kind),
  );

  app.get(
    '/api/patients/:id/care-team',
    {
      config: { policy: { permission: 'restriction:manage' } },
      schema: {
        tags,
        summary: 'The users who may open this patient’s record when it is restricted',
        params: IdParams,
        response: { 200: CareTeamAccess, ...errors },
      },
    },
    (request) => restrictions.careTeam(contextOf(request), request.params.id),
  );

  app.post(
    '/api/patients/:id/care-team',
    {
      config: { policy: { permission: 'restriction:manage' } },
      schema: {
        tags,
        summary: 'Add a staff user to the patient’s care team',
        params: IdParams,
        body: CareTeamAdd,
        response: { 200: CareTeamAccess, ...errors },
      },
    },
    (request) =>
      restrictions.addToCareTeam(contextOf(request), request.params.id, request.body.userId),
  );

  app.delete(
    '/api/patients/:id/care-team/:userId',
    {
      config: { policy: { permission: 'restriction:manage' } },
      schema: {
        tags,
        summary: 'Remove a user from the patient’s care team',
        params: CareTeamMemberParams,
        response: { 200: CareTeamAccess, ...errors },
      },
    },
    (request) =>
      restrictions.removeFromCareTeam(contextOf(request), request.params.id, request.params.userId),
  );

  app.get(
    '/api/break-glass',
    {
      config: { policy: { permission: 'restriction:manage' } },
      schema: {
        tags,
        summary: 'The break-glass report: who opened which restricted record, why, until when',
        querystring: BreakGlassReportQuery,
        response: { 200: BreakGlassReport, ...errors },
      },
    },
    (request) => restrictions.report(contextOf(request), request.query),
  );
}
