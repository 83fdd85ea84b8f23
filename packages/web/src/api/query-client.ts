import { MutationCache, QueryCache, QueryClient } from '@tanstack/react-query';
import { replaceSession, SESSION_KEY, type SessionState } from '../auth/session-state';
import { isApiError, setCsrfToken } from './client';

function onAnyError(error: unknown): void {
  // A 401 anywhere means the session is gone (idle timeout, disabled user, signed out in
  // another tab): forget it so the route guards send the user to the login page.
  if (!isApiError(error) || error.status !== 401) return;
  setCsrfToken(null);
  const current = queryClient.getQueryData<SessionState>(SESSION_KEY);
  // Requests in flight when the session ended fail too; the first one's reason wins.
  if (current?.status === 'signed-out' && error.code !== 'session_expired') return;
  replaceSession(queryClient, {
    status: 'signed-out',
    reason: error.code === 'session_expired' ? 'expired' : 'none',
  });
}

export const queryClient: QueryClient = new QueryClient({
  queryCache: new QueryCache({ onError: onAnyError }),
  mutationCache: new MutationCache({ onError: onAnyError }),
  defaultOptions: {
    queries: {
      staleTime: 30_000,
      // Client errors (4xx) will not change on retry; network and server errors might.
      retry: (failureCount, error) =>
        failureCount < 2 && !(isApiError(error) && error.status >= 400 && error.status < 500),
      refetchOnWindowFocus: false,
    },
  },
});
