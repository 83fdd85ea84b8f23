import { type MessagePolicySettings, routes } from '@careloop/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../api/client';

const POLICY_KEY = ['messaging', 'policy'] as const;

/** The organization's send-time policy: fallback language, sending hours, caps (ADR 0024). */
export function useSendPolicy() {
  return useQuery({
    queryKey: POLICY_KEY,
    queryFn: () => api.call(routes.messaging.policy),
  });
}

export function useUpdateSendPolicy() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: MessagePolicySettings) => api.call(routes.messaging.setPolicy, { body }),
    onSuccess: (saved) => client.setQueryData(POLICY_KEY, saved),
  });
}
