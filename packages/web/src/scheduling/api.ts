import { type AppointmentBook, type AppointmentChange, routes } from '@careloop/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../api/client';

export const scheduleKeys = { all: ['schedule'] as const };

export function usePractitioners() {
  return useQuery({
    queryKey: ['practitioners', 'active'],
    queryFn: () =>
      api.call(routes.directory.practitioners, { query: { active: true, limit: 200 } }),
    select: (page) => page.items,
    staleTime: 5 * 60_000,
  });
}

export function useScheduleLocations() {
  return useQuery({
    queryKey: ['locations', 'active'],
    queryFn: () => api.call(routes.directory.locations, { query: { active: true, limit: 200 } }),
    select: (page) => page.items,
    staleTime: 5 * 60_000,
  });
}

export function useBookableServices() {
  return useQuery({
    queryKey: ['schedule', 'services'],
    queryFn: () => api.call(routes.scheduling.services),
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
    queryFn: () => api.call(routes.scheduling.calendar, { query: params }),
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
    queryFn: () => {
      const { service, ...rest } = params;
      // Never called without a service (`enabled` below): the table requires one.
      if (!service) return Promise.resolve({ slots: [] });
      return api.call(routes.scheduling.availability, { query: { ...rest, service, limit: 500 } });
    },
    select: (r) => r.slots,
    enabled: Boolean(params.service),
  });
}

export function usePatientSearch(q: string) {
  return useQuery({
    queryKey: ['patients', 'search', q],
    queryFn: () => api.call(routes.patients.list, { query: { q, limit: 10 } }),
    select: (page) => page.items,
    enabled: q.trim().length >= 2,
  });
}

/** Books with the confirmation's Idempotency-Key: a double click or a retry books once. */
export function useBook() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ idempotencyKey, ...body }: AppointmentBook & { idempotencyKey: string }) =>
      api.callOnce(routes.scheduling.book, idempotencyKey, { body }),
    // Refused too: a slot taken meanwhile (a booking, a waitlist offer's hold) leaves the view.
    onSettled: () => void client.invalidateQueries({ queryKey: scheduleKeys.all }),
  });
}

export function useChangeAppointment() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ id, ...body }: AppointmentChange & { id: string }) =>
      api.call(routes.scheduling.change, { params: { id }, body }),
    onSettled: () => void client.invalidateQueries({ queryKey: scheduleKeys.all }),
  });
}
