import { routes } from '@careloop/core';
import { useQuery } from '@tanstack/react-query';
import { api } from '../api/client';

/** The organization's service lines as filter options (one page of 200 is plenty). */
export function useServiceLineOptions() {
  return useQuery({
    queryKey: ['service-lines', 'options'],
    queryFn: async () => {
      const page = await api.call(routes.directory.services, { query: { limit: 200 } });
      return page.items.map((s) => ({ value: s.id, label: s.name }));
    },
    staleTime: 5 * 60_000,
  });
}
