import { MutationCache, QueryCache, QueryClient } from '@tanstack/react-query';
import { replaceSession } from '../auth/session-state';
import { isApiError, setCsrfToken } from './client';

function onAnyError(error: unknown): void {
  // A 401 anywhere means the session is gone (idle timeout, disabled user, signed out in
  // another tab): forget it so the route guards send the user to the login page.
  if (isApiError(error) && error.status === 401) {
    setCsrfToken(null);
    replaceSession(queryClient, {
      status: 'signed-out',
      reason: error.code === 'session_expired' ? 'expired' : 'none',
    });
  }
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
