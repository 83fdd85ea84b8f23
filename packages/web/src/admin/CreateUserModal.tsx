import { ROLES, type Role } from '@careloop/core';
import {
  Alert,
  Button,
  Code,
  CopyButton,
  Group,
  Modal,
  PasswordInput,
  Select,
  Stack,
  Text,
  TextInput,
} from '@mantine/core';
import { useForm } from '@mantine/form';
import { notifications } from '@mantine/notifications';
import { IconCheck, IconCopy } from '@tabler/icons-react';
import { useState } from 'react';
import type { UserCreated } from '../api/contract';
import { PatientPicker } from '../patients/PatientPicker';
import { optionsOf, ROLE_LABELS } from '../ui/labels';
import { showServerError } from '../ui/server-errors';
import { useCreateUser } from './api';

interface UserFormValues {
  email: string;
  displayName: string;
  role: Role | null;
  password: string;
  patientId: string | null;
}

const FIELDS = ['email', 'displayName', 'role', 'password', 'patientId'];

/** The generated password is shown exactly once: the server does not keep it readable. */
function GeneratedPassword({ created, onDone }: { created: UserCreated; onDone: () => void }) {
  return (
    <Stack>
      <Text size="sm">
        {created.user.displayName} ({created.user.email}) can now sign in with this password. It is
        shown only once: copy it and hand it over securely.
      </Text>
      <Group gap="xs" wrap="nowrap">
        <Code block style={{ flex: 1, fontSize: 16 }} data-testid="generated-password">
          {created.generatedPassword}
        </Code>
        <CopyButton value={created.generatedPassword ?? ''}>
          {({ copied, copy }) => (
            <Button
              variant={copied ? 'filled' : 'light'}
              color={copied ? 'teal' : undefined}
              leftSection={copied ? <IconCheck size={16} /> : <IconCopy size={16} />}
              onClick={copy}
            >
              {copied ? 'Copied' : 'Copy'}
            </Button>
          )}
        </CopyButton>
      </Group>
      <Group justify="flex-end">
        <Button onClick={onDone}>Done</Button>
      </Group>
    </Stack>
  );
}

function UserForm({
  onClose,
  onCreated,
}: {
  onClose: () => void;
  onCreated: (created: UserCreated) => void;
}) {
  const create = useCreateUser();
  const [formError, setFormError] = useState<string | null>(null);
  const form = useForm<UserFormValues>({
    initialValues: { email: '', displayName: '', role: null, password: '', patientId: null },
    validate: {
      email: (v) => (/^\S+@\S+\.\S+$/.test(v.trim()) ? null : 'Enter an email address'),
      displayName: (v) => (v.trim() ? null : 'Enter a name'),
      role: (v) => (v ? null : 'Choose a role'),
      password: (v) =>
        v === '' || v.length >= 12
          ? null
          : 'At least 12 characters, or leave empty to generate one',
      patientId: (v, values) =>
        values.role === 'patient' && !v ? 'Choose the patient this account belongs to' : null,
    },
  });

  const submit = form.onSubmit((values) => {
    if (!values.role) return;
    setFormError(null);
    create.mutate(
      {
        email: values.email.trim(),
        displayName: values.displayName.trim(),
        role: values.role,
        ...(values.password ? { password: values.password } : {}),
        ...(values.role === 'patient' ? { patientId: values.patientId } : {}),
      },
      {
        onSuccess: onCreated,
        onError: (error) => setFormError(showServerError(form, error, FIELDS)),
      },
    );
  });

  return (
    <form onSubmit={submit} noValidate>
      <Stack>
        {formError ? <Alert color="red">{formError}</Alert> : null}
        <TextInput
          label="Email"
          type="email"
          required
          data-autofocus
          {...form.getInputProps('email')}
        />
        <TextInput label="Name" required {...form.getInputProps('displayName')} />
        <Select
          label="Role"
          required
          data={optionsOf(ROLES, ROLE_LABELS)}
          {...form.getInputProps('role')}
        />
        {form.values.role === 'patient' ? (
          <PatientPicker
            label="Patient record"
            value={form.values.patientId}
            onChange={(id) => form.setFieldValue('patientId', id)}
            error={typeof form.errors.patientId === 'string' ? form.errors.patientId : undefined}
          />
        ) : null}
        <PasswordInput
          label="Initial password"
          description="Leave empty to generate a strong one"
          autoComplete="new-password"
          visibilityToggleButtonProps={{ 'aria-label': 'Show characters' }}
          {...form.getInputProps('password')}
        />
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            Cancel
          </Button>
          <Button type="submit" loading={create.isPending}>
            Create user
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

export function CreateUserModal({ opened, onClose }: { opened: boolean; onClose: () => void }) {
  const [created, setCreated] = useState<UserCreated | null>(null);
  const close = () => {
    setCreated(null);
    onClose();
  };
  const onCreated = (result: UserCreated) => {
    if (result.generatedPassword) {
      setCreated(result);
    } else {
      notifications.show({ color: 'teal', message: `${result.user.displayName} can now sign in` });
      close();
    }
  };
  return (
    <Modal
      opened={opened}
      onClose={close}
      title={created ? 'User created' : 'New user'}
      // Closing by accident would lose the only copy of the password.
      closeOnClickOutside={!created}
      closeOnEscape={!created}
    >
      {!opened ? null : created ? (
        <GeneratedPassword created={created} onDone={close} />
      ) : (
        <UserForm onClose={close} onCreated={onCreated} />
      )}
    </Modal>
  );
}
