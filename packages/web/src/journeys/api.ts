import type { DeadLetter, JourneyDetail, JourneySummary, ReadyJourney } from '@careloop/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../api/client';

const keys = { all: ['journeys'] as const };

export function useJourneys() {
  return useQuery({
    queryKey: [...keys.all, 'list'],
    queryFn: () => api.get<JourneySummary[]>('/api/journeys'),
  });
}

export function useReadyJourneys() {
  return useQuery({
    queryKey: [...keys.all, 'ready'],
    queryFn: () => api.get<ReadyJourney[]>('/api/journeys/ready'),
  });
}

export function useJourney(id: string) {
  return useQuery({
    queryKey: [...keys.all, 'one', id],
    queryFn: () => api.get<JourneyDetail>(`/api/journeys/${encodeURIComponent(id)}`),
    // Live counts while the page is open.
    refetchInterval: 10_000,
  });
}

export function useDeadLetters() {
  return useQuery({
    queryKey: [...keys.all, 'dead-letters'],
    queryFn: () => api.get<DeadLetter[]>('/api/journeys/dead-letters'),
  });
}

/** Every journey mutation refreshes every journey query. */
function useJourneyMutation<V>(fn: (vars: V) => Promise<unknown>) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: fn,
    onSuccess: () => client.invalidateQueries({ queryKey: keys.all }),
  });
}

export const useEnableReady = () =>
  useJourneyMutation((key: string) =>
    api.post<{ id: string }>(`/api/journeys/ready/${encodeURIComponent(key)}/enable`),
  );

export const useSaveDraft = (id: string) =>
  useJourneyMutation((definition: unknown) =>
    api.put<null>(`/api/journeys/${encodeURIComponent(id)}/draft`, { definition }),
  );

export const useJourneyAction = (id: string) =>
  useJourneyMutation((action: 'publish' | 'pause' | 'resume') =>
    api.post<unknown>(`/api/journeys/${encodeURIComponent(id)}/${action}`),
  );

export const useRetryEnrolment = () =>
  useJourneyMutation((enrolmentId: string) =>
    api.post<null>(`/api/journeys/enrolments/${encodeURIComponent(enrolmentId)}/retry`),
  );
