import { routes } from '@careloop/core';
import { useRouteList } from '../api/cursor-list';

/** What the built-in local mailbox received, newest first. */
export function useMailbox(to: string) {
  return useRouteList(['mailbox'], routes.mailbox.messages, {
    query: to.trim() ? { to: to.trim() } : {},
  });
}
