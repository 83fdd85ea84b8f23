import type {
  DrillDownResult,
  JourneyMap,
  JourneyMapFilters,
  JourneyMapSettings,
  PainPoint,
  PatientJourney,
  PatientListSummary,
} from '@careloop/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../api/client';

const keys = {
  settings: ['journey-map', 'settings'] as const,
  map: (f: JourneyMapFilters) => ['journey-map', 'map', f] as const,
  patient: (id: string) => ['patients', 'one', id, 'journey'] as const,
};

type Params = Record<string, string | undefined>;
const params = (f: JourneyMapFilters): Params => ({ ...f });

export function useJourneyMap(filters: JourneyMapFilters | null) {
  return useQuery({
    queryKey: keys.map(filters ?? { from: '', to: '' }),
    queryFn: () => api.get<JourneyMap>('/api/journey-map', params(filters ?? { from: '', to: '' })),
    enabled: filters !== null,
  });
}

export function useJourneyMapSettings() {
  return useQuery({
    queryKey: keys.settings,
    queryFn: () => api.get<JourneyMapSettings>('/api/journey-map/settings'),
  });
}

export function useSaveJourneyMapSettings() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: JourneyMapSettings) =>
      api.put<JourneyMapSettings>('/api/journey-map/settings', body),
    onSuccess: (saved) => {
      client.setQueryData(keys.settings, saved);
      void client.invalidateQueries({ queryKey: ['journey-map', 'map'] });
    },
  });
}

export function useDrillDown(filters: JourneyMapFilters, point: PainPoint | null) {
  return useQuery({
    queryKey: ['journey-map', 'drill-down', filters, point?.kind, point?.detail],
    queryFn: () =>
      api.get<DrillDownResult>('/api/journey-map/drill-down', {
        ...params(filters),
        kind: point?.kind,
        detail: point?.detail ?? undefined,
      }),
    enabled: point !== null,
  });
}

export function useDrillDownTasks() {
  return useMutation({
    mutationFn: (body: { patientIds: string[]; title: string }) =>
      api.post<{ created: number; skipped: number }>('/api/journey-map/tasks', body),
  });
}

export function useSavePatientList() {
  return useMutation({
    mutationFn: (body: { patientIds: string[]; name: string }) =>
      api.post<PatientListSummary>('/api/journey-map/lists', body),
  });
}

export function usePatientJourney(id: string) {
  return useQuery({
    queryKey: keys.patient(id),
    queryFn: () => api.get<PatientJourney>(`/api/patients/${encodeURIComponent(id)}/journey`),
  });
}
