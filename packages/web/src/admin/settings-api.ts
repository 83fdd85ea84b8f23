import { type OrganizationSettingsUpdate, routes } from '@careloop/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../api/client';

const SETTINGS_KEY = ['organization', 'settings'] as const;

/** The MRN format, default location and portal listing that registration reads. */
export function useOrganizationSettings() {
  return useQuery({
    queryKey: SETTINGS_KEY,
    queryFn: () => api.call(routes.directory.settings),
  });
}

export function useUpdateOrganizationSettings() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: OrganizationSettingsUpdate) =>
      api.call(routes.directory.updateSettings, { body }),
    onSuccess: (settings) => client.setQueryData(SETTINGS_KEY, settings),
  });
}
