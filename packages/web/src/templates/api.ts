import type {
  MessageTemplateList,
  SuppressedMessageList,
  TemplateChannel,
  TemplateLanguage,
  TemplatePreview,
  TemplateVersionBody,
  TemplateVersionSaved,
} from '@careloop/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../api/client';

/** Message templates with their versions (issue 11). */
export function useTemplates() {
  return useQuery({
    queryKey: ['templates'],
    queryFn: () => api.get<MessageTemplateList>('/api/templates'),
  });
}

export function useSaveTemplateVersion(id: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (input: {
      channel: TemplateChannel;
      language: TemplateLanguage;
      body: TemplateVersionBody;
    }) =>
      api.put<TemplateVersionSaved>(
        `/api/templates/${encodeURIComponent(id)}/versions/${input.channel}/${input.language}`,
        input.body,
      ),
    onSuccess: () => client.invalidateQueries({ queryKey: ['templates'] }),
  });
}

/** The draft rendered against a real patient (the server audits the read). */
export function useTemplatePreview(
  id: string,
  request: {
    channel: TemplateChannel;
    language: TemplateLanguage;
    patientId: string | null;
    body: TemplateVersionBody;
  },
) {
  const { patientId } = request;
  return useQuery({
    queryKey: ['templates', id, 'preview', request],
    queryFn: () =>
      api.post<TemplatePreview>(`/api/templates/${encodeURIComponent(id)}/preview`, {
        ...request,
        patientId,
      }),
    enabled: patientId !== null && request.body.text.trim().length > 0,
    retry: false,
  });
}

/** Patient messages the send-time checks suppressed, newest first (admins). */
export function useSuppressedMessages() {
  return useQuery({
    queryKey: ['messaging', 'suppressed'],
    queryFn: () => api.get<SuppressedMessageList>('/api/messaging/suppressed', { limit: 100 }),
  });
}
