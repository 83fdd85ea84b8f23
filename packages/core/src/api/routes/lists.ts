import { Type } from 'typebox';
import {
  PatientListChange,
  PatientListItem,
  PatientListMemberAdd,
  PatientListMemberParams,
  PatientListMembers,
  PatientListMembersQuery,
  PatientListNew,
} from '../../lists/api.js';
import { IdParams } from '../common.js';
import { route } from '../contract.js';

const read = { permission: 'list:read' } as const;
const write = { permission: 'list:write' } as const;
const tags = ['lists'] as const;

/** Issue 11 (h11l): patient lists and their members (docs/adr/0040). */
export const listRoutes = {
  list: route({
    method: 'GET',
    path: '/api/lists',
    policy: read,
    tags,
    summary: 'The organization’s patient lists with their sizes (no patient data)',
    reply: Type.Array(PatientListItem),
  }),
  // A list made by hand (front-desk staff keep their own lists).
  create: route({
    method: 'POST',
    path: '/api/lists',
    policy: write,
    tags,
    summary: 'Make an empty patient list by hand (audited)',
    body: PatientListNew,
    reply: PatientListItem,
    status: 201,
  }),
  members: route({
    method: 'GET',
    path: '/api/lists/:id/members',
    policy: read,
    tags,
    summary: 'A list’s members, newest first, a page at a time (audited; restricted by name only)',
    params: IdParams,
    query: PatientListMembersQuery,
    reply: PatientListMembers,
  }),
  addMember: route({
    method: 'POST',
    path: '/api/lists/:id/members',
    policy: write,
    tags,
    summary: 'Add a patient to a list (a no-op when already there); journeys on the list start',
    params: IdParams,
    body: PatientListMemberAdd,
    reply: PatientListChange,
  }),
  removeMember: route({
    method: 'DELETE',
    path: '/api/lists/:id/members/:patientId',
    policy: write,
    tags,
    summary: 'Remove a patient from a list (a no-op when not there)',
    params: PatientListMemberParams,
    reply: PatientListChange,
  }),
};
