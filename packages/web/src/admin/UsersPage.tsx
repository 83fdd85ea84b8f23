import { ROLES, type User } from '@careloop/core';
import {
  Badge,
  Button,
  Group,
  Paper,
  Select,
  Switch,
  Table,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { useDebouncedValue, useDisclosure } from '@mantine/hooks';
import { notifications } from '@mantine/notifications';
import { IconPlus, IconSearch } from '@tabler/icons-react';
import { useState } from 'react';
import { useCurrentUser } from '../auth/session';
import { formatDateTime } from '../ui/format';
import { LoadMore } from '../ui/LoadMore';
import { optionsOf, ROLE_LABELS } from '../ui/labels';
import { EmptyMessage, ErrorMessage, errorMessage, LoadingRows } from '../ui/states';
import { useUpdateUser, useUserList } from './api';
import { CreateUserModal } from './CreateUserModal';
import { ConfirmChangeModal, type PendingChange, ResetPasswordModal } from './UserDialogs';

function UserRow({
  user,
  isSelf,
  onPending,
}: {
  user: User;
  isSelf: boolean;
  onPending: (change: PendingChange) => void;
}) {
  const update = useUpdateUser();
  const change = (body: { disabled?: boolean; privacyOfficer?: boolean }, done: string) =>
    update.mutate(
      { id: user.id, ...body },
      {
        onSuccess: () => notifications.show({ color: 'teal', message: done }),
        onError: (error) =>
          notifications.show({
            color: 'red',
            title: 'Could not update the user',
            message: errorMessage(error),
          }),
      },
    );
  return (
    <Table.Tr data-testid="user" style={{ opacity: user.disabled ? 0.6 : 1 }}>
      <Table.Td>
        <Text size="sm" fw={500}>
          {user.displayName}
          {isSelf ? ' (you)' : ''}
        </Text>
        <Text size="xs" c="dimmed">
          {user.email}
        </Text>
      </Table.Td>
      <Table.Td>
        <Select
          aria-label={`Role of ${user.displayName}`}
          size="xs"
          w={170}
          allowDeselect={false}
          // Patients sign in to the portal; their accounts are tied to a record and keep their role.
          data={optionsOf(
            user.role === 'patient' ? ROLES : ROLES.filter((r) => r !== 'patient'),
            ROLE_LABELS,
          )}
          value={user.role}
          disabled={isSelf || user.role === 'patient' || update.isPending}
          onChange={(value) => {
            const role = ROLES.find((r) => r === value);
            // Nothing changes until the admin confirms: the role change ends the sessions.
            if (role && role !== user.role) onPending({ kind: 'role', user, role });
          }}
        />
        {user.role === 'admin' ? (
          <Switch
            mt={6}
            size="xs"
            label="Privacy officer"
            aria-label={`${user.displayName} is a privacy officer`}
            checked={user.privacyOfficer}
            disabled={update.isPending}
            onChange={(e) => {
              const on = e.currentTarget.checked;
              change(
                { privacyOfficer: on },
                on
                  ? `${user.displayName} now reviews every break-glass access`
                  : `${user.displayName} is no longer a privacy officer`,
              );
            }}
          />
        ) : null}
      </Table.Td>
      <Table.Td>
        {user.disabled ? (
          <Badge color="gray">Disabled</Badge>
        ) : (
          <Badge color="teal" variant="light">
            Active
          </Badge>
        )}
        {/* Issue 13: a portal sign-up that has not opened its verification link yet. */}
        {user.emailVerifiedAt === null ? (
          <Badge ml={4} color="yellow" variant="light" title="Cannot book or message yet">
            Email not verified
          </Badge>
        ) : null}
      </Table.Td>
      <Table.Td>{formatDateTime(user.lastLoginAt)}</Table.Td>
      <Table.Td>{formatDateTime(user.createdAt)}</Table.Td>
      <Table.Td>
        {isSelf ? null : (
          <Group gap={4} wrap="nowrap">
            <Button
              size="compact-xs"
              variant="subtle"
              aria-label={`Reset password of ${user.displayName}`}
              onClick={() => onPending({ kind: 'password', user })}
            >
              Reset password
            </Button>
            <Button
              size="compact-xs"
              variant={user.disabled ? 'light' : 'subtle'}
              color={user.disabled ? 'teal' : 'red'}
              aria-label={`${user.disabled ? 'Enable' : 'Disable'} ${user.displayName}`}
              // Only while enabling: the privacy-officer switch shares this row's mutation.
              loading={update.isPending && update.variables?.disabled !== undefined}
              onClick={() =>
                user.disabled
                  ? change({ disabled: false }, `${user.displayName} can sign in again`)
                  : onPending({ kind: 'disable', user })
              }
            >
              {user.disabled ? 'Enable' : 'Disable'}
            </Button>
          </Group>
        )}
      </Table.Td>
    </Table.Tr>
  );
}

/** Applies a confirmed role change or disable, and says what happened. */
function useConfirmedChange(onDone: () => void) {
  const update = useUpdateUser();
  const apply = (change: PendingChange) => {
    if (change.kind === 'password') return;
    const { user } = change;
    const body = change.kind === 'role' ? { role: change.role } : { disabled: true };
    const done =
      change.kind === 'role'
        ? `${user.displayName} is now ${ROLE_LABELS[change.role]} and was signed out`
        : `${user.displayName} is disabled and signed out`;
    update.mutate(
      { id: user.id, ...body },
      {
        onSuccess: () => {
          notifications.show({ color: 'teal', message: done });
          onDone();
        },
        onError: (error) => {
          notifications.show({
            color: 'red',
            title: 'Could not update the user',
            message: errorMessage(error),
          });
          onDone();
        },
      },
    );
  };
  return { apply, busy: update.isPending };
}

export function UsersPage() {
  const me = useCurrentUser();
  const [search, setSearch] = useState('');
  const [q] = useDebouncedValue(search.trim(), 300);
  const users = useUserList({ q: q || undefined });
  const [creating, createModal] = useDisclosure(false);
  const [pending, setPending] = useState<PendingChange | null>(null);
  const confirmed = useConfirmedChange(() => setPending(null));
  const confirming = pending && pending.kind !== 'password' ? pending : null;

  return (
    <>
      <Group justify="space-between" mb="md">
        <Title order={1} size="h2">
          Users
        </Title>
        <Button leftSection={<IconPlus size={16} />} onClick={createModal.open}>
          New user
        </Button>
      </Group>
      <Paper withBorder p="sm" mb="md">
        <TextInput
          label="Search users"
          placeholder="Name or email"
          leftSection={<IconSearch size={16} />}
          value={search}
          onChange={(e) => setSearch(e.currentTarget.value)}
          maw={400}
        />
      </Paper>
      {users.isPending ? (
        <LoadingRows label="Loading users" />
      ) : users.isError && users.items.length === 0 ? (
        <ErrorMessage
          error={users.error}
          onRetry={() => users.refetch()}
          title="Could not load users"
        />
      ) : users.items.length === 0 ? (
        <EmptyMessage title="No users match" />
      ) : (
        <>
          <Table.ScrollContainer minWidth={760}>
            <Table verticalSpacing="xs" aria-label="Users">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>User</Table.Th>
                  <Table.Th>Role</Table.Th>
                  <Table.Th>Status</Table.Th>
                  <Table.Th>Last sign-in</Table.Th>
                  <Table.Th>Created</Table.Th>
                  <Table.Th aria-label="Actions" />
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {users.items.map((user) => (
                  <UserRow
                    key={user.id}
                    user={user}
                    isSelf={user.id === me.id}
                    onPending={setPending}
                  />
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
          <LoadMore
            hasNextPage={users.hasNextPage}
            isFetchingNextPage={users.isFetchingNextPage}
            fetchNextPage={users.fetchNextPage}
          />
        </>
      )}
      <CreateUserModal opened={creating} onClose={createModal.close} />
      <ConfirmChangeModal
        change={confirming}
        busy={confirmed.busy}
        onCancel={() => setPending(null)}
        onConfirm={() => confirming && confirmed.apply(confirming)}
      />
      <ResetPasswordModal
        user={pending?.kind === 'password' ? pending.user : null}
        onClose={() => setPending(null)}
      />
    </>
  );
}
