import {
  type BreakGlassGrant,
  type BreakGlassReportRow,
  type CareTeamAccess,
  type PatientAccess,
  type RestrictionKind,
  routes,
} from '@careloop/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../api/client';
import { useCursorList } from '../api/cursor-list';
import { patientKeys } from '../patients/api';

const path = (id: string) => `/api/patients/${encodeURIComponent(id)}`;

export const restrictionKeys = {
  access: (id: string) => ['patients', 'one', id, 'access'] as const,
  careTeam: (id: string) => ['patients', 'one', id, 'care-team-access'] as const,
  report: ['break-glass'] as const,
};

/** What the signed-in user may do with a patient's record (name only, whatever the answer). */
export function usePatientAccess(id: string) {
  return useQuery({
    queryKey: restrictionKeys.access(id),
    queryFn: () => api.get<PatientAccess>(`${path(id)}/access`),
  });
}

/** Everything about the patient reloads after a change of access: the 360 view, tabs, access. */
function useReloadPatient(id: string) {
  const client = useQueryClient();
  return () => client.invalidateQueries({ queryKey: patientKeys.one(id) });
}

export function useBreakGlass(id: string) {
  const reload = useReloadPatient(id);
  return useMutation({
    mutationFn: (reason: string) =>
      api.post<BreakGlassGrant>(`${path(id)}/break-glass`, { reason }),
    onSuccess: reload,
  });
}

export function useSetRestriction(id: string) {
  const reload = useReloadPatient(id);
  return useMutation({
    mutationFn: (kind: RestrictionKind | null) =>
      api.put<PatientAccess>(`${path(id)}/restriction`, { kind }),
    onSuccess: reload,
  });
}

export function useCareTeamAccess(id: string, enabled: boolean) {
  return useQuery({
    queryKey: restrictionKeys.careTeam(id),
    queryFn: () => api.get<CareTeamAccess>(`${path(id)}/care-team`),
    select: (team) => team.items,
    enabled,
  });
}

export function useChangeCareTeam(id: string) {
  const reload = useReloadPatient(id);
  return useMutation({
    mutationFn: ({ userId, add }: { userId: string; add: boolean }) =>
      add
        ? api.post<CareTeamAccess>(`${path(id)}/care-team`, { userId })
        : api.delete<CareTeamAccess>(`${path(id)}/care-team/${encodeURIComponent(userId)}`),
    onSuccess: reload,
  });
}

export function useStaffOptions(enabled: boolean) {
  return useQuery({
    queryKey: ['staff', 'all'],
    queryFn: () => api.call(routes.users.staff, { query: { limit: 100 } }),
    select: (list) => list.items,
    enabled,
    staleTime: 60_000,
  });
}

export function useBreakGlassReport() {
  return useCursorList<BreakGlassReportRow>(restrictionKeys.report, '/api/break-glass', {});
}
