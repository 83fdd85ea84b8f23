import { MailboxPage, MailboxQuery } from '@careloop/core';
import { contextOf } from '../../http/actor.js';
import type { App } from '../../http/types.js';
import type { Services } from '../../services.js';

const problem = { $ref: 'Problem#' } as const;

/** The console's Test mailbox: what the built-in local mailbox received (no SMTP configured). */
export default async function messagingRoutes(app: App, { outbox }: Services): Promise<void> {
  app.get(
    '/api/mailbox/messages',
    {
      config: { policy: { permission: 'mailbox:read' } },
      schema: {
        tags: ['messaging'],
        summary:
          'Emails the built-in local mailbox received, newest first (only when no SMTP server is configured); every message about a patient is an audited read',
        querystring: MailboxQuery,
        response: { 200: MailboxPage, 400: problem, 401: problem, 403: problem },
      },
    },
    (request) => outbox.listMailbox(contextOf(request), request.query),
  );
}
