import type {
  AppointmentBook,
  AppointmentChange,
  AvailableSlot,
  BookableService,
  Location,
  PatientPage,
  Practitioner,
  ScheduledAppointment,
} from '@careloop/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../api/client';
import type { CursorPage } from '../api/cursor-list';

export const scheduleKeys = { all: ['schedule'] as const };

export function usePractitioners() {
  return useQuery({
    queryKey: ['practitioners', 'active'],
    queryFn: () =>
      api.get<CursorPage<Practitioner>>('/api/practitioners', { active: true, limit: 200 }),
    select: (page) => page.items,
    staleTime: 5 * 60_000,
  });
}

export function useScheduleLocations() {
  return useQuery({
    queryKey: ['locations', 'active'],
    queryFn: () => api.get<CursorPage<Location>>('/api/locations', { active: true, limit: 200 }),
    select: (page) => page.items,
    staleTime: 5 * 60_000,
  });
}

export function useBookableServices() {
  return useQuery({
    queryKey: ['schedule', 'services'],
    queryFn: () => api.get<BookableService[]>('/api/scheduling/services'),
    staleTime: 5 * 60_000,
  });
}

export function useCalendar(params: {
  from: string;
  to: string;
  practitioner?: string;
  location?: string;
}) {
  return useQuery({
    queryKey: [...scheduleKeys.all, 'calendar', params],
    queryFn: () => api.get<{ appointments: ScheduledAppointment[] }>('/api/calendar', params),
    select: (r) => r.appointments,
    enabled: Boolean(params.practitioner || params.location),
  });
}

export function useAvailability(params: {
  service?: string;
  practitioner?: string;
  location?: string;
  from: string;
  to: string;
}) {
  return useQuery({
    queryKey: [...scheduleKeys.all, 'availability', params],
    queryFn: () =>
      api.get<{ slots: AvailableSlot[] }>('/api/availability', { ...params, limit: 500 }),
    select: (r) => r.slots,
    enabled: Boolean(params.service),
  });
}

export function usePatientSearch(q: string) {
  return useQuery({
    queryKey: ['patients', 'search', q],
    queryFn: () => api.get<PatientPage>('/api/patients', { q, limit: 10 }),
    select: (page) => page.items,
    enabled: q.trim().length >= 2,
  });
}

/** Books with the confirmation's Idempotency-Key: a double click or a retry books once. */
export function useBook() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ idempotencyKey, ...body }: AppointmentBook & { idempotencyKey: string }) =>
      api.postOnce<ScheduledAppointment>('/api/appointments', body, idempotencyKey),
    onSuccess: () => void client.invalidateQueries({ queryKey: scheduleKeys.all }),
  });
}

export function useChangeAppointment() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ id, ...body }: AppointmentChange & { id: string }) =>
      api.patch<ScheduledAppointment>(`/api/appointments/${encodeURIComponent(id)}`, body),
    onSuccess: () => void client.invalidateQueries({ queryKey: scheduleKeys.all }),
  });
}
