import type { KpiFilters, KpiReport, Location, Practitioner } from '@careloop/core';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { api, type QueryParams, withQuery } from '../api/client';
import type { CursorPage } from '../api/cursor-list';

/** The query string of the dashboard's filters (the same on the page's URL and the API's). */
export function kpiParams(filters: KpiFilters): QueryParams {
  return {
    from: filters.from,
    to: filters.to,
    grain: filters.grain,
    location: filters.location,
    practitioner: filters.practitioner,
    serviceLine: filters.serviceLine,
  };
}

export function useKpiReport(filters: KpiFilters) {
  return useQuery({
    queryKey: ['kpis', filters],
    queryFn: () => api.get<KpiReport>('/api/kpis', kpiParams(filters)),
    placeholderData: keepPreviousData,
  });
}

export const kpiCsvUrl = (filters: KpiFilters) =>
  withQuery('/api/kpis/export.csv', kpiParams(filters));

interface ServiceLine {
  id: string;
  name: string;
}

/** Locations, practitioners and service lines for the filters (one page of each is plenty). */
export function useKpiDimensions() {
  return useQuery({
    queryKey: ['kpis', 'dimensions'],
    queryFn: async () => {
      const [locations, practitioners, services] = await Promise.all([
        api.get<CursorPage<Location>>('/api/locations', { limit: 200 }),
        api.get<CursorPage<Practitioner>>('/api/practitioners', { limit: 200 }),
        api.get<CursorPage<ServiceLine>>('/api/services', { limit: 200 }),
      ]);
      return {
        locations: locations.items.map((l) => ({ value: l.id, label: l.name })),
        practitioners: practitioners.items.map((p) => ({ value: p.id, label: p.displayName })),
        serviceLines: services.items.map((s) => ({ value: s.id, label: s.name })),
      };
    },
    staleTime: 5 * 60_000,
  });
}
