import {
  can,
  type LoginBody,
  type Permission,
  type SessionInfo,
  type SessionUser,
  signInRoutes,
} from '@careloop/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { createContext, useContext } from 'react';
import { ApiError, api, setCsrfToken } from '../api/client';
import { replaceSession, SESSION_KEY, type SessionState } from './session-state';

/**
 * Asks who is signed in. `GET /api/auth/session` answers 200 when nobody is, so the sign-in
 * page loads without a failed request in the browser's console.
 */
async function fetchSession(): Promise<SessionState> {
  // The sign-in path calls the table's routes by reference (signInRoutes): `routes` would bring
  // TypeBox and every schema into the first visit (22 kB over its 200 kB budget, docs/adr/0017).
  const probe = await api.call(signInRoutes.session);
  setCsrfToken(probe.session?.csrfToken ?? null);
  if (probe.session) return { status: 'signed-in', info: probe.session };
  return { status: 'signed-out', reason: probe.expired ? 'expired' : 'none' };
}

/** The session from `GET /api/auth/session`; undefined while loading. */
export function useSessionQuery() {
  return useQuery({
    queryKey: SESSION_KEY,
    queryFn: fetchSession,
    staleTime: Number.POSITIVE_INFINITY,
  });
}

export function useLogin() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: LoginBody) => api.call(signInRoutes.login, { body }),
    onSuccess: (info) => {
      setCsrfToken(info.csrfToken);
      replaceSession(client, { status: 'signed-in', info });
    },
  });
}

export function useLogout() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: async () => {
      try {
        await api.call(signInRoutes.logout);
      } catch (error) {
        // Already signed out on the server (expired, disabled): the goal is reached.
        if (!(error instanceof ApiError && error.status === 401)) throw error;
      }
    },
    onSuccess: () => {
      setCsrfToken(null);
      replaceSession(client, { status: 'signed-out', reason: 'signed-out' });
    },
  });
}

/** The signed-in user, provided by the route guards to everything below them. */
export const SessionContext = createContext<SessionInfo | null>(null);

export function useCurrentUser(): SessionUser {
  const info = useContext(SessionContext);
  if (!info) throw new Error('useCurrentUser used outside a signed-in route');
  return info.user;
}

/** Whether the signed-in user's role grants a permission (the server checks again). */
export function useCan(permission: Permission): boolean {
  return can(useCurrentUser().role, permission);
}
