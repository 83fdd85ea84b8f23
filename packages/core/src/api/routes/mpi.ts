import { IdParams } from '../common.js';
import { route } from '../contract.js';
import {
  MergeRequest,
  MergeSummary,
  PatientSources,
  ReviewCount,
  ReviewDecision,
  ReviewItem,
  ReviewListQuery,
  ReviewPage,
  UnmergeRequest,
} from '../mpi.js';

const tags = ['master patient index'] as const;

/** The master patient index: the review queue, sources, merge and unmerge. */
export const mpiRoutes = {
  reviews: route({
    method: 'GET',
    path: '/api/mpi/reviews',
    policy: { permission: 'patient:merge' },
    tags,
    summary: 'Possible duplicates waiting for review, oldest first',
    query: ReviewListQuery,
    reply: ReviewPage,
  }),
  reviewCount: route({
    method: 'GET',
    path: '/api/mpi/reviews/count',
    policy: { permission: 'patient:merge' },
    tags,
    summary: 'How many possible duplicates wait for review (a number, no patient data)',
    reply: ReviewCount,
  }),
  review: route({
    method: 'GET',
    path: '/api/mpi/reviews/:id',
    policy: { permission: 'patient:merge' },
    tags,
    summary: 'One possible duplicate, both records side by side with the field comparison',
    params: IdParams,
    reply: ReviewItem,
  }),
  decide: route({
    method: 'POST',
    path: '/api/mpi/reviews/:id/decision',
    policy: { permission: 'patient:merge' },
    tags,
    summary: 'Same person (merge) or different people; 409 when already decided',
    params: IdParams,
    body: ReviewDecision,
    reply: ReviewItem,
  }),
  sources: route({
    method: 'GET',
    path: '/api/patients/:id/sources',
    policy: { permission: 'patient:read' },
    tags,
    summary: 'Where each golden-record field came from, the linked source records, merges',
    params: IdParams,
    reply: PatientSources,
  }),
  merge: route({
    method: 'POST',
    path: '/api/patients/:id/merge',
    policy: { permission: 'patient:merge' },
    tags,
    summary: 'Fold a duplicate (mergedId) into this golden record',
    params: IdParams,
    body: MergeRequest,
    reply: MergeSummary,
  }),
  unmerge: route({
    method: 'POST',
    path: '/api/mpi/merges/:id/unmerge',
    policy: { permission: 'patient:merge' },
    tags,
    summary: 'Undo a merge; 409 when already undone',
    params: IdParams,
    body: UnmergeRequest,
    reply: MergeSummary,
  }),
};
