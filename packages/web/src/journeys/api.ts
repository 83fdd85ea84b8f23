import { routes } from '@careloop/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../api/client';

const keys = { all: ['journeys'] as const };

export function useJourneys() {
  return useQuery({
    queryKey: [...keys.all, 'list'],
    queryFn: () => api.call(routes.journeys.list),
  });
}

export function useReadyJourneys() {
  return useQuery({
    queryKey: [...keys.all, 'ready'],
    queryFn: () => api.call(routes.journeys.ready),
  });
}

export function useJourney(id: string) {
  return useQuery({
    queryKey: [...keys.all, 'one', id],
    queryFn: () => api.call(routes.journeys.get, { params: { id } }),
    // Live counts while the page is open.
    refetchInterval: 10_000,
  });
}

export function useDeadLetters() {
  return useQuery({
    queryKey: [...keys.all, 'dead-letters'],
    queryFn: () => api.call(routes.journeys.deadLetters),
  });
}

/** Every journey mutation refreshes every journey query. */
function useJourneyMutation<V, R = unknown>(fn: (vars: V) => Promise<R>) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: fn,
    onSuccess: () => client.invalidateQueries({ queryKey: keys.all }),
  });
}

export const useEnableReady = () =>
  useJourneyMutation((key: string) => api.call(routes.journeys.enableReady, { params: { key } }));

export const useSaveDraft = (id: string) =>
  useJourneyMutation((definition: unknown) =>
    api.call(routes.journeys.saveDraft, { params: { id }, body: { definition } }),
  );

export const useJourneyAction = (id: string) =>
  useJourneyMutation((action: 'publish' | 'pause' | 'resume') =>
    api.call(routes.journeys[action], { params: { id } }),
  );

export const useRetryEnrolment = () =>
  useJourneyMutation((enrolmentId: string) =>
    api.call(routes.journeys.retry, { params: { id: enrolmentId } }),
  );

// Issue 11 (h11b): a journey composed in the console starts as a draft.
export const useCreateJourney = () =>
  useJourneyMutation((definition: unknown) =>
    api.call(routes.journeys.create, { body: { definition } }),
  );
