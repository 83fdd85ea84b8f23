import { type PortalAppointmentBook, type PortalAppointmentChange, routes } from '@careloop/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../api/client';

const KEY = ['portal', 'scheduling'] as const;
const r = routes.portalScheduling;

export function useBookingOptions() {
  return useQuery({
    queryKey: [...KEY, 'options'],
    queryFn: () => api.call(r.options),
    staleTime: 5 * 60_000,
  });
}

export function usePortalSlots(query: {
  service: string | null;
  location: string | null;
  practitioner: string | null;
  from: string;
  to: string;
}) {
  return useQuery({
    queryKey: [...KEY, 'slots', query],
    queryFn: () =>
      api.call(r.availability, {
        query: {
          service: query.service ?? '',
          from: query.from,
          to: query.to,
          limit: 200,
          ...(query.location ? { location: query.location } : {}),
          ...(query.practitioner ? { practitioner: query.practitioner } : {}),
        },
      }),
    select: (a) => a.slots,
    enabled: Boolean(query.service && query.location),
  });
}

export function usePortalAppointments() {
  return useQuery({ queryKey: [...KEY, 'appointments'], queryFn: () => api.call(r.list) });
}

/** Books with the confirmation's key: sent again on a retry, so it books once. */
export function usePortalBook() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ key, body }: { key: string; body: PortalAppointmentBook }) =>
      api.callOnce(r.book, key, { body }),
    onSuccess: () => {
      void client.invalidateQueries({ queryKey: KEY });
      void client.invalidateQueries({ queryKey: ['portal', 'me'] });
    },
    // A time taken meanwhile leaves the list: show what is still open.
    onError: () => void client.invalidateQueries({ queryKey: [...KEY, 'slots'] }),
  });
}

export function usePortalChange() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ id, body }: { id: string; body: PortalAppointmentChange }) =>
      api.call(r.change, { params: { id }, body }),
    onSuccess: () => {
      void client.invalidateQueries({ queryKey: KEY });
      void client.invalidateQueries({ queryKey: ['portal', 'me'] });
    },
  });
}
