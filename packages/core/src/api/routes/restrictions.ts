import { IdParams } from '../common.js';
import { route } from '../contract.js';
import {
  BreakGlassGrant,
  BreakGlassReport,
  BreakGlassReportQuery,
  BreakGlassRequest,
  CareTeamAccess,
  CareTeamAdd,
  CareTeamMemberParams,
  PatientAccess,
  RestrictionUpdate,
} from '../restrictions.js';

const manage = { permission: 'restriction:manage' } as const;
const tags = ['restricted records'] as const;

/** Restricted records (docs/adr/0012): access, break the glass, restriction, care team. */
export const restrictionRoutes = {
  access: route({
    method: 'GET',
    path: '/api/patients/:id/access',
    policy: { permission: 'patient:read' },
    tags,
    summary: "Whether you may open a patient's record, may break the glass, or manage it",
    params: IdParams,
    reply: PatientAccess,
  }),
  breakGlass: route({
    method: 'POST',
    path: '/api/patients/:id/break-glass',
    // Clinical access: the front desk, marketing and analytics never break the glass.
    policy: { permission: 'clinical:read' },
    tags,
    summary:
      'Open a restricted record with a stated reason: audited, time-limited, privacy officers told',
    params: IdParams,
    body: BreakGlassRequest,
    reply: BreakGlassGrant,
  }),
  setRestriction: route({
    method: 'PUT',
    path: '/api/patients/:id/restriction',
    policy: manage,
    tags,
    summary: 'Mark a patient confidential, VIP or employee, or clear it (kind: null)',
    params: IdParams,
    body: RestrictionUpdate,
    reply: PatientAccess,
  }),
  careTeam: route({
    method: 'GET',
    path: '/api/patients/:id/care-team',
    policy: manage,
    tags,
    summary: 'The users who may open this patient’s record when it is restricted',
    params: IdParams,
    reply: CareTeamAccess,
  }),
  addToCareTeam: route({
    method: 'POST',
    path: '/api/patients/:id/care-team',
    policy: manage,
    tags,
    summary: 'Add a staff user to the patient’s care team',
    params: IdParams,
    body: CareTeamAdd,
    reply: CareTeamAccess,
  }),
  removeFromCareTeam: route({
    method: 'DELETE',
    path: '/api/patients/:id/care-team/:userId',
    policy: manage,
    tags,
    summary: 'Remove a user from the patient’s care team',
    params: CareTeamMemberParams,
    reply: CareTeamAccess,
  }),
  report: route({
    method: 'GET',
    path: '/api/break-glass',
    policy: manage,
    tags,
    summary: 'The break-glass report: who opened which restricted record, why, until when',
    query: BreakGlassReportQuery,
    reply: BreakGlassReport,
  }),
};
