import { Alert, Button, Code, Group, Image, List, Stack, Text, TextInput } from '@mantine/core';
import { useForm } from '@mantine/form';
import QRCode from 'qrcode';
import { useState } from 'react';
import { showServerError } from '../ui/server-errors';
import { errorMessage } from '../ui/states';
import { useConfirmEnrolment, useStartEnrolment } from './mfa-api';

type Step =
  | { kind: 'start' }
  | { kind: 'scan'; secret: string; qr: string }
  | { kind: 'codes'; recoveryCodes: string[] };

/**
 * Enrolment as explicit steps: start (a new secret), scan (QR code and the secret as text,
 * confirmed with a code), codes (the recovery codes, shown once). `onDone` runs when the user
 * has saved the codes.
 */
export function MfaEnrolment({ onDone }: { onDone: () => void }) {
  const [step, setStep] = useState<Step>({ kind: 'start' });
  const [error, setError] = useState<string | null>(null);
  const start = useStartEnrolment();
  const confirm = useConfirmEnrolment();
  const form = useForm({
    initialValues: { code: '' },
    validate: { code: (v) => (/^\d{6}$/.test(v.trim()) ? null : 'Enter the 6-digit code') },
  });

  const begin = () => {
    setError(null);
    start.mutate(undefined, {
      onSuccess: async ({ secret, otpauthUri }) => {
        const qr = await QRCode.toDataURL(otpauthUri, { margin: 1, width: 200 });
        setStep({ kind: 'scan', secret, qr });
      },
      onError: (e) => setError(errorMessage(e)),
    });
  };

  if (step.kind === 'start') {
    return (
      <Stack>
        <Text size="sm">
          Two-factor sign-in asks for a code from an authenticator app (such as Google
          Authenticator, Microsoft Authenticator or 1Password) after your password.
        </Text>
        {error ? (
          <Alert color="red" role="alert">
            {error}
          </Alert>
        ) : null}
        <Button onClick={begin} loading={start.isPending}>
          Set up two-factor sign-in
        </Button>
      </Stack>
    );
  }

  if (step.kind === 'scan') {
    const submit = form.onSubmit((values) => {
      setError(null);
      confirm.mutate(values.code.trim(), {
        onSuccess: ({ recoveryCodes }) => setStep({ kind: 'codes', recoveryCodes }),
        onError: (e) => setError(showServerError(form, e, ['code'])),
      });
    });
    return (
      <form onSubmit={submit} noValidate>
        <Stack>
          <Text size="sm">Scan this QR code with your authenticator app:</Text>
          <Image src={step.qr} alt="QR code for your authenticator app" w={200} h={200} />
          <Text size="sm">
            Or enter this key by hand:{' '}
            <Code aria-label="Secret key" data-testid="totp-secret">
              {step.secret}
            </Code>
          </Text>
          {error ? (
            <Alert color="red" role="alert">
              {error}
            </Alert>
          ) : null}
          <TextInput
            label="Code from the app"
            autoComplete="one-time-code"
            inputMode="numeric"
            required
            {...form.getInputProps('code')}
          />
          <Button type="submit" loading={confirm.isPending}>
            Confirm
          </Button>
        </Stack>
      </form>
    );
  }

  return (
    <Stack>
      <Alert color="teal" role="status" title="Two-factor sign-in is on">
        Save these recovery codes somewhere safe. Each one signs you in once if you lose your phone.
        They are shown only now.
      </Alert>
      <List aria-label="Recovery codes" spacing={2}>
        {step.recoveryCodes.map((code) => (
          <List.Item key={code}>
            <Code>{code}</Code>
          </List.Item>
        ))}
      </List>
      <Group>
        <Button onClick={onDone}>I have saved my recovery codes</Button>
      </Group>
    </Stack>
  );
}
