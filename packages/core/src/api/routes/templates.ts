import { Type } from 'typebox';
import {
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
} from '../../messaging/template-api.js';
import { IdParams } from '../common.js';
import { route } from '../contract.js';

const read = { permission: 'template:read' } as const;
const write = { permission: 'template:write' } as const;
const tags = ['messaging'] as const;

/** Message templates (issue 11), the suppressed sends and the organization's send-time policy. */
export const templateRoutes = {
  list: route({
    method: 'GET',
    path: '/api/templates',
    policy: read,
    tags,
    summary: 'Message templates with their versions per channel and language',
    reply: MessageTemplateList,
  }),
  create: route({
    method: 'POST',
    path: '/api/templates',
    policy: write,
    tags,
    summary: 'Creates a template (a key, a name and a purpose); versions are saved apart',
    body: MessageTemplateCreate,
    reply: MessageTemplate,
  }),
  get: route({
    method: 'GET',
    path: '/api/templates/:id',
    policy: read,
    tags,
    summary: 'One template with its versions',
    params: IdParams,
    reply: MessageTemplate,
  }),
  saveVersion: route({
    method: 'PUT',
    path: '/api/templates/:id/versions/:channel/:language',
    policy: write,
    tags,
    summary:
      'Saves a channel and language of a template; unknown fields and clinical fields are refused (400 naming the body field), clinical words warned about',
    params: TemplateVersionParams,
    body: TemplateVersionBody,
    reply: TemplateVersionSaved,
  }),
  preview: route({
    method: 'POST',
    path: '/api/templates/:id/preview',
    policy: read,
    tags,
    summary:
      'Renders draft bodies against a real patient (an audited read of that patient), with the SMS segment count',
    params: IdParams,
    body: TemplatePreviewRequest,
    reply: TemplatePreview,
  }),
};

/** The messaging settings and views beside the templates: suppressed sends, send-time policy. */
export const messagingRoutes = {
  suppressed: route({
    method: 'GET',
    path: '/api/messaging/suppressed',
    policy: { permission: 'suppression:read' },
    tags,
    summary:
      'Patient messages the send-time checks suppressed (consent, frequency cap, expired), newest first, without their bodies',
    query: Type.Object({ limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200 })) }),
    reply: SuppressedMessageList,
  }),
  policy: route({
    method: 'GET',
    path: '/api/messaging/policy',
    policy: read,
    tags,
    summary:
      "The organization's send-time policy: fallback language, quiet hours (minutes after local midnight) and frequency caps per purpose",
    reply: MessagePolicySettings,
  }),
  setPolicy: route({
    method: 'PUT',
    path: '/api/messaging/policy',
    policy: { permission: 'directory:write' },
    tags,
    summary: "Sets the organization's send-time policy (admins); checked at every delivery",
    body: MessagePolicySettings,
    reply: MessagePolicySettings,
  }),
};
