import {
  Alert,
  Anchor,
  Button,
  Center,
  Paper,
  PasswordInput,
  Stack,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { useForm } from '@mantine/form';
import { type ReactNode, useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import { showServerError } from '../ui/server-errors';
import { useConfirmPasswordReset, useRequestPasswordReset } from './password-reset-api';

type Audience = 'staff' | 'patient';
const signInPath = (audience: Audience) => (audience === 'patient' ? '/portal/login' : '/login');

function Card({ title, children }: { title: string; children: ReactNode }) {
  return (
    <Center mih="100vh" p="md" bg="var(--mantine-color-gray-light)">
      <Paper withBorder shadow="sm" p="xl" radius="md" w={400} maw="100%">
        <Stack>
          <Title order={1} size="h3" ta="center">
            {title}
          </Title>
          {children}
        </Stack>
      </Paper>
    </Center>
  );
}

/** "Forgot password?": asks for the address and says the same whatever the answer. */
export function ForgotPasswordPage({ audience }: { audience: Audience }) {
  const request = useRequestPasswordReset();
  const [sent, setSent] = useState<string | null>(null);
  const [formError, setFormError] = useState<string | null>(null);
  const form = useForm({
    initialValues: { email: '' },
    validate: { email: (value) => (value.trim() ? null : 'Enter your email') },
  });
  const submit = form.onSubmit((values) => {
    setFormError(null);
    request.mutate(
      { email: values.email.trim() },
      {
        onSuccess: (answer) => setSent(answer.message),
        onError: (error) => setFormError(showServerError(form, error, ['email'])),
      },
    );
  });
  return (
    <Card title="Forgot your password?">
      {sent ? (
        <Alert color="teal" role="status">
          {sent}
        </Alert>
      ) : (
        <form onSubmit={submit} noValidate>
          <Stack>
            <Text size="sm">
              Enter the email you sign in with. We will send you a link to set a new password.
            </Text>
            {formError ? (
              <Alert color="red" role="alert">
                {formError}
              </Alert>
            ) : null}
            <TextInput
              label="Email"
              type="email"
              autoComplete="username"
              required
              {...form.getInputProps('email')}
            />
            <Button type="submit" loading={request.isPending} fullWidth>
              Send the link
            </Button>
          </Stack>
        </form>
      )}
      <Anchor component={Link} to={signInPath(audience)} size="sm" ta="center">
        Back to sign in
      </Anchor>
    </Card>
  );
}

/** The page a reset link opens: a new password, once. */
export function ResetPasswordPage({ audience }: { audience: Audience }) {
  const [params] = useSearchParams();
  const token = params.get('token') ?? '';
  const confirm = useConfirmPasswordReset();
  const [done, setDone] = useState<string | null>(null);
  const [formError, setFormError] = useState<string | null>(null);
  const form = useForm({
    initialValues: { password: '', repeat: '' },
    validate: {
      password: (value) => (value.length >= 12 ? null : 'Use at least 12 characters'),
      repeat: (value, values) => (value === values.password ? null : 'The passwords differ'),
    },
  });
  const submit = form.onSubmit((values) => {
    setFormError(null);
    confirm.mutate(
      { token, password: values.password },
      {
        onSuccess: (answer) => setDone(answer.message),
        onError: (error) => setFormError(showServerError(form, error, ['password'])),
      },
    );
  });
  return (
    <Card title="Set a new password">
      {done ? (
        <Alert color="teal" role="status">
          {done}
        </Alert>
      ) : (
        <form onSubmit={submit} noValidate>
          <Stack>
            {formError ? (
              <Alert color="red" role="alert">
                {formError}
              </Alert>
            ) : null}
            <PasswordInput
              label="New password"
              description="At least 12 characters, hard to guess: a few unrelated words work well."
              autoComplete="new-password"
              required
              visibilityToggleButtonProps={{ 'aria-label': 'Show characters' }}
              {...form.getInputProps('password')}
            />
            <PasswordInput
              label="Repeat the new password"
              autoComplete="new-password"
              required
              visibilityToggleButtonProps={{ 'aria-label': 'Show characters' }}
              {...form.getInputProps('repeat')}
            />
            <Button type="submit" loading={confirm.isPending} fullWidth>
              Set password
            </Button>
          </Stack>
        </form>
      )}
      <Anchor component={Link} to={signInPath(audience)} size="sm" ta="center">
        Sign in
      </Anchor>
    </Card>
  );
}
