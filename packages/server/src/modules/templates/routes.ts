import {
  IdParams,
  MessagePolicySettings,
  MessageTemplate,
  MessageTemplateCreate,
  MessageTemplateList,
  SuppressedMessageList,
  TemplatePreview,
  TemplatePreviewRequest,
  TemplateVersionBody,
  TemplateVersionParams,
  TemplateVersionSaved,
} from '@careloop/core';
import { Type } from 'typebox';
import { contextOf } from '../../http/actor.js';
import type { App } from '../../http/types.js';
import type { Services } from '../../services.js';

const problem = { $ref: 'Problem#' } as const;
const errors = { 400: problem, 401: problem, 403: problem, 404: problem } as const;

/** Message templates (issue 11) and the suppressed sends view. */
export default async function templateRoutes(
  app: App,
  { templates, sendPolicy }: Services,
): Promise<void> {
  app.get(
    '/api/templates',
    {
      config: { policy: { permission: 'template:read' } },
      schema: {
        tags: ['messaging'],
        summary: 'Message templates with their versions per channel and language',
        response: { 200: MessageTemplateList, ...errors },
      },
    },
    async (request) => ({ items: await templates.list(contextOf(request)) }),
  );

  app.post(
    '/api/templates',
    {
      config: { policy: { permission: 'template:write' } },
      schema: {
        tags: ['messaging'],
        summary: 'Creates a template (a key, a name and a purpose); versions are saved apart',
        body: MessageTemplateCreate,
        response: { 200: MessageTemplate, 409: problem, ...errors },
      },
    },
    (request) => templates.create(contextOf(request), request.body),
  );

  app.get(
    '/api/templates/:id',
    {
      config: { policy: { permission: 'template:read' } },
      schema: {
        tags: ['messaging'],
        summary: 'One template with its versions',
        params: IdParams,
        response: { 200: MessageTemplate, ...errors },
      },
    },
    (request) => templates.get(contextOf(request), request.params.id),
  );

  app.put(
    '/api/templates/:id/versions/:channel/:language',
    {
      config: { policy: { permission: 'template:write' } },
      schema: {
        tags: ['messaging'],
        summary:
          'Saves a channel and language of a template; unknown fields and clinical fields are refused (400 naming the body field), clinical words warned about',
        params: TemplateVersionParams,
        body: TemplateVersionBody,
        response: { 200: TemplateVersionSaved, ...errors },
      },
    },
    (request) => {
      const { id, channel, language } = request.params;
      return templates.saveVersion(contextOf(request), id, channel, language, request.body);
    },
  );

  app.post(
    '/api/templates/:id/preview',
    {
      config: { policy: { permission: 'template:read' } },
      schema: {
        tags: ['messaging'],
        summary:
          'Renders draft bodies against a real patient (an audited read of that patient), with the SMS segment count',
        params: IdParams,
        body: TemplatePreviewRequest,
        response: { 200: TemplatePreview, ...errors },
      },
    },
    (request) => templates.preview(contextOf(request), request.params.id, request.body),
  );

  app.get(
    '/api/messaging/suppressed',
    {
      config: { policy: { permission: 'suppression:read' } },
      schema: {
        tags: ['messaging'],
        summary:
          'Patient messages the send-time checks suppressed (consent, frequency cap, expired), newest first, without their bodies',
        querystring: Type.Object({
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200 })),
        }),
        response: { 200: SuppressedMessageList, ...errors },
      },
    },
    async (request) => ({
      items: await sendPolicy.listSuppressed(contextOf(request), request.query.limit ?? 50),
    }),
  );

  app.get(
    '/api/messaging/policy',
    {
      config: { policy: { permission: 'template:read' } },
      schema: {
        tags: ['messaging'],
        summary:
          "The organization's send-time policy: fallback language, quiet hours (minutes after local midnight) and frequency caps per purpose",
        response: { 200: MessagePolicySettings, ...errors },
      },
    },
    (request) => templates.getPolicy(contextOf(request)),
  );

  app.put(
    '/api/messaging/policy',
    {
      config: { policy: { permission: 'directory:write' } },
      schema: {
        tags: ['messaging'],
        summary: "Sets the organization's send-time policy (admins); checked at every delivery",
        body: MessagePolicySettings,
        response: { 200: MessagePolicySettings, ...errors },
      },
    },
    (request) => templates.setPolicy(contextOf(request), request.body),
  );
}
