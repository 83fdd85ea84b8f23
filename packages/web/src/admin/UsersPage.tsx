import { ROLES, type User } from '@careloop/core';
import { Badge, Button, Group, Paper, Select, Table, Text, TextInput, Title } from '@mantine/core';
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

function UserRow({ user, isSelf }: { user: User; isSelf: boolean }) {
  const update = useUpdateUser();
  const change = (body: { role?: User['role']; disabled?: boolean }, done: string) =>
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
            if (role && role !== user.role)
              change({ role }, `${user.displayName} is now ${ROLE_LABELS[role]}`);
          }}
        />
      </Table.Td>
      <Table.Td>
        {user.disabled ? (
          <Badge color="gray">Disabled</Badge>
        ) : (
          <Badge color="teal" variant="light">
            Active
          </Badge>
        )}
      </Table.Td>
      <Table.Td>{formatDateTime(user.lastLoginAt)}</Table.Td>
      <Table.Td>{formatDateTime(user.createdAt)}</Table.Td>
      <Table.Td>
        {isSelf ? null : (
          <Button
            size="compact-xs"
            variant={user.disabled ? 'light' : 'subtle'}
            color={user.disabled ? 'teal' : 'red'}
            loading={update.isPending}
            onClick={() =>
              change(
                { disabled: !user.disabled },
                user.disabled
                  ? `${user.displayName} can sign in again`
                  : `${user.displayName} is disabled and signed out`,
              )
            }
          >
            {user.disabled ? 'Enable' : 'Disable'}
          </Button>
        )}
      </Table.Td>
    </Table.Tr>
  );
}

export function UsersPage() {
  const me = useCurrentUser();
  const [search, setSearch] = useState('');
  const [q] = useDebouncedValue(search.trim(), 300);
  const users = useUserList({ q: q || undefined });
  const [creating, createModal] = useDisclosure(false);

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
                  <UserRow key={user.id} user={user} isSelf={user.id === me.id} />
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
    </>
  );
}
