import {
  type FollowUpCreate,
  type PortalWaitlistJoin,
  routes,
  type WaitlistAvailability,
  type WaitlistEntryCreate,
  type WaitlistEntryUpdate,
  type WaitlistQuery,
  type WaitlistSettingsUpdate,
} from '@careloop/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../api/client';

export const waitlistKeys = {
  all: ['waitlist'] as const,
  portal: ['portal', 'waitlist'] as const,
};

export function useWaitlist(query: WaitlistQuery) {
  return useQuery({
    queryKey: [...waitlistKeys.all, 'list', query],
    queryFn: () => api.call(routes.waitlist.list, { query }),
    select: (r) => r.items,
  });
}

function useInvalidate(key: readonly string[]) {
  const client = useQueryClient();
  return () => void client.invalidateQueries({ queryKey: key });
}

export function useAddToWaitlist() {
  const invalidate = useInvalidate(waitlistKeys.all);
  return useMutation({
    mutationFn: (body: WaitlistEntryCreate) => api.call(routes.waitlist.create, { body }),
    onSuccess: invalidate,
  });
}

export function useUpdateEntry() {
  const invalidate = useInvalidate(waitlistKeys.all);
  return useMutation({
    mutationFn: ({ id, ...body }: WaitlistEntryUpdate & { id: string }) =>
      api.call(routes.waitlist.update, { params: { id }, body }),
    onSuccess: invalidate,
  });
}

export function useFollowUp() {
  const invalidate = useInvalidate(waitlistKeys.all);
  return useMutation({
    mutationFn: (body: FollowUpCreate) => api.call(routes.waitlist.followUp, { body }),
    onSuccess: invalidate,
  });
}

export function useWaitlistSettings() {
  return useQuery({
    queryKey: [...waitlistKeys.all, 'settings'],
    queryFn: () => api.call(routes.waitlist.settings),
  });
}

export function useUpdateWaitlistSettings() {
  const invalidate = useInvalidate(waitlistKeys.all);
  return useMutation({
    mutationFn: (body: WaitlistSettingsUpdate) =>
      api.call(routes.waitlist.updateSettings, { body }),
    onSuccess: invalidate,
  });
}

export function useRecovery(from: string, to: string) {
  return useQuery({
    queryKey: [...waitlistKeys.all, 'recovery', from, to],
    queryFn: () => api.call(routes.waitlist.recovery, { query: { from, to } }),
  });
}

// ---- The portal -------------------------------------------------------------------------

export function usePortalWaitlist() {
  return useQuery({
    queryKey: waitlistKeys.portal,
    queryFn: () => api.call(routes.waitlist.portalList),
  });
}

export function useJoinWaitlist() {
  const invalidate = useInvalidate(waitlistKeys.portal);
  return useMutation({
    mutationFn: (body: PortalWaitlistJoin) => api.call(routes.waitlist.portalJoin, { body }),
    onSuccess: invalidate,
  });
}

export function useStateAvailability() {
  const invalidate = useInvalidate(waitlistKeys.portal);
  return useMutation({
    mutationFn: ({ id, availability }: { id: string; availability: WaitlistAvailability }) =>
      api.call(routes.waitlist.portalAvailability, { params: { id }, body: { availability } }),
    onSuccess: invalidate,
  });
}

export function useAnswerOffer() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: async ({ id, answer }: { id: string; answer: 'accept' | 'decline' }) => {
      if (answer === 'accept') await api.call(routes.waitlist.portalAccept, { params: { id } });
      else await api.call(routes.waitlist.portalDecline, { params: { id } });
    },
    onSuccess: () => {
      void client.invalidateQueries({ queryKey: waitlistKeys.portal });
      void client.invalidateQueries({ queryKey: ['portal', 'me'] });
    },
  });
}

// ---- An offer's accept link (no session) --------------------------------------------------

export function useOfferLink(token: string) {
  return useQuery({
    queryKey: ['offer-link', token],
    queryFn: () => api.call(routes.waitlist.offerLink, { params: { token } }),
    retry: false,
  });
}

export function useAnswerOfferLink(token: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (answer: 'accept' | 'decline') =>
      answer === 'accept'
        ? api.call(routes.waitlist.acceptLink, { params: { token } }).then(() => undefined)
        : api.call(routes.waitlist.declineLink, { params: { token } }).then(() => undefined),
    onSettled: () => void client.invalidateQueries({ queryKey: ['offer-link', token] }),
  });
}
