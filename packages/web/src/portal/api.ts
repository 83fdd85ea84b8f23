import type { PortalProfile, PreferencesUpdate } from '@careloop/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../api/client';

const PROFILE_KEY = ['portal', 'me'] as const;

export function usePortalProfile() {
  return useQuery({
    queryKey: PROFILE_KEY,
    queryFn: () => api.get<PortalProfile>('/api/portal/me'),
  });
}

export function useUpdatePreferences() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: PreferencesUpdate) =>
      api.patch<PortalProfile>('/api/portal/preferences', body),
    onSuccess: (profile) => client.setQueryData(PROFILE_KEY, profile),
  });
}
