import { signInRoutes } from '@careloop/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api, setCsrfToken } from '../api/client';
import { replaceSession, SESSION_KEY } from './session-state';

/**
 * What the sign-in page needs of two-factor sign-in. It calls the table's route by reference
 * (signInRoutes), without its schema: `routes` would bring TypeBox into the first visit (over
 * its 200 kB budget, docs/adr/0017). The rest of two-factor sign-in (the Security page) is in
 * mfa-api.ts.
 */
export const MFA_STATUS_KEY = ['auth', 'mfa'] as const;

/** Reads the session again (after enrolment replaced it) and the status. */
export function useRefreshSession() {
  const client = useQueryClient();
  return () =>
    Promise.all([
      client.invalidateQueries({ queryKey: SESSION_KEY }),
      client.invalidateQueries({ queryKey: MFA_STATUS_KEY }),
    ]);
}

export function useVerifyCode() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (code: string) => api.call(signInRoutes.mfaVerify, { body: { code } }),
    onSuccess: (info) => {
      setCsrfToken(info.csrfToken);
      replaceSession(client, { status: 'signed-in', info });
    },
  });
}
