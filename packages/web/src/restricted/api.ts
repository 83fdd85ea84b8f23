import { type RestrictionKind, routes } from '@careloop/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../api/client';
import { useRouteList } from '../api/cursor-list';
import { patientKeys } from '../patients/api';

const r = routes.restrictions;

export const restrictionKeys = {
  access: (id: string) => ['patients', 'one', id, 'access'] as const,
  careTeam: (id: string) => ['patients', 'one', id, 'care-team-access'] as const,
  report: ['break-glass'] as const,
};

/** What the signed-in user may do with a patient's record (name only, whatever the answer). */
export function usePatientAccess(id: string) {
  return useQuery({
    queryKey: restrictionKeys.access(id),
    queryFn: () => api.call(r.access, { params: { id } }),
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
    mutationFn: (reason: string) => api.call(r.breakGlass, { params: { id }, body: { reason } }),
    onSuccess: reload,
  });
}

export function useSetRestriction(id: string) {
  const reload = useReloadPatient(id);
  return useMutation({
    mutationFn: (kind: RestrictionKind | null) =>
      api.call(r.setRestriction, { params: { id }, body: { kind } }),
    onSuccess: reload,
  });
}

export function useCareTeamAccess(id: string, enabled: boolean) {
  return useQuery({
    queryKey: restrictionKeys.careTeam(id),
    queryFn: () => api.call(r.careTeam, { params: { id } }),
    select: (team) => team.items,
    enabled,
  });
}

export function useChangeCareTeam(id: string) {
  const reload = useReloadPatient(id);
  return useMutation({
    mutationFn: ({ userId, add }: { userId: string; add: boolean }) =>
      add
        ? api.call(r.addToCareTeam, { params: { id }, body: { userId } })
        : api.call(r.removeFromCareTeam, { params: { id, userId } }),
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
  return useRouteList(restrictionKeys.report, r.report, {});
}
