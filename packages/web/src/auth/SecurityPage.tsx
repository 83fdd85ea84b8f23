import {
  Alert,
  Badge,
  Button,
  Group,
  Paper,
  PasswordInput,
  Stack,
  Switch,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { useForm } from '@mantine/form';
import { notifications } from '@mantine/notifications';
import { useState } from 'react';
import { showServerError } from '../ui/server-errors';
import { ErrorMessage, errorMessage, PageLoader } from '../ui/states';
import { MfaEnrolment } from './MfaEnrolment';
import { useDisableMfa, useMfaPolicy, useMfaStatus, useSetMfaPolicy } from './mfa-api';
import { useCan } from './session';

function TurnOff() {
  const disable = useDisableMfa();
  const [formError, setFormError] = useState<string | null>(null);
  const form = useForm({
    initialValues: { password: '', code: '' },
    validate: {
      password: (v) => (v ? null : 'Enter your password'),
      code: (v) => (v.trim().length >= 6 ? null : 'Enter a code'),
    },
  });
  const submit = form.onSubmit((values) => {
    setFormError(null);
    disable.mutate(
      { password: values.password, code: values.code.trim() },
      {
        onSuccess: () =>
          notifications.show({ color: 'teal', message: 'Two-factor sign-in is off' }),
        onError: (error) => setFormError(showServerError(form, error, ['password', 'code'])),
      },
    );
  });
  return (
    <form onSubmit={submit} noValidate>
      <Stack gap="xs">
        <Text size="sm" fw={500}>
          Turn off two-factor sign-in
        </Text>
        {formError ? (
          <Alert color="red" role="alert">
            {formError}
          </Alert>
        ) : null}
        <PasswordInput label="Password" required {...form.getInputProps('password')} />
        <TextInput
          label="Authentication code"
          autoComplete="one-time-code"
          required
          {...form.getInputProps('code')}
        />
        <Group>
          <Button type="submit" color="red" variant="light" loading={disable.isPending}>
            Turn off
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

function OrganizationPolicy() {
  const policy = useMfaPolicy(true);
  const update = useSetMfaPolicy();
  if (!policy.data) return null;
  return (
    <Paper withBorder p="md">
      <Stack gap="xs">
        <Title order={2} size="h4">
          Organization
        </Title>
        <Switch
          label="Require two-factor sign-in of all staff"
          description={
            policy.data.mfaAdminsExempt
              ? 'Admins of this demonstration organization sign in with a password alone unless this is on.'
              : 'Admins always need it.'
          }
          checked={policy.data.mfaRequired}
          disabled={update.isPending}
          onChange={(event) =>
            update.mutate(event.currentTarget.checked, {
              onError: (error) =>
                notifications.show({
                  color: 'red',
                  title: 'Could not change the policy',
                  message: errorMessage(error),
                }),
            })
          }
        />
      </Stack>
    </Paper>
  );
}

/** The signed-in user's own security settings: two-factor sign-in (TOTP) and its policy. */
export function SecurityPage() {
  const status = useMfaStatus();
  const isAdmin = useCan('user:write');
  if (status.isPending) return <PageLoader label="Loading security settings" />;
  if (status.isError) return <ErrorMessage error={status.error} onRetry={() => status.refetch()} />;
  const { enabled, required, recoveryCodesLeft } = status.data;
  return (
    <Stack maw={560}>
      <Title order={1} size="h2">
        Security
      </Title>
      <Paper withBorder p="md">
        <Stack>
          <Group justify="space-between">
            <Title order={2} size="h4">
              Two-factor sign-in
            </Title>
            {enabled ? <Badge color="teal">On</Badge> : <Badge color="gray">Off</Badge>}
          </Group>
          {enabled ? (
            <>
              <Text size="sm">
                {recoveryCodesLeft} recovery code{recoveryCodesLeft === 1 ? '' : 's'} left.
              </Text>
              {required ? (
                <Text size="sm" c="dimmed">
                  Your organization requires two-factor sign-in for your account.
                </Text>
              ) : (
                <TurnOff />
              )}
            </>
          ) : (
            <MfaEnrolment onDone={() => void status.refetch()} />
          )}
        </Stack>
      </Paper>
      {isAdmin ? <OrganizationPolicy /> : null}
    </Stack>
  );
}
