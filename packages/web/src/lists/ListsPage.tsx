import { can, type PatientListItem } from '@careloop/core';
import {
  Anchor,
  Badge,
  Button,
  Group,
  Modal,
  Paper,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { useState } from 'react';
import { Link, useNavigate } from 'react-router';
import { useCurrentUser } from '../auth/session';
import { formatDateTime } from '../ui/format';
import { EmptyMessage, ErrorMessage, errorMessage, LoadingRows } from '../ui/states';
import { sourceLabel, useCreateList, usePatientLists } from './api';

/** Where a list came from and who made it: "Journey map · Dana Reyes". */
function origin(list: PatientListItem): string {
  const from = list.source === 'staff' ? 'By hand' : sourceLabel(list.source);
  return list.createdBy ? `${from} · ${list.createdBy}` : from;
}

function CreateListModal({ opened, onClose }: { opened: boolean; onClose: () => void }) {
  const [name, setName] = useState('');
  const create = useCreateList();
  const navigate = useNavigate();
  const close = () => {
    setName('');
    create.reset();
    onClose();
  };
  const submit = () => {
    if (!name.trim()) return;
    create.mutate(
      { name: name.trim() },
      {
        onSuccess: (list) => {
          close();
          void navigate(`/lists/${list.id}`);
        },
      },
    );
  };
  return (
    <Modal opened={opened} onClose={close} title="New list">
      <form
        onSubmit={(e) => {
          e.preventDefault();
          submit();
        }}
      >
        <Stack>
          <TextInput
            label="Name"
            description="Staff see it here; journeys can add patients to it and start on it."
            value={name}
            maxLength={120}
            onChange={(e) => setName(e.currentTarget.value)}
            error={create.error ? errorMessage(create.error) : undefined}
            data-autofocus
          />
          <Group justify="flex-end">
            <Button variant="default" onClick={close}>
              Cancel
            </Button>
            <Button type="submit" loading={create.isPending} disabled={!name.trim()}>
              Create list
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

/** Issue 11 (h11l): the organization's patient lists, with their sizes and origins. */
export function ListsPage() {
  const user = useCurrentUser();
  const lists = usePatientLists();
  const [creating, setCreating] = useState(false);
  const canWrite = can(user.role, 'list:write');
  return (
    <Stack>
      <Group justify="space-between">
        <div>
          <Title order={1} size="h2">
            Lists
          </Title>
          <Text c="dimmed" size="sm">
            Patients chosen by hand: saved from the journey map, kept by staff, filled by journeys.
            Adding a patient starts the journeys that start on the list; removing one ends them.
          </Text>
        </div>
        {canWrite ? <Button onClick={() => setCreating(true)}>New list</Button> : null}
      </Group>
      <Paper withBorder p="md">
        {lists.isPending ? (
          <LoadingRows />
        ) : lists.isError ? (
          <ErrorMessage error={lists.error} onRetry={() => lists.refetch()} />
        ) : lists.data.length === 0 ? (
          <EmptyMessage
            title="No lists yet"
            description="Save patients from a journey map drill-down, enable a ready journey that keeps a list, or make one with “New list”."
          />
        ) : (
          <Table aria-label="Patient lists" striped>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Name</Table.Th>
                <Table.Th>Key</Table.Th>
                <Table.Th ta="right">Patients</Table.Th>
                <Table.Th>From</Table.Th>
                <Table.Th>Created</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {lists.data.map((list) => (
                <Table.Tr key={list.id} data-testid="list-row">
                  <Table.Td>
                    <Anchor component={Link} to={`/lists/${list.id}`} size="sm">
                      {list.name}
                    </Anchor>
                  </Table.Td>
                  <Table.Td>
                    {list.key ? (
                      <Badge variant="light" tt="none">
                        {list.key}
                      </Badge>
                    ) : (
                      <Text size="sm" c="dimmed">
                        —
                      </Text>
                    )}
                  </Table.Td>
                  <Table.Td ta="right">{list.size}</Table.Td>
                  <Table.Td>
                    <Text size="sm">{origin(list)}</Text>
                  </Table.Td>
                  <Table.Td>
                    <Text size="sm">{formatDateTime(list.createdAt)}</Text>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        )}
      </Paper>
      <CreateListModal opened={creating} onClose={() => setCreating(false)} />
    </Stack>
  );
}
