import { Type } from 'typebox';
import {
  DeadLetter,
  JourneyDetail,
  JourneyDraftBody,
  JourneySummary,
  ReadyJourney,
} from '../../journeys/api.js';
import { IdParams } from '../common.js';
import { route } from '../contract.js';

const read = { permission: 'journey:read' } as const;
const write = { permission: 'journey:write' } as const;
const tags = ['journeys'] as const;
const Created = Type.Object({ id: Type.String() });
const KeyParams = Type.Object({ key: Type.String({ pattern: '^[a-z][a-z0-9-]{0,63}$' }) });

/** The console's Journeys pages: list, builder, publish, pause/resume, ready journeys, dead letters. */
export const journeyRoutes = {
  list: route({
    method: 'GET',
    path: '/api/journeys',
    policy: read,
    tags,
    summary: 'Journeys with their status, published version and enrolment counts',
    reply: Type.Array(JourneySummary),
  }),
  ready: route({
    method: 'GET',
    path: '/api/journeys/ready',
    policy: read,
    tags,
    summary: 'The ready care journeys shipped with Careloop, and whether each is enabled',
    reply: Type.Array(ReadyJourney),
  }),
  enableReady: route({
    method: 'POST',
    path: '/api/journeys/ready/:key/enable',
    policy: write,
    tags,
    summary: 'Enable a ready journey for this organization (installed and published)',
    params: KeyParams,
    reply: Created,
  }),
  create: route({
    method: 'POST',
    path: '/api/journeys',
    policy: write,
    tags,
    summary: 'Save a journey definition as a draft (by its key: created or replaced)',
    body: JourneyDraftBody,
    reply: Created,
  }),
  deadLetters: route({
    method: 'GET',
    path: '/api/journeys/dead-letters',
    policy: write,
    tags,
    summary: 'Enrolments whose step failed past its retries (each an audited read)',
    reply: Type.Array(DeadLetter),
  }),
  retry: route({
    method: 'POST',
    path: '/api/journeys/enrolments/:id/retry',
    policy: write,
    tags,
    summary: 'Put a failed enrolment back to work where it failed',
    params: IdParams,
    reply: Type.Null(),
    status: 204,
  }),
  get: route({
    method: 'GET',
    path: '/api/journeys/:id',
    policy: read,
    tags,
    summary: 'A journey: draft, published graph and per-node counts of its enrolments',
    params: IdParams,
    reply: JourneyDetail,
  }),
  saveDraft: route({
    method: 'PUT',
    path: '/api/journeys/:id/draft',
    policy: write,
    tags,
    summary: 'Save the draft of a journey (validated: schema and graph)',
    params: IdParams,
    body: JourneyDraftBody,
    reply: Type.Null(),
    status: 204,
  }),
  publish: route({
    method: 'POST',
    path: '/api/journeys/:id/publish',
    policy: write,
    tags,
    summary: 'Publish the draft as the next version; running enrolments keep theirs',
    params: IdParams,
    reply: Type.Object({ id: Type.String(), version: Type.Integer() }),
  }),
  enrol: route({
    method: 'POST',
    path: '/api/journeys/:id/enrolments',
    // Issue 11 (h11j): coordinators enrol (admins too), not only journey editors.
    policy: { permission: 'journey:enrol' },
    tags,
    summary: 'Enrol a patient by hand (manual or API enrolment); audited',
    params: IdParams,
    body: Type.Object(
      { patientId: Type.String({ format: 'uuid' }) },
      { additionalProperties: false },
    ),
    reply: Created,
  }),
  pause: route({
    method: 'POST',
    path: '/api/journeys/:id/pause',
    policy: write,
    tags,
    summary: 'Pause a journey: no step moves until it resumes',
    params: IdParams,
    reply: Type.Null(),
    status: 204,
  }),
  resume: route({
    method: 'POST',
    path: '/api/journeys/:id/resume',
    policy: write,
    tags,
    summary: 'Resume a paused journey; steps past their window are recorded as expired',
    params: IdParams,
    reply: Type.Null(),
    status: 204,
  }),
};
