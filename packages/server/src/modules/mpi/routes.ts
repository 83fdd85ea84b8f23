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

export default async function mpiRoutes(app: App, { mpi, restrictions }: Services): Promise<void> {
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
    async (request) => {
      const ctx = contextOf(request);
      const page = await mpi.listReviews(ctx, request.query);
      // A possible duplicate involving a restricted record the reviewer may not open waits for
      // its care team (or a reviewer who broke the glass): both sides are detail.
      const hidden = await restrictions.hiddenAmong(
        ctx.actor,
        page.items.flatMap((i) => [i.incoming.patientId, i.candidate.patientId]),
      );
      if (hidden.size === 0) return page;
      return {
        ...page,
        items: page.items.filter(
          (i) => !hidden.has(i.incoming.patientId) && !hidden.has(i.candidate.patientId),
        ),
      };
    },
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
    async (request) => {
      const ctx = contextOf(request);
      await restrictions.guardRecord(ctx, 'mpi-review', request.params.id);
      return mpi.getReview(ctx, request.params.id);
    },
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
    async (request) => {
      const ctx = contextOf(request);
      await restrictions.guardRecord(ctx, 'mpi-review', request.params.id);
      return mpi.decide(ctx, request.params.id, request.body);
    },
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
    async (request) => {
      const ctx = contextOf(request);
      await restrictions.guard(ctx, [request.params.id], 'patient-sources');
      return mpi.sources(ctx, request.params.id);
    },
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
    async (request) => {
      const ctx = contextOf(request);
      await restrictions.guard(ctx, [request.params.id, request.body.mergedId], 'patient-merge');
      return mpi.merge(ctx, request.params.id, request.body);
    },
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
    async (request) => {
      const ctx = contextOf(request);
      await restrictions.guardRecord(ctx, 'patient-merge', request.params.id);
      return mpi.unmerge(ctx, request.params.id, request.body.reason?.trim() || null);
    },
  );
}
