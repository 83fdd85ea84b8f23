import {
  type JourneyMapFilters,
  type JourneyMapSettings,
  type PainPoint,
  routes,
} from '@careloop/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../api/client';

const keys = {
  settings: ['journey-map', 'settings'] as const,
  map: (f: JourneyMapFilters) => ['journey-map', 'map', f] as const,
  patient: (id: string) => ['patients', 'one', id, 'journey'] as const,
};

export function useJourneyMap(filters: JourneyMapFilters | null) {
  return useQuery({
    queryKey: keys.map(filters ?? { from: '', to: '' }),
    queryFn: () => api.call(routes.journeyMap.map, { query: filters ?? { from: '', to: '' } }),
    enabled: filters !== null,
  });
}

export function useJourneyMapSettings() {
  return useQuery({
    queryKey: keys.settings,
    queryFn: () => api.call(routes.journeyMap.settings),
  });
}

export function useSaveJourneyMapSettings() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: JourneyMapSettings) => api.call(routes.journeyMap.saveSettings, { body }),
    onSuccess: (saved) => {
      client.setQueryData(keys.settings, saved);
      void client.invalidateQueries({ queryKey: ['journey-map', 'map'] });
    },
  });
}

export function useDrillDown(filters: JourneyMapFilters, point: PainPoint | null, offset = 0) {
  return useQuery({
    queryKey: ['journey-map', 'drill-down', filters, point?.kind, point?.detail, offset],
    queryFn: () => {
      // Never called without a point: the query is disabled until one is chosen.
      if (!point) throw new Error('No pain point to drill into');
      return api.call(routes.journeyMap.drillDown, {
        query: { ...filters, kind: point.kind, detail: point.detail ?? undefined, offset },
      });
    },
    enabled: point !== null,
  });
}

export function useDrillDownTasks() {
  return useMutation({
    mutationFn: (body: { patientIds: string[]; title: string }) =>
      api.call(routes.journeyMap.createTasks, { body }),
  });
}

export function useSavePatientList() {
  return useMutation({
    mutationFn: (body: { patientIds: string[]; name: string }) =>
      api.call(routes.journeyMap.createList, { body }),
  });
}

export function usePatientJourney(id: string) {
  return useQuery({
    queryKey: keys.patient(id),
    queryFn: () => api.call(routes.journeyMap.patientJourney, { params: { id } }),
  });
}
