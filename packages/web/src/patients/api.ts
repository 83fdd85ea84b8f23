import {
  type NoteCreate,
  type PatientCreate,
  type PatientListQuery,
  type PatientUpdate,
  routes,
  type TimelineQuery,
} from '@careloop/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../api/client';
import type { NoteUpdate } from '../api/contract';
import { useRouteList } from '../api/cursor-list';

export const patientKeys = {
  all: ['patients'] as const,
  list: ['patients', 'list'] as const,
  one: (id: string) => ['patients', 'one', id] as const,
  timeline: (id: string) => ['patients', 'one', id, 'timeline'] as const,
};

export type PatientFilters = Omit<PatientListQuery, 'cursor'>;

export function usePatientList(filters: PatientFilters) {
  return useRouteList(patientKeys.list, routes.patients.list, { query: filters });
}

export function usePatient360(id: string) {
  return useQuery({
    queryKey: patientKeys.one(id),
    queryFn: () => api.call(routes.patients.get, { params: { id } }),
  });
}

export function useTimeline(id: string, filters: Omit<TimelineQuery, 'cursor'>) {
  return useRouteList(patientKeys.timeline(id), routes.patients.timeline, {
    params: { id },
    query: filters,
  });
}

/** Active locations, for filters and the primary-location field (one page is plenty). */
export function useLocations() {
  return useQuery({
    queryKey: ['locations', 'active'],
    queryFn: () => api.call(routes.directory.locations, { query: { active: true, limit: 200 } }),
    select: (page) => page.items,
    staleTime: 5 * 60_000,
  });
}

export function useCreatePatient() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: PatientCreate) => api.call(routes.patients.create, { body }),
    onSuccess: (created) => {
      client.setQueryData(patientKeys.one(created.patient.id), created);
      void client.invalidateQueries({ queryKey: patientKeys.list });
    },
  });
}

export function useUpdatePatient(id: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: PatientUpdate) => api.call(routes.patients.update, { params: { id }, body }),
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
      api.call(routes.notes.create, { params: { id: patientId }, body }),
    onSuccess: () => client.invalidateQueries({ queryKey: patientKeys.one(patientId) }),
  });
}

export function useUpdateNote(patientId: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ id, ...body }: NoteUpdate & { id: string }) =>
      api.call(routes.notes.update, { params: { id }, body }),
    onSuccess: () => client.invalidateQueries({ queryKey: patientKeys.one(patientId) }),
  });
}
