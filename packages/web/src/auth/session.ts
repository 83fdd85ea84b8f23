import {
  can,
  type LoginBody,
  type Permission,
  type SessionInfo,
  type SessionUser,
} from '@careloop/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { createContext, useContext } from 'react';
import { ApiError, api, isApiError, setCsrfToken } from '../api/client';
import { replaceSession, SESSION_KEY, type SessionState } from './session-state';

async function fetchSession(): Promise<SessionState> {
  try {
    const info = await api.get<SessionInfo>('/api/auth/me');
    setCsrfToken(info.csrfToken);
    return { status: 'signed-in', info };
  } catch (error) {
    if (isApiError(error) && error.status === 401) {
      setCsrfToken(null);
      return {
        status: 'signed-out',
        reason: error.code === 'session_expired' ? 'expired' : 'none',
      };
    }
    throw error;
  }
}

/** The session from `GET /api/auth/me`; undefined while loading. */
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
    mutationFn: (body: LoginBody) => api.post<SessionInfo>('/api/auth/login', body),
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
        await api.post<null>('/api/auth/logout');
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
