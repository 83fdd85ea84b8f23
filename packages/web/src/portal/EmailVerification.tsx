import { routes } from '@careloop/core';
import { Alert, Anchor, Button, Center, Group, Paper, Stack, Text, Title } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { Link, useSearchParams } from 'react-router';
import { api, setCsrfToken } from '../api/client';
import { useLogout } from '../auth/session';
import { replaceSession } from '../auth/session-state';
import { errorMessage } from '../ui/states';
import { usePortalText } from './i18n';
import { LanguageSwitch } from './LanguageSwitch';

/** This page's words, in the portal's two languages. */
const WORDS = {
  checkTitle: { en: 'Check your email', es: 'Revise su correo electrónico' },
  checkBody: {
    en: 'We sent a link to {email}. Open it to confirm your address, then sign in again. Until then you cannot book visits or send messages.',
    es: 'Enviamos un enlace a {email}. Ábralo para confirmar su dirección y vuelva a iniciar sesión. Hasta entonces no podrá reservar citas ni enviar mensajes.',
  },
  resend: { en: 'Send the link again', es: 'Enviar el enlace de nuevo' },
  signOut: { en: 'Sign out', es: 'Cerrar sesión' },
  verifyTitle: { en: 'Confirm your email', es: 'Confirme su correo electrónico' },
  verifyBody: {
    en: 'Confirm that this email address is yours to start using the patient portal.',
    es: 'Confirme que esta dirección de correo es suya para empezar a usar el portal del paciente.',
  },
  verify: { en: 'Confirm my email', es: 'Confirmar mi correo' },
  signIn: { en: 'Sign in', es: 'Iniciar sesión' },
  verified: {
    en: 'Your email is verified. Sign in to book visits and message your care team.',
    es: 'Su correo está confirmado. Inicie sesión para reservar citas y escribir a su equipo de atención.',
  },
  resent: {
    en: 'We sent a new link. It works once, for 24 hours.',
    es: 'Enviamos un enlace nuevo. Funciona una sola vez, durante 24 horas.',
  },
  noToken: {
    en: 'This link is incomplete. Open the link from the email again, or sign in to ask for a new one.',
    es: 'Este enlace está incompleto. Abra de nuevo el enlace del correo o inicie sesión para pedir uno nuevo.',
  },
} as const;

function useWords() {
  const { language } = usePortalText();
  return (key: keyof typeof WORDS, values: Record<string, string> = {}) =>
    WORDS[key][language].replace(/\{(\w+)\}/g, (_, name: string) => values[name] ?? `{${name}}`);
}

function Card({ title, children }: { title: string; children: ReactNode }) {
  return (
    <Center component="main" mih="100vh" p="md" bg="var(--mantine-color-gray-light)">
      <Paper withBorder shadow="sm" p="xl" radius="md" w={440} maw="100%">
        <Stack>
          <Group justify="flex-end">
            <LanguageSwitch />
          </Group>
          <Title order={1} size="h3" ta="center">
            {title}
          </Title>
          {children}
        </Stack>
      </Paper>
    </Center>
  );
}

/**
 * What a patient who signed up sees after signing in, until they open the link emailed to
 * them (session stage `email-verify`): where the link went, "send it again" and sign out.
 */
export function CheckYourEmail({ email }: { email: string }) {
  const w = useWords();
  const logout = useLogout();
  const resend = useMutation({
    mutationFn: () => api.call(routes.portal.resendVerification),
  });
  return (
    <Card title={w('checkTitle')}>
      <Text size="sm">{w('checkBody', { email })}</Text>
      {resend.isSuccess ? (
        <Alert color="teal" role="status">
          {w('resent')}
        </Alert>
      ) : null}
      {resend.isError ? (
        <Alert color="red" role="alert">
          {errorMessage(resend.error)}
        </Alert>
      ) : null}
      <Button variant="light" loading={resend.isPending} onClick={() => resend.mutate()}>
        {w('resend')}
      </Button>
      <Button variant="subtle" loading={logout.isPending} onClick={() => logout.mutate()}>
        {w('signOut')}
      </Button>
    </Card>
  );
}

/**
 * The page a verification link opens (`/portal/verify-email?token=…`). It verifies on a click,
 * not on load, so a mail scanner fetching the link verifies nothing.
 */
export function VerifyEmailPage() {
  const w = useWords();
  const [params] = useSearchParams();
  const token = params.get('token') ?? '';
  const client = useQueryClient();
  const verify = useMutation({
    mutationFn: () => api.call(routes.portal.verifyEmail, { body: { token } }),
    // The server ended the "check your email" sessions: this browser signs in afresh.
    onSuccess: () => {
      setCsrfToken(null);
      replaceSession(client, { status: 'signed-out', reason: 'none' });
    },
  });
  if (!token) {
    return (
      <Card title={w('verifyTitle')}>
        <Alert color="red" role="alert">
          {w('noToken')}
        </Alert>
        <Anchor component={Link} to="/portal/login" ta="center">
          {w('signIn')}
        </Anchor>
      </Card>
    );
  }
  return (
    <Card title={w('verifyTitle')}>
      {verify.isSuccess ? (
        <>
          <Alert color="teal" role="status">
            {w('verified')}
          </Alert>
          <Button component={Link} to="/portal/login">
            {w('signIn')}
          </Button>
        </>
      ) : (
        <>
          <Text size="sm">{w('verifyBody')}</Text>
          {verify.isError ? (
            <Alert color="red" role="alert">
              {errorMessage(verify.error)}
            </Alert>
          ) : null}
          <Button loading={verify.isPending} onClick={() => verify.mutate()}>
            {w('verify')}
          </Button>
          <Anchor component={Link} to="/portal/login" ta="center" size="sm">
            {w('signIn')}
          </Anchor>
        </>
      )}
    </Card>
  );
}
