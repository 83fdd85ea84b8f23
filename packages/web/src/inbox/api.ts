import {
  type ConversationReply,
  type ConversationUpdate,
  type InternalNoteCreate,
  type PortalMessageCreate,
  routes,
} from '@careloop/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../api/client';

/** The inbox list polls while open: new texts and portal messages arrive without a reload. */
const INBOX_POLL_MS = 15_000;

export function useConversations(query: {
  status?: 'open' | 'pending' | 'closed';
  mine?: boolean;
}) {
  return useQuery({
    queryKey: ['inbox', 'list', query],
    queryFn: () => api.call(routes.inbox.list, { query }),
    refetchInterval: INBOX_POLL_MS,
  });
}

/** One conversation: an audited read of its bodies, so it is fetched when opened, not polled. */
export function useConversation(id: string | null) {
  return useQuery({
    queryKey: ['inbox', 'conversation', id],
    queryFn: () => api.call(routes.inbox.get, { params: { id: id ?? '' } }),
    enabled: id !== null,
  });
}

export function useQuickReplies(enabled: boolean) {
  return useQuery({
    queryKey: ['inbox', 'quick-replies'],
    queryFn: () => api.call(routes.inbox.quickReplies),
    enabled,
  });
}

function useConversationChange<B>(
  send: (id: string, body: B) => Promise<unknown>,
): ReturnType<typeof useMutation<unknown, Error, { id: string; body: B }>> {
  const client = useQueryClient();
  return useMutation<unknown, Error, { id: string; body: B }>({
    mutationFn: ({ id, body }) => send(id, body),
    onSuccess: (_r, { id }) => {
      client.invalidateQueries({ queryKey: ['inbox', 'list'] });
      client.invalidateQueries({ queryKey: ['inbox', 'conversation', id] });
    },
  });
}

export const useUpdateConversation = () =>
  useConversationChange((id, body: ConversationUpdate) =>
    api.call(routes.inbox.update, { params: { id }, body }),
  );
export const useAddNote = () =>
  useConversationChange((id, body: InternalNoteCreate) =>
    api.call(routes.inbox.note, { params: { id }, body }),
  );
export const useReply = () =>
  useConversationChange((id, body: ConversationReply) =>
    api.call(routes.inbox.reply, { params: { id }, body }),
  );

// The portal's side.
export function usePortalThreads() {
  return useQuery({
    queryKey: ['portal', 'threads'],
    queryFn: () => api.call(routes.portalMessaging.threads),
  });
}

export function usePortalThread(id: string | null) {
  return useQuery({
    queryKey: ['portal', 'thread', id],
    queryFn: () => api.call(routes.portalMessaging.thread, { params: { id: id ?? '' } }),
    enabled: id !== null,
  });
}

export function usePortalSend() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ id, body }: { id: string | null; body: PortalMessageCreate }) =>
      id === null
        ? api.call(routes.portalMessaging.start, { body })
        : api.call(routes.portalMessaging.send, { params: { id }, body }),
    onSuccess: (thread) => {
      client.invalidateQueries({ queryKey: ['portal', 'threads'] });
      client.setQueryData(['portal', 'thread', thread.id], thread);
    },
  });
}

/** A file's bytes as base64 (the portal's upload), read in the browser. */
export async function fileToBase64(file: File): Promise<string> {
  const bytes = new Uint8Array(await file.arrayBuffer());
  let binary = '';
  const chunk = 0x8000;
  for (let i = 0; i < bytes.length; i += chunk) {
    binary += String.fromCharCode(...bytes.subarray(i, i + chunk));
  }
  return btoa(binary);
}
