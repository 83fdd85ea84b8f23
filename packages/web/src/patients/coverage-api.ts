import type {
  CareTeamMemberInput,
  CoverageInput,
  CoverageList,
  CoverageRecord,
  CoverageUpdate,
  Practitioner,
} from '@careloop/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../api/client';
import type { CursorPage } from '../api/cursor-list';
import { patientKeys } from './api';

const coverageKey = (id: string) => [...patientKeys.one(id), 'coverages'] as const;
const path = (id: string) => `/api/patients/${encodeURIComponent(id)}`;

/** The patient's coverage with subscribers (ids null for roles that may not read them). */
export function useCoverages(patientId: string) {
  return useQuery({
    queryKey: coverageKey(patientId),
    queryFn: () => api.get<CoverageList>(`${path(patientId)}/coverages`),
    select: (list) => list.items,
  });
}

/** Adds (no id) or changes (an id) a coverage; the 360 view and the list follow. */
export function useSaveCoverage(patientId: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ id, body }: { id: string | null; body: CoverageInput | CoverageUpdate }) =>
      id
        ? api.patch<CoverageRecord>(`${path(patientId)}/coverages/${encodeURIComponent(id)}`, body)
        : api.post<CoverageRecord>(`${path(patientId)}/coverages`, body),
    onSuccess: () => client.invalidateQueries({ queryKey: patientKeys.one(patientId) }),
  });
}

export function useAddCareTeamMember(patientId: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: CareTeamMemberInput) =>
      api.post<null>(`${path(patientId)}/care-team-members`, body),
    onSuccess: () => client.invalidateQueries({ queryKey: patientKeys.one(patientId) }),
  });
}

export function useRemoveCareTeamMember(patientId: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (memberId: string) =>
      api.delete<null>(`${path(patientId)}/care-team-members/${encodeURIComponent(memberId)}`),
    onSuccess: () => client.invalidateQueries({ queryKey: patientKeys.one(patientId) }),
  });
}

/** Active practitioners, for the care-team picker (one page is plenty). */
export function usePractitioners() {
  return useQuery({
    queryKey: ['practitioners', 'active'],
    queryFn: () =>
      api.get<CursorPage<Practitioner>>('/api/practitioners', { active: true, limit: 200 }),
    select: (page) => page.items,
    staleTime: 5 * 60_000,
  });
}
