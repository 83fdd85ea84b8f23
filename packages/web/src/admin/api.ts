import type {
  AuditEvent,
  AuditListQuery,
  AuditVerifyResult,
  User,
  UserCreate,
  UserUpdate,
} from '@careloop/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../api/client';
import type { UserCreated } from '../api/contract';
import { useCursorList } from '../api/cursor-list';

const userKeys = { all: ['users'] as const };

export function useUserList(filters: { q?: string }) {
  return useCursorList<User>(userKeys.all, '/api/users', { ...filters, limit: 50 });
}

export function useCreateUser() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: UserCreate) => api.post<UserCreated>('/api/users', body),
    onSuccess: () => client.invalidateQueries({ queryKey: userKeys.all }),
  });
}

export function useUpdateUser() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ id, ...body }: UserUpdate & { id: string }) =>
      api.patch<User>(`/api/users/${encodeURIComponent(id)}`, body),
    onSuccess: () => client.invalidateQueries({ queryKey: userKeys.all }),
  });
}

export function useAuditLog(filters: Omit<AuditListQuery, 'cursor'>) {
  return useCursorList<AuditEvent>(['audit'], '/api/audit', filters);
}

/** Everyone who may appear in the log as its actor, for the "who" filter (staff and patients). */
export function useAuditActors() {
  return useQuery({
    queryKey: ['users', 'audit-actors'],
    queryFn: () => api.get<{ items: User[] }>('/api/users', { limit: 200 }),
    staleTime: 60_000,
  });
}

export function useVerifyAuditChains() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: () => api.post<AuditVerifyResult>('/api/audit/verify'),
    onSettled: () => client.invalidateQueries({ queryKey: ['audit'] }),
  });
}
