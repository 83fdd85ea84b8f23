import {
  routes,
  type TemplateChannel,
  type TemplateLanguage,
  type TemplateVersionBody,
} from '@careloop/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../api/client';

/** Message templates with their versions (issue 11). */
export function useTemplates() {
  return useQuery({
    queryKey: ['templates'],
    queryFn: () => api.call(routes.templates.list),
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
      api.call(routes.templates.saveVersion, {
        params: { id, channel: input.channel, language: input.language },
        body: input.body,
      }),
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
    queryFn: () => {
      // Never called without a patient: the query is disabled until one is chosen.
      if (patientId === null) throw new Error('No patient to preview against');
      return api.call(routes.templates.preview, {
        params: { id },
        body: { ...request, patientId },
      });
    },
    enabled: patientId !== null && request.body.text.trim().length > 0,
    retry: false,
  });
}

/** Patient messages the send-time checks suppressed, newest first (admins). */
export function useSuppressedMessages() {
  return useQuery({
    queryKey: ['messaging', 'suppressed'],
    queryFn: () => api.call(routes.messaging.suppressed, { query: { limit: 100 } }),
  });
}
