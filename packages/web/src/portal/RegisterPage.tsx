import { type PortalRegistration, routes } from '@careloop/core';
import {
  Alert,
  Anchor,
  Button,
  Center,
  Group,
  Paper,
  PasswordInput,
  Select,
  Stack,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { useForm } from '@mantine/form';
import { IconHeartHandshake } from '@tabler/icons-react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, Navigate, useSearchParams } from 'react-router';
import { api, setCsrfToken } from '../api/client';
import { replaceSession } from '../auth/session-state';
import { showServerError } from '../ui/server-errors';
import { PageLoader } from '../ui/states';
import { usePortalText } from './i18n';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const FIELDS = [
  'organizationId',
  'givenName',
  'familyName',
  'birthDate',
  'administrativeSex',
  'email',
  'phone',
  'password',
] as const;

/**
 * Portal sign-up (`/portal/register?org=<organization id>`): the clinic publishes the link.
 * Without it, the patient chooses among the organizations listed for sign-up (or the only one).
 * The new account sees only what the patient entered until staff confirm who they are.
 */
export function RegisterPage() {
  const [params] = useSearchParams();
  const linked = params.get('org') ?? '';
  const listed = useQuery({
    queryKey: ['portal', 'organizations'],
    queryFn: () => api.call(routes.directory.portalOrganizations),
    enabled: !UUID.test(linked),
    staleTime: 5 * 60_000,
  });
  const choices = listed.data?.items ?? [];
  const client = useQueryClient();
  const [formError, setFormError] = useState<string | null>(null);
  const [done, setDone] = useState(false);
  const { language } = usePortalText();
  const register = useMutation({
    // The sign-up answers the same whether or not the email had an account (no enumeration):
    // signing in with the password then says whether it opens one.
    mutationFn: async (body: PortalRegistration) => {
      await api.call(routes.portal.register, { body });
      return api.call(routes.auth.login, {
        body: { email: body.email, password: body.password },
      });
    },
    onSuccess: (info) => {
      setCsrfToken(info.csrfToken);
      replaceSession(client, { status: 'signed-in', info });
      setDone(true);
    },
  });
  const form = useForm({
    initialValues: {
      organizationId: '',
      givenName: '',
      familyName: '',
      birthDate: '',
      administrativeSex: '',
      email: '',
      phone: '',
      password: '',
      confirm: '',
    },
    validate: {
      givenName: (v) => (v.trim() ? null : 'Enter your given name'),
      familyName: (v) => (v.trim() ? null : 'Enter your family name'),
      birthDate: (v) => (/^\d{4}-\d{2}-\d{2}$/.test(v) ? null : 'Enter your date of birth'),
      email: (v) => (/^\S+@\S+\.\S+$/.test(v.trim()) ? null : 'Enter a valid email address'),
      password: (v) => (v.length >= 12 ? null : 'Use at least 12 characters'),
      confirm: (v, values) => (v === values.password ? null : 'The passwords do not match'),
    },
  });

  if (done) return <Navigate to="/portal" replace />;
  const only = choices.length === 1 ? choices[0] : undefined;
  if (!UUID.test(linked) && listed.isPending) return <PageLoader />;
  if (!UUID.test(linked) && choices.length === 0) {
    return (
      <Center component="main" mih="100vh" p="md">
        <Alert color="red" role="alert" title="Ask your clinic for its sign-up link">
          No clinic takes portal sign-ups here without its own link. Use the sign-up link your
          clinic gave you, or{' '}
          <Anchor component={Link} to="/portal/login">
            sign in
          </Anchor>{' '}
          if you already have an account.
        </Alert>
      </Center>
    );
  }

  const submit = form.onSubmit((values) => {
    setFormError(null);
    const organizationId = UUID.test(linked) ? linked : (only?.id ?? values.organizationId);
    if (!organizationId) {
      form.setFieldError('organizationId', 'Choose your clinic');
      return;
    }
    register.mutate(
      {
        organizationId,
        givenName: values.givenName.trim(),
        familyName: values.familyName.trim(),
        birthDate: values.birthDate,
        email: values.email.trim(),
        password: values.password,
        // The verification email is written in the portal's language.
        language,
        ...(values.phone.trim() ? { phone: values.phone.trim() } : {}),
        ...(values.administrativeSex
          ? {
              administrativeSex: values.administrativeSex as NonNullable<
                PortalRegistration['administrativeSex']
              >,
            }
          : {}),
      },
      { onError: (error) => setFormError(showServerError(form, error, FIELDS)) },
    );
  });

  return (
    <Center component="main" mih="100vh" p="md" bg="var(--mantine-color-gray-light)">
      <Paper withBorder shadow="sm" p="xl" radius="md" w={460} maw="100%">
        <form onSubmit={submit} noValidate>
          <Stack>
            <Stack gap={4} align="center">
              <IconHeartHandshake size={36} color="var(--mantine-color-teal-6)" aria-hidden />
              <Title order={1} size="h3">
                Create your portal account
              </Title>
              <Text size="sm" c="dimmed" ta="center">
                If you are already a patient, our staff will confirm who you are before your
                appointments and records appear here.
              </Text>
            </Stack>
            {formError ? (
              <Alert color="red" role="alert">
                {formError}
              </Alert>
            ) : null}
            {UUID.test(linked) ? null : only ? (
              <Text size="sm" ta="center" data-testid="register-organization">
                Signing up with <strong>{only.name}</strong>
              </Text>
            ) : (
              <Select
                label="Your clinic"
                placeholder="Choose your clinic"
                required
                searchable
                data={choices.map((o) => ({ value: o.id, label: o.name }))}
                {...form.getInputProps('organizationId')}
              />
            )}
            <Group grow align="flex-start">
              <TextInput
                label="Given name"
                autoComplete="given-name"
                required
                {...form.getInputProps('givenName')}
              />
              <TextInput
                label="Family name"
                autoComplete="family-name"
                required
                {...form.getInputProps('familyName')}
              />
            </Group>
            <Group grow align="flex-start">
              <TextInput
                label="Date of birth"
                type="date"
                autoComplete="bday"
                required
                {...form.getInputProps('birthDate')}
              />
              <Select
                label="Sex"
                placeholder="Prefer not to say"
                clearable
                data={[
                  { value: 'female', label: 'Female' },
                  { value: 'male', label: 'Male' },
                  { value: 'other', label: 'Other' },
                ]}
                {...form.getInputProps('administrativeSex')}
              />
            </Group>
            <TextInput
              label="Email"
              type="email"
              autoComplete="email"
              required
              {...form.getInputProps('email')}
            />
            <TextInput
              label="Mobile phone"
              type="tel"
              autoComplete="tel"
              {...form.getInputProps('phone')}
            />
            <PasswordInput
              label="Password"
              description="At least 12 characters"
              autoComplete="new-password"
              required
              visibilityToggleButtonProps={{ 'aria-label': 'Show characters' }}
              {...form.getInputProps('password')}
            />
            <PasswordInput
              label="Confirm password"
              autoComplete="new-password"
              required
              visibilityToggleButtonProps={{ 'aria-label': 'Show characters' }}
              {...form.getInputProps('confirm')}
            />
            <Button type="submit" loading={register.isPending} fullWidth>
              Create account
            </Button>
            <Text size="sm" ta="center">
              Already have an account?{' '}
              <Anchor component={Link} to="/portal/login">
                Sign in
              </Anchor>
            </Text>
          </Stack>
        </form>
      </Paper>
    </Center>
  );
}
