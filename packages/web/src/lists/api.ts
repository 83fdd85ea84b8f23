import { type PatientListNew, routes } from '@careloop/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../api/client';
import { useRouteList } from '../api/cursor-list';

/** Issue 11 (h11l): patient lists and their members (docs/adr/0040). */
export const listKeys = {
  all: ['lists'] as const,
  members: (listId: string) => ['lists', listId, 'members'] as const,
};

/** The organization's lists; `enabled: false` for a role that may not read them (no request). */
export function usePatientLists({ enabled = true }: { enabled?: boolean } = {}) {
  return useQuery({
    queryKey: [...listKeys.all, 'index'],
    queryFn: () => api.call(routes.lists.list, {}),
    enabled,
  });
}

/** A list's members a page at a time, newest first ("Load more"); the list itself on top. */
export function useListMembers(listId: string) {
  return useRouteList(listKeys.members(listId), routes.lists.members, {
    params: { id: listId },
    query: {},
  });
}

function useInvalidateLists() {
  const client = useQueryClient();
  return () => void client.invalidateQueries({ queryKey: listKeys.all });
}

export function useCreateList() {
  const invalidate = useInvalidateLists();
  return useMutation({
    mutationFn: (body: PatientListNew) => api.call(routes.lists.create, { body }),
    onSuccess: invalidate,
  });
}

export function useAddMember(listId: string) {
  const invalidate = useInvalidateLists();
  return useMutation({
    mutationFn: (patientId: string) =>
      api.call(routes.lists.addMember, { params: { id: listId }, body: { patientId } }),
    onSuccess: invalidate,
  });
}

export function useRemoveMember(listId: string) {
  const invalidate = useInvalidateLists();
  return useMutation({
    mutationFn: (patientId: string) =>
      api.call(routes.lists.removeMember, { params: { id: listId, patientId } }),
    onSuccess: invalidate,
  });
}

/** Where a list or a member came from, in words. */
export function sourceLabel(source: string | null): string {
  if (source === null) return '—';
  if (source === 'staff') return 'Added by staff';
  if (source === 'ready-journey') return 'Ready journey';
  if (source.startsWith('journey-map')) return 'Journey map';
  if (source.startsWith('journey:')) return `Journey ${source.slice('journey:'.length)}`;
  return source;
}
