import { routes, type SmsGatewayInbound } from '@careloop/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../api/client';

/** How many texts of a conversation the Test phone shows: the newest. */
const CONVERSATION_LENGTH = 50;

/**
 * A number's conversation on the local SMS gateway, newest first. Each read is audited, so it
 * polls only while an answer is expected (`waiting`), not all the time.
 */
export function useSmsConversation(number: string, waiting: boolean) {
  return useQuery({
    queryKey: ['sms-gateway', number],
    queryFn: () =>
      api.call(routes.sms.conversation, { query: { number, limit: CONVERSATION_LENGTH } }),
    enabled: number.trim().length >= 3,
    refetchInterval: waiting ? 1000 : false,
    retry: false,
  });
}

/** A text sent as if from the patient's phone. */
export function useSmsReply() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: SmsGatewayInbound) => api.call(routes.sms.inbound, { body }),
    onSuccess: (_receipt, body) =>
      client.invalidateQueries({ queryKey: ['sms-gateway', body.from] }),
  });
}
