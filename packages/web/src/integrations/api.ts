import { type ApiClientCreate, routes, type WebhookEndpointCreate } from '@careloop/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../api/client';

const CLIENTS = ['integrations', 'clients'] as const;
const WEBHOOKS = ['integrations', 'webhooks'] as const;
const DELIVERIES = ['integrations', 'deliveries'] as const;

export function useApiClients() {
  return useQuery({ queryKey: CLIENTS, queryFn: () => api.call(routes.integrations.clients) });
}

export function useRegisterClient() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: ApiClientCreate) => api.call(routes.integrations.registerClient, { body }),
    onSuccess: () => client.invalidateQueries({ queryKey: CLIENTS }),
  });
}

export function useRevokeClient() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => api.call(routes.integrations.revokeClient, { params: { id } }),
    onSuccess: () => client.invalidateQueries({ queryKey: CLIENTS }),
  });
}

export function useWebhooks() {
  return useQuery({ queryKey: WEBHOOKS, queryFn: () => api.call(routes.integrations.webhooks) });
}

export function useCreateWebhook() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: WebhookEndpointCreate) =>
      api.call(routes.integrations.createWebhook, { body }),
    onSuccess: () => client.invalidateQueries({ queryKey: WEBHOOKS }),
  });
}

export function useRotateWebhookSecret() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (id: string) =>
      api.call(routes.integrations.rotateWebhookSecret, { params: { id } }),
    onSuccess: () => client.invalidateQueries({ queryKey: WEBHOOKS }),
  });
}

export function useDisableWebhook() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => api.call(routes.integrations.disableWebhook, { params: { id } }),
    onSuccess: () => client.invalidateQueries({ queryKey: WEBHOOKS }),
  });
}

export function useDeliveries() {
  return useQuery({
    queryKey: DELIVERIES,
    queryFn: () => api.call(routes.integrations.deliveries, { query: {} }),
  });
}

export function useReplayDelivery() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => api.call(routes.integrations.replayDelivery, { params: { id } }),
    onSuccess: () => client.invalidateQueries({ queryKey: DELIVERIES }),
  });
}
