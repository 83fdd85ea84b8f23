import { type AuditListQuery, routes, type UserCreate, type UserUpdate } from '@careloop/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../api/client';
import { useRouteList } from '../api/cursor-list';

const userKeys = { all: ['users'] as const };

export function useUserList(filters: { q?: string }) {
  return useRouteList(userKeys.all, routes.users.list, { query: { ...filters, limit: 50 } });
}

export function useCreateUser() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: UserCreate) => api.call(routes.users.create, { body }),
    onSuccess: () => client.invalidateQueries({ queryKey: userKeys.all }),
  });
}

export function useUpdateUser() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ id, ...body }: UserUpdate & { id: string }) =>
      api.call(routes.users.update, { params: { id }, body }),
    onSuccess: () => client.invalidateQueries({ queryKey: userKeys.all }),
  });
}

export function useAuditLog(filters: Omit<AuditListQuery, 'cursor'>) {
  return useRouteList(['audit'], routes.audit.list, { query: filters });
}

/** Everyone who may appear in the log as its actor, for the "who" filter (staff and patients). */
export function useAuditActors() {
  return useQuery({
    queryKey: ['users', 'audit-actors'],
    queryFn: () => api.call(routes.users.list, { query: { limit: 200 } }),
    staleTime: 60_000,
  });
}

export function useVerifyAuditChains() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: () => api.call(routes.audit.verify),
    onSettled: () => client.invalidateQueries({ queryKey: ['audit'] }),
  });
}
