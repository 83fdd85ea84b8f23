import { route } from '../contract.js';
import { MailboxPage, MailboxQuery } from '../messaging.js';

/** The console's Test mailbox: what the built-in local mailbox received (no SMTP configured). */
export const mailboxRoutes = {
  messages: route({
    method: 'GET',
    path: '/api/mailbox/messages',
    policy: { permission: 'mailbox:read' },
    tags: ['messaging'],
    summary:
      'Emails the built-in local mailbox received, newest first (only when no SMTP server is configured); every message about a patient is an audited read',
    query: MailboxQuery,
    reply: MailboxPage,
  }),
};
