import type {
  PasswordResetConfirm,
  PasswordResetDone,
  PasswordResetRequest,
  PasswordResetRequested,
} from '@careloop/core';
import { useMutation } from '@tanstack/react-query';
import { api } from '../api/client';

export function useRequestPasswordReset() {
  return useMutation({
    mutationFn: (body: PasswordResetRequest) =>
      api.post<PasswordResetRequested>('/api/auth/password-reset', body),
  });
}

export function useConfirmPasswordReset() {
  return useMutation({
    mutationFn: (body: PasswordResetConfirm) =>
      api.post<PasswordResetDone>('/api/auth/password-reset/confirm', body),
  });
}
