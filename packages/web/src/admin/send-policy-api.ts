import type { MessagePolicySettings } from '@careloop/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../api/client';

const POLICY_KEY = ['messaging', 'policy'] as const;

/** The organization's send-time policy: fallback language, sending hours, caps (ADR 0024). */
export function useSendPolicy() {
  return useQuery({
    queryKey: POLICY_KEY,
    queryFn: () => api.get<MessagePolicySettings>('/api/messaging/policy'),
  });
}

export function useUpdateSendPolicy() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: MessagePolicySettings) =>
      api.put<MessagePolicySettings>('/api/messaging/policy', body),
    onSuccess: (saved) => client.setQueryData(POLICY_KEY, saved),
  });
}
