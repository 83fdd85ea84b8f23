import {
  type MergeRequest,
  type ReviewDecision,
  type ReviewStatus,
  routes,
  type UnmergeRequest,
} from '@careloop/core';
import { type QueryClient, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, isApiError } from '../api/client';
import { useRouteList } from '../api/cursor-list';
import { patientKeys } from '../patients/api';

export const mpiKeys = {
  all: ['mpi'] as const,
  reviews: ['mpi', 'reviews'] as const,
  // Under `all`, so a decision, merge or unmerge refreshes it with the queue.
  openCount: ['mpi', 'open-count'] as const,
  review: (id: string) => ['mpi', 'review', id] as const,
  // Under the patient's key, so whatever refreshes the patient refreshes its provenance too.
  sources: (patientId: string) => [...patientKeys.one(patientId), 'sources'] as const,
};

const m = routes.mpi;

export function useReviewList(status: ReviewStatus) {
  return useRouteList(mpiKeys.reviews, m.reviews, { query: { status, limit: 25 } });
}

/**
 * How many possible duplicates wait for review, for the navigation's badge: refreshed every
 * minute (new ones arrive from feeds and imports) and after any decision.
 */
export function useOpenReviewCount(enabled: boolean) {
  return useQuery({
    queryKey: mpiKeys.openCount,
    queryFn: () => api.call(m.reviewCount),
    enabled,
    refetchInterval: 60_000,
  });
}

export function useReview(id: string) {
  return useQuery({
    queryKey: mpiKeys.review(id),
    queryFn: () => api.call(m.review, { params: { id } }),
  });
}

export function usePatientSources(patientId: string, enabled = true) {
  return useQuery({
    queryKey: mpiKeys.sources(patientId),
    queryFn: () => api.call(m.sources, { params: { id: patientId } }),
    enabled: enabled && patientId !== '',
  });
}

/** A merge or unmerge moves rows between records: every patient view and queue may be stale. */
function afterIdentityChange(client: QueryClient): void {
  void client.invalidateQueries({ queryKey: patientKeys.all });
  void client.invalidateQueries({ queryKey: mpiKeys.all });
}

export function useDecideReview(id: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: ReviewDecision) => api.call(m.decide, { params: { id }, body }),
    onSuccess: (decided) => {
      client.setQueryData(mpiKeys.review(id), decided);
      afterIdentityChange(client);
    },
    onError: (error) => {
      // Decided elsewhere meanwhile: show what was decided instead of the stale pair.
      if (isApiError(error) && error.status === 409) {
        void client.invalidateQueries({ queryKey: mpiKeys.all });
      }
    },
  });
}

/** Folds the duplicate `mergedId` into the patient `survivorId`. */
export function useMergePatient(survivorId: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: MergeRequest) => api.call(m.merge, { params: { id: survivorId }, body }),
    onSuccess: () => afterIdentityChange(client),
  });
}

export function useUnmerge() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ mergeId, ...body }: UnmergeRequest & { mergeId: string }) =>
      api.call(m.unmerge, { params: { id: mergeId }, body }),
    onSuccess: () => afterIdentityChange(client),
    onError: (error) => {
      // Undone elsewhere meanwhile: refresh so the history shows it.
      if (isApiError(error) && error.status === 409) afterIdentityChange(client);
    },
  });
}
