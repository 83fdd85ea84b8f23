import type { MailboxMessage } from '@careloop/core';
import { useCursorList } from '../api/cursor-list';

/** What the built-in local mailbox received, newest first. */
export function useMailbox(to: string) {
  return useCursorList<MailboxMessage>(['mailbox'], '/api/mailbox/messages', {
    ...(to.trim() ? { to: to.trim() } : {}),
  });
}
