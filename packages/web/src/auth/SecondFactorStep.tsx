import { Alert, Button, Stack, Text, TextInput } from '@mantine/core';
import { useForm } from '@mantine/form';
import { useState } from 'react';
import { showServerError } from '../ui/server-errors';
import { useLogout } from './session';
import { useVerifyCode } from './sign-in-api';

/** The second step of a sign-in: a code from the authenticator app, or a recovery code. */
export function SecondFactorStep() {
  const verify = useVerifyCode();
  const logout = useLogout();
  const [formError, setFormError] = useState<string | null>(null);
  const form = useForm({
    initialValues: { code: '' },
    validate: { code: (v) => (v.trim().length >= 6 ? null : 'Enter the 6-digit code') },
  });
  const submit = form.onSubmit((values) => {
    setFormError(null);
    verify.mutate(values.code.trim(), {
      onError: (error) => {
        form.setFieldValue('code', '');
        setFormError(showServerError(form, error, ['code']));
      },
    });
  });
  return (
    <form onSubmit={submit} noValidate>
      <Stack>
        <Text size="sm">
          Enter the 6-digit code from your authenticator app. Lost your phone? Enter one of your
          recovery codes instead.
        </Text>
        {formError ? (
          <Alert color="red" role="alert">
            {formError}
          </Alert>
        ) : null}
        <TextInput
          label="Authentication code"
          autoComplete="one-time-code"
          inputMode="text"
          required
          data-autofocus
          {...form.getInputProps('code')}
        />
        <Button type="submit" loading={verify.isPending} fullWidth>
          Verify
        </Button>
        <Button variant="subtle" onClick={() => logout.mutate()} loading={logout.isPending}>
          Cancel and sign out
        </Button>
      </Stack>
    </form>
  );
}
