import {
  IdParams,
  MergeRequest,
  MergeSummary,
  PatientSources,
  ReviewCount,
  ReviewDecision,
  ReviewItem,
  ReviewListQuery,
  ReviewPage,
  UnmergeRequest,
} from '@careloop/core';
import { contextOf } from '../../http/actor.js';
import type { App } from '../../http/types.js';
import type { Services } from '../../services.js';

const problem = { $ref: 'Problem#' } as const;
const errors = { 400: problem, 401: problem, 403: problem, 404: problem, 409: problem };
const tags = ['master patient index'];

export default async function mpiRoutes(app: App, { mpi }: Services): Promise<void> {
  app.get(
    '/api/mpi/reviews',
    {
      config: { policy: { permission: 'patient:merge' } },
      schema: {
        tags,
        summary: 'Possible duplicates waiting for review, oldest first',
        querystring: ReviewListQuery,
        response: { 200: ReviewPage, ...errors },
      },
    },
    (request) => mpi.listReviews(contextOf(request), request.query),
  );

  app.get(
    '/api/mpi/reviews/count',
    {
      config: { policy: { permission: 'patient:merge' } },
      schema: {
        tags,
        summary: 'How many possible duplicates wait for review (a number, no patient data)',
        response: { 200: ReviewCount, ...errors },
      },
    },
    (request) => mpi.countOpenReviews(contextOf(request)),
  );

  app.get(
    '/api/mpi/reviews/:id',
    {
      config: { policy: { permission: 'patient:merge' } },
      schema: {
        tags,
        summary: 'One possible duplicate, both records side by side with the field comparison',
        params: IdParams,
        response: { 200: ReviewItem, ...errors },
      },
    },
    (request) => mpi.getReview(contextOf(request), request.params.id),
  );

  app.post(
    '/api/mpi/reviews/:id/decision',
    {
      config: { policy: { permission: 'patient:merge' } },
      schema: {
        tags,
        summary: 'Same person (merge) or different people; 409 when already decided',
        params: IdParams,
        body: ReviewDecision,
        response: { 200: ReviewItem, ...errors },
      },
    },
    (request) => mpi.decide(contextOf(request), request.params.id, request.body),
  );

  app.get(
    '/api/patients/:id/sources',
    {
      config: { policy: { permission: 'patient:read' } },
      schema: {
        tags,
        summary: 'Where each golden-record field came from, the linked source records, merges',
        params: IdParams,
        response: { 200: PatientSources, ...errors },
      },
    },
    (request) => mpi.sources(contextOf(request), request.params.id),
  );

  app.post(
    '/api/patients/:id/merge',
    {
      config: { policy: { permission: 'patient:merge' } },
      schema: {
        tags,
        summary: 'Fold a duplicate (mergedId) into this golden record',
        params: IdParams,
        body: MergeRequest,
        response: { 200: MergeSummary, ...errors },
      },
    },
    (request) => mpi.merge(contextOf(request), request.params.id, request.body),
  );

  app.post(
    '/api/mpi/merges/:id/unmerge',
    {
      config: { policy: { permission: 'patient:merge' } },
      schema: {
        tags,
        summary: 'Undo a merge; 409 when already undone',
        params: IdParams,
        body: UnmergeRequest,
        response: { 200: MergeSummary, ...errors },
      },
    },
    (request) =>
      mpi.unmerge(contextOf(request), request.params.id, request.body.reason?.trim() || null),
  );
}
