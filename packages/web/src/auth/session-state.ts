import type { SessionInfo } from '@careloop/core';
import type { QueryClient } from '@tanstack/react-query';

/** Why nobody is signed in: shown on the login page ("Your session expired"). */
export type SignedOutReason = 'none' | 'expired' | 'signed-out';

export type SessionState =
  | { status: 'signed-in'; info: SessionInfo }
  | { status: 'signed-out'; reason: SignedOutReason };

export const SESSION_KEY = ['session'] as const;

/** Drops every cached record (they belong to the previous user) and records the new state. */
export function replaceSession(client: QueryClient, state: SessionState): void {
  client.removeQueries({ predicate: (query) => query.queryKey[0] !== SESSION_KEY[0] });
  client.setQueryData<SessionState>(SESSION_KEY, state);
}
