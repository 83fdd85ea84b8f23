import type {
  Location,
  Note,
  NoteCreate,
  Patient360,
  PatientCreate,
  PatientListQuery,
  PatientPage,
  PatientSummary,
  PatientUpdate,
  TimelineQuery,
  Touchpoint,
} from '@careloop/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../api/client';
import type { NoteUpdate } from '../api/contract';
import { type CursorPage, useCursorList } from '../api/cursor-list';

export const patientKeys = {
  all: ['patients'] as const,
  list: ['patients', 'list'] as const,
  one: (id: string) => ['patients', 'one', id] as const,
  timeline: (id: string) => ['patients', 'one', id, 'timeline'] as const,
};

export type PatientFilters = Omit<PatientListQuery, 'cursor'>;

export function usePatientList(filters: PatientFilters) {
  return useCursorList<PatientSummary, PatientPage>(patientKeys.list, '/api/patients', filters);
}

export function usePatient360(id: string) {
  return useQuery({
    queryKey: patientKeys.one(id),
    queryFn: () => api.get<Patient360>(`/api/patients/${encodeURIComponent(id)}`),
  });
}

export function useTimeline(id: string, filters: Omit<TimelineQuery, 'cursor'>) {
  return useCursorList<Touchpoint>(
    patientKeys.timeline(id),
    `/api/patients/${encodeURIComponent(id)}/timeline`,
    filters,
  );
}

/** Active locations, for filters and the primary-location field (one page is plenty). */
export function useLocations() {
  return useQuery({
    queryKey: ['locations', 'active'],
    queryFn: () => api.get<CursorPage<Location>>('/api/locations', { active: true, limit: 200 }),
    select: (page) => page.items,
    staleTime: 5 * 60_000,
  });
}

export function useCreatePatient() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: PatientCreate) => api.post<Patient360>('/api/patients', body),
    onSuccess: (created) => {
      client.setQueryData(patientKeys.one(created.patient.id), created);
      void client.invalidateQueries({ queryKey: patientKeys.list });
    },
  });
}

export function useUpdatePatient(id: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: PatientUpdate) =>
      api.patch<Patient360>(`/api/patients/${encodeURIComponent(id)}`, body),
    onSuccess: (updated) => {
      client.setQueryData(patientKeys.one(id), updated);
      void client.invalidateQueries({ queryKey: patientKeys.list });
    },
  });
}

export function useAddNote(patientId: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: NoteCreate) =>
      api.post<Note>(`/api/patients/${encodeURIComponent(patientId)}/notes`, body),
    onSuccess: () => client.invalidateQueries({ queryKey: patientKeys.one(patientId) }),
  });
}

export function useUpdateNote(patientId: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ id, ...body }: NoteUpdate & { id: string }) =>
      api.patch<Note>(`/api/notes/${encodeURIComponent(id)}`, body),
    onSuccess: () => client.invalidateQueries({ queryKey: patientKeys.one(patientId) }),
  });
}
