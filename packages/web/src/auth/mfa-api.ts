import { type MfaDisableBody, routes } from '@careloop/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../api/client';
import { MFA_STATUS_KEY as STATUS_KEY } from './sign-in-api';

const POLICY_KEY = ['organization', 'mfa'] as const;

export function useMfaStatus() {
  return useQuery({ queryKey: STATUS_KEY, queryFn: () => api.call(routes.auth.mfa) });
}

export function useMfaPolicy(enabled: boolean) {
  return useQuery({
    queryKey: POLICY_KEY,
    queryFn: () => api.call(routes.auth.organizationMfa),
    enabled,
  });
}

export function useSetMfaPolicy() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (mfaRequired: boolean) =>
      api.call(routes.auth.setOrganizationMfa, { body: { mfaRequired } }),
    onSuccess: (policy) => {
      client.setQueryData(POLICY_KEY, policy);
      void client.invalidateQueries({ queryKey: STATUS_KEY });
    },
  });
}

export function useStartEnrolment() {
  return useMutation({ mutationFn: () => api.call(routes.auth.mfaEnrol) });
}

/**
 * Confirms enrolment. A sign-in that was waiting for it gets a new session cookie (and CSRF
 * token), so the session is read again afterwards.
 */
export function useConfirmEnrolment() {
  return useMutation({
    mutationFn: (code: string) => api.call(routes.auth.mfaConfirm, { body: { code } }),
  });
}

export function useDisableMfa() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: MfaDisableBody) => api.call(routes.auth.mfaDisable, { body }),
    onSuccess: () => client.invalidateQueries({ queryKey: STATUS_KEY }),
  });
}
