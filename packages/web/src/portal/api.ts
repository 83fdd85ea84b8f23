import { type PreferencesUpdate, routes } from '@careloop/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../api/client';

const PROFILE_KEY = ['portal', 'me'] as const;

export function usePortalProfile() {
  return useQuery({
    queryKey: PROFILE_KEY,
    queryFn: () => api.call(routes.portal.me),
  });
}

export function useUpdatePreferences() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: PreferencesUpdate) => api.call(routes.portal.updatePreferences, { body }),
    onSuccess: (profile) => client.setQueryData(PROFILE_KEY, profile),
  });
}
