import { type PasswordResetConfirm, type PasswordResetRequest, routes } from '@careloop/core';
import { useMutation } from '@tanstack/react-query';
import { api } from '../api/client';

export function useRequestPasswordReset() {
  return useMutation({
    mutationFn: (body: PasswordResetRequest) => api.call(routes.auth.passwordReset, { body }),
  });
}

export function useConfirmPasswordReset() {
  return useMutation({
    mutationFn: (body: PasswordResetConfirm) =>
      api.call(routes.auth.passwordResetConfirm, { body }),
  });
}
