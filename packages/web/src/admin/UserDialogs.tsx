import type { Role, User } from '@careloop/core';
import {
  Alert,
  Button,
  Code,
  CopyButton,
  Group,
  Modal,
  PasswordInput,
  Stack,
  Text,
} from '@mantine/core';
import { IconCheck, IconCopy } from '@tabler/icons-react';
import { useState } from 'react';
import { ROLE_LABELS } from '../ui/labels';
import { errorMessage } from '../ui/states';
import { useUpdateUser } from './api';

/** A pending change to an account that ends its sessions: stated, then confirmed. */
export type PendingChange =
  | { kind: 'role'; user: User; role: Role }
  | { kind: 'disable'; user: User }
  | { kind: 'password'; user: User };

/** Confirms a role change or a disable, stating what it does to the account. */
export function ConfirmChangeModal({
  change,
  onConfirm,
  onCancel,
  busy,
}: {
  change: Extract<PendingChange, { kind: 'role' | 'disable' }> | null;
  onConfirm: () => void;
  onCancel: () => void;
  busy: boolean;
}) {
  const user = change?.user;
  const title =
    change?.kind === 'role'
      ? `Change ${user?.displayName}'s role?`
      : change
        ? `Disable ${user?.displayName}?`
        : '';
  return (
    <Modal opened={change !== null} onClose={onCancel} title={title}>
      {change && user ? (
        <Stack>
          {change.kind === 'role' ? (
            <Text size="sm">
              {user.displayName} goes from {ROLE_LABELS[user.role]} to {ROLE_LABELS[change.role]}.
              They are signed out of every session now, and from their next sign-in they can do only
              what a {ROLE_LABELS[change.role]} can.
              {user.privacyOfficer && change.role !== 'admin'
                ? ' They stop being a privacy officer.'
                : ''}
            </Text>
          ) : (
            <Text size="sm">
              {user.displayName} is signed out of every session now and cannot sign in until an
              admin enables the account again. Their tasks stay assigned to them.
            </Text>
          )}
          <Group justify="flex-end">
            <Button variant="default" onClick={onCancel}>
              Cancel
            </Button>
            <Button color="red" loading={busy} onClick={onConfirm} data-autofocus>
              {change.kind === 'role' ? `Change role and sign out` : 'Disable and sign out'}
            </Button>
          </Group>
        </Stack>
      ) : null}
    </Modal>
  );
}

/** A temporary password from the browser's CSPRNG: 20 letters and digits in groups of five. */
export function temporaryPassword(): string {
  const alphabet = 'abcdefghjkmnpqrstuvwxyzACDEFGHJKLMNPQRSTUVWXYZ23456789';
  const bytes = crypto.getRandomValues(new Uint8Array(20));
  const chars = [...bytes].map((b) => alphabet[b % alphabet.length] ?? 'x');
  return [0, 5, 10, 15].map((i) => chars.slice(i, i + 5).join('')).join('-');
}

/**
 * Sets a temporary password the admin hands over (the API takes the password, it does not
 * make one): typed, or generated here. The account's sessions end.
 */
export function ResetPasswordModal({ user, onClose }: { user: User | null; onClose: () => void }) {
  const update = useUpdateUser();
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const close = () => {
    setPassword('');
    setError(null);
    setDone(null);
    update.reset();
    onClose();
  };
  const submit = () => {
    if (!user) return;
    setError(null);
    update.mutate(
      { id: user.id, password },
      { onSuccess: () => setDone(password), onError: (e) => setError(errorMessage(e)) },
    );
  };
  return (
    <Modal
      opened={user !== null}
      onClose={close}
      title={user ? `Reset ${user.displayName}'s password` : ''}
      // Closing by accident would lose the only copy of the password.
      closeOnClickOutside={done === null}
      closeOnEscape={done === null}
    >
      {user && done !== null ? (
        <Stack>
          <Alert color="teal">
            {user.displayName} is signed out everywhere. Give them this temporary password
            privately; it is not shown again.
          </Alert>
          <Group gap="xs" wrap="nowrap">
            <Code block style={{ flex: 1, fontSize: 16 }} data-testid="temporary-password">
              {done}
            </Code>
            <CopyButton value={done}>
              {({ copied, copy }) => (
                <Button
                  variant={copied ? 'filled' : 'light'}
                  leftSection={copied ? <IconCheck size={16} /> : <IconCopy size={16} />}
                  onClick={copy}
                >
                  {copied ? 'Copied' : 'Copy'}
                </Button>
              )}
            </CopyButton>
          </Group>
          <Group justify="flex-end">
            <Button onClick={close}>Done</Button>
          </Group>
        </Stack>
      ) : user ? (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            submit();
          }}
          noValidate
        >
          <Stack>
            <Text size="sm">
              The new password replaces the old one at once and signs {user.displayName} out of
              every session.
            </Text>
            <Group align="flex-end" wrap="nowrap">
              <PasswordInput
                label="Temporary password"
                description="At least 12 characters"
                style={{ flex: 1 }}
                value={password}
                onChange={(e) => setPassword(e.currentTarget.value)}
                error={error}
                data-autofocus
              />
              <Button variant="light" onClick={() => setPassword(temporaryPassword())}>
                Generate
              </Button>
            </Group>
            <Group justify="flex-end">
              <Button variant="default" onClick={close}>
                Cancel
              </Button>
              <Button
                type="submit"
                color="red"
                loading={update.isPending}
                disabled={password.length === 0}
              >
                Reset password and sign out
              </Button>
            </Group>
          </Stack>
        </form>
      ) : null}
    </Modal>
  );
}
