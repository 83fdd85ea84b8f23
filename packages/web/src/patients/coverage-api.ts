import { type CareTeamMemberInput, type CoverageInput, routes } from '@careloop/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../api/client';
import { patientKeys } from './api';

const coverageKey = (id: string) => [...patientKeys.one(id), 'coverages'] as const;

/** The patient's coverage with subscribers (ids null for roles that may not read them). */
export function useCoverages(patientId: string) {
  return useQuery({
    queryKey: coverageKey(patientId),
    queryFn: () => api.call(routes.patients.coverages, { params: { id: patientId } }),
    select: (list) => list.items,
  });
}

/** Adds (no id) or changes (an id) a coverage; the 360 view and the list follow. */
export function useSaveCoverage(patientId: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ id, body }: { id: string | null; body: CoverageInput }) =>
      id
        ? api.call(routes.patients.updateCoverage, {
            params: { id: patientId, coverageId: id },
            body,
          })
        : api.call(routes.patients.addCoverage, { params: { id: patientId }, body }),
    onSuccess: () => client.invalidateQueries({ queryKey: patientKeys.one(patientId) }),
  });
}

export function useAddCareTeamMember(patientId: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: CareTeamMemberInput) =>
      api.call(routes.patients.addCareTeamMember, { params: { id: patientId }, body }),
    onSuccess: () => client.invalidateQueries({ queryKey: patientKeys.one(patientId) }),
  });
}

export function useRemoveCareTeamMember(patientId: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (memberId: string) =>
      api.call(routes.patients.removeCareTeamMember, { params: { id: patientId, memberId } }),
    onSuccess: () => client.invalidateQueries({ queryKey: patientKeys.one(patientId) }),
  });
}

/** Active practitioners, for the care-team picker (one page is plenty). */
export function usePractitioners() {
  return useQuery({
    queryKey: ['practitioners', 'active'],
    queryFn: () =>
      api.call(routes.directory.practitioners, { query: { active: true, limit: 200 } }),
    select: (page) => page.items,
    staleTime: 5 * 60_000,
  });
}
