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
import { IconClockExclamation, IconHeartHandshake } from '@tabler/icons-react';
import { lazy, Suspense, useState } from 'react';
import { Link, Navigate, useLocation } from 'react-router';
import { showServerError } from '../ui/server-errors';
import { PageLoader } from '../ui/states';
import { homeFor } from './guards';
import { preloadHome } from './preload';
import { SecondFactorStep } from './SecondFactorStep';
import { useLogin, useSessionQuery } from './session';
import { useRefreshSession } from './sign-in-api';

// Enrolment draws a QR code (the qrcode library): loaded only by those who enrol.
const MfaEnrolment = lazy(async () => ({ default: (await import('./MfaEnrolment')).MfaEnrolment }));
// Issue 13: a portal sign-up not yet verified (it calls the route table: kept off the first visit).
const CheckYourEmail = lazy(async () => ({
  default: (await import('../portal/EmailVerification')).CheckYourEmail,
}));

function returnPath(state: unknown): string | null {
  if (
    typeof state === 'object' &&
    state !== null &&
    'from' in state &&
    typeof state.from === 'string'
  ) {
    return state.from;
  }
  return null;
}

/** The sign-in page of the staff console (`/login`) and of the portal (`/portal/login`). */
export function LoginPage({ audience }: { audience: 'staff' | 'patient' }) {
  const session = useSessionQuery();
  const location = useLocation();
  const login = useLogin();
  const refreshSession = useRefreshSession();
  const [formError, setFormError] = useState<string | null>(null);
  const form = useForm({
    initialValues: { email: '', password: '' },
    validate: {
      email: (value) => (value.trim() ? null : 'Enter your email'),
      password: (value) => (value ? null : 'Enter your password'),
    },
  });

  if (session.isPending) return <PageLoader label="Checking your session" />;
  const stage = session.data?.status === 'signed-in' ? session.data.info.stage : null;
  if (stage === 'email-verify' && session.data?.status === 'signed-in') {
    return (
      <Suspense fallback={<PageLoader label="Loading" />}>
        <CheckYourEmail email={session.data.info.user.email} />
      </Suspense>
    );
  }
  if (stage === 'mfa-code' || stage === 'mfa-enrol') {
    return (
      <Center component="main" mih="100vh" p="md" bg="var(--mantine-color-gray-light)">
        <Paper withBorder shadow="sm" p="xl" radius="md" w={420} maw="100%">
          <Stack>
            <Title order={1} size="h3" ta="center">
              {stage === 'mfa-code' ? 'Two-factor sign-in' : 'Set up two-factor sign-in'}
            </Title>
            {stage === 'mfa-code' ? (
              <SecondFactorStep />
            ) : (
              <>
                <Text size="sm">Your organization requires a second factor for your account.</Text>
                <Suspense fallback={<PageLoader label="Loading" />}>
                  <MfaEnrolment onDone={() => void refreshSession()} />
                </Suspense>
              </>
            )}
          </Stack>
        </Paper>
      </Center>
    );
  }
  if (session.data?.status === 'signed-in') {
    const { role } = session.data.info.user;
    const from = returnPath(location.state);
    const fromPortal = from?.startsWith('/portal') ?? false;
    const target = from && fromPortal === (role === 'patient') ? from : homeFor(role);
    return <Navigate to={target} replace />;
  }
  const expired = session.data?.status === 'signed-out' && session.data.reason === 'expired';

  const submit = form.onSubmit((values) => {
    setFormError(null);
    preloadHome(audience);
    login.mutate(
      { email: values.email.trim(), password: values.password },
      { onError: (error) => setFormError(showServerError(form, error, ['email', 'password'])) },
    );
  });

  return (
    <Center component="main" mih="100vh" p="md" bg="var(--mantine-color-gray-light)">
      <Paper withBorder shadow="sm" p="xl" radius="md" w={380} maw="100%">
        <form onSubmit={submit} noValidate>
          <Stack>
            <Stack gap={4} align="center">
              <IconHeartHandshake size={36} color="var(--mantine-color-teal-6)" aria-hidden />
              <Title order={1} size="h3">
                {audience === 'patient' ? 'Careloop patient portal' : 'Sign in to Careloop'}
              </Title>
              <Text size="sm" c="dimmed">
                {audience === 'patient'
                  ? 'See your appointments and choose how we contact you.'
                  : 'Staff console'}
              </Text>
            </Stack>
            {expired ? (
              <Alert color="yellow" icon={<IconClockExclamation size={18} />} role="status">
                Your session expired. Sign in again to continue.
              </Alert>
            ) : null}
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
            <PasswordInput
              label="Password"
              autoComplete="current-password"
              required
              visibilityToggleButtonProps={{ 'aria-label': 'Show characters' }}
              {...form.getInputProps('password')}
            />
            <Button type="submit" loading={login.isPending} fullWidth>
              Sign in
            </Button>
            <Anchor
              component={Link}
              to={audience === 'patient' ? '/portal/forgot-password' : '/forgot-password'}
              size="sm"
              ta="center"
            >
              Forgot password?
            </Anchor>
            {audience === 'patient' ? (
              <Text size="sm" ta="center">
                New to the portal?{' '}
                <Anchor component={Link} to="/portal/register">
                  Create an account
                </Anchor>
              </Text>
            ) : null}
          </Stack>
        </form>
      </Paper>
    </Center>
  );
}
