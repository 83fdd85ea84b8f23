import { type KpiFilters, type RouteQuery, routes } from '@careloop/core';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { api, urlOf } from '../api/client';

/** The query string of the dashboard's filters (the same on the page's URL and the API's). */
export function kpiParams(filters: KpiFilters): RouteQuery<typeof routes.kpis.report> {
  return {
    from: filters.from,
    to: filters.to,
    grain: filters.grain,
    location: filters.location ?? undefined,
    practitioner: filters.practitioner ?? undefined,
    serviceLine: filters.serviceLine ?? undefined,
  };
}

export function useKpiReport(filters: KpiFilters) {
  return useQuery({
    queryKey: ['kpis', filters],
    queryFn: () => api.call(routes.kpis.report, { query: kpiParams(filters) }),
    placeholderData: keepPreviousData,
  });
}

export const kpiCsvUrl = (filters: KpiFilters) =>
  urlOf(routes.kpis.exportCsv, { query: kpiParams(filters) });

/** Locations, practitioners and service lines for the filters (one page of each is plenty). */
export function useKpiDimensions() {
  return useQuery({
    queryKey: ['kpis', 'dimensions'],
    queryFn: async () => {
      const [locations, practitioners, services] = await Promise.all([
        api.call(routes.directory.locations, { query: { limit: 200 } }),
        api.call(routes.directory.practitioners, { query: { limit: 200 } }),
        api.call(routes.directory.services, { query: { limit: 200 } }),
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
