import { can, type PatientListMember } from '@careloop/core';
import {
  Anchor,
  Breadcrumbs,
  Button,
  Group,
  Modal,
  Paper,
  Stack,
  Table,
  Text,
  Title,
  VisuallyHidden,
} from '@mantine/core';
import { useState } from 'react';
import { Link, useParams } from 'react-router';
import { useCurrentUser } from '../auth/session';
import { PatientPicker } from '../patients/PatientPicker';
import { formatDateTime } from '../ui/format';
import { LoadMore } from '../ui/LoadMore';
import { EmptyMessage, ErrorMessage, errorMessage, LoadingRows } from '../ui/states';
import { sourceLabel, useAddMember, useListMembers, useRemoveMember } from './api';

const nameOf = (m: PatientListMember) => `${m.familyName}, ${m.givenName}`;

function AddPatientModal({
  listId,
  opened,
  onClose,
}: {
  listId: string;
  opened: boolean;
  onClose: () => void;
}) {
  const [patientId, setPatientId] = useState<string | null>(null);
  const add = useAddMember(listId);
  const close = () => {
    setPatientId(null);
    add.reset();
    onClose();
  };
  return (
    <Modal opened={opened} onClose={close} title="Add a patient to the list">
      <Stack>
        <PatientPicker
          label="Patient"
          value={patientId}
          onChange={setPatientId}
          error={add.error ? errorMessage(add.error) : undefined}
        />
        <Group justify="flex-end">
          <Button variant="default" onClick={close}>
            Cancel
          </Button>
          <Button
            disabled={patientId === null}
            loading={add.isPending}
            onClick={() => (patientId ? add.mutate(patientId, { onSuccess: close }) : undefined)}
          >
            Add to list
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}

/** Asks before a member leaves the list, saying what leaving ends. */
function ConfirmRemoveModal({
  listId,
  listName,
  member,
  onClose,
}: {
  listId: string;
  listName: string;
  member: PatientListMember | null;
  onClose: () => void;
}) {
  const remove = useRemoveMember(listId);
  const close = () => {
    remove.reset();
    onClose();
  };
  return (
    <Modal
      opened={member !== null}
      onClose={close}
      title={member ? `Remove ${member.givenName} ${member.familyName}?` : ''}
    >
      {member ? (
        <Stack>
          <Text size="sm">
            {member.givenName} {member.familyName} leaves “{listName}”. A journey that started on
            this list for them ends now, and its messages not yet sent are withdrawn.
          </Text>
          {remove.error ? (
            <Text c="red" size="sm" role="alert">
              {errorMessage(remove.error)}
            </Text>
          ) : null}
          <Group justify="flex-end">
            <Button variant="default" onClick={close}>
              Cancel
            </Button>
            <Button
              color="red"
              loading={remove.isPending}
              onClick={() => remove.mutate(member.patientId, { onSuccess: close })}
              data-autofocus
            >
              Remove from list
            </Button>
          </Group>
        </Stack>
      ) : null}
    </Modal>
  );
}

function MemberRow({
  member,
  canWrite,
  onRemove,
}: {
  member: PatientListMember;
  canWrite: boolean;
  onRemove: (member: PatientListMember) => void;
}) {
  return (
    <Table.Tr data-testid="list-member-row">
      <Table.Td>
        {member.restricted ? (
          <Text size="sm">
            {nameOf(member)}{' '}
            <Text span size="xs" c="dimmed">
              (restricted)
            </Text>
          </Text>
        ) : (
          <Anchor component={Link} to={`/patients/${member.patientId}`} size="sm">
            {nameOf(member)}
          </Anchor>
        )}
      </Table.Td>
      <Table.Td>
        <Text size="sm">{formatDateTime(member.addedAt)}</Text>
      </Table.Td>
      <Table.Td>
        <Text size="sm">{member.addedBy ?? sourceLabel(member.source)}</Text>
      </Table.Td>
      <Table.Td>
        {canWrite ? (
          <Button
            size="compact-xs"
            variant="subtle"
            color="red"
            aria-label={`Remove ${member.givenName} ${member.familyName}`}
            onClick={() => onRemove(member)}
          >
            Remove
          </Button>
        ) : null}
      </Table.Td>
    </Table.Tr>
  );
}

/** Issue 11 (h11l): one list's members, newest first, a page at a time. */
export function ListPage() {
  const { id = '' } = useParams();
  const user = useCurrentUser();
  const members = useListMembers(id);
  const [adding, setAdding] = useState(false);
  const [removing, setRemoving] = useState<PatientListMember | null>(null);
  const canWrite = can(user.role, 'list:write');
  const list = members.firstPage?.list;
  return (
    <Stack>
      <Breadcrumbs>
        <Anchor component={Link} to="/lists" size="sm">
          Lists
        </Anchor>
        <Text size="sm">{list?.name ?? '…'}</Text>
      </Breadcrumbs>
      <Group justify="space-between">
        <div>
          <Title order={1} size="h2">
            {list?.name ?? 'List'}
          </Title>
          {list ? (
            <Text c="dimmed" size="sm">
              {list.size} {list.size === 1 ? 'patient' : 'patients'}
              {list.key ? ` · key ${list.key}` : ''} · {sourceLabel(list.source)}
              {list.createdBy ? ` · ${list.createdBy}` : ''}
            </Text>
          ) : null}
        </div>
        {canWrite ? <Button onClick={() => setAdding(true)}>Add patient</Button> : null}
      </Group>
      <Paper withBorder p="md">
        {members.isPending ? (
          <LoadingRows />
        ) : members.isError ? (
          <ErrorMessage error={members.error} onRetry={() => members.refetch()} />
        ) : members.items.length === 0 ? (
          <EmptyMessage
            title="Nobody on this list"
            description={
              canWrite
                ? 'Add a patient with “Add patient”; journeys that start on this list begin for them.'
                : 'Patients appear here when staff or a journey add them.'
            }
          />
        ) : (
          <>
            <Table aria-label="Patients on this list" striped>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Patient</Table.Th>
                  <Table.Th>Added</Table.Th>
                  <Table.Th>Added by</Table.Th>
                  <Table.Th>
                    <VisuallyHidden>Actions</VisuallyHidden>
                  </Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {members.items.map((m) => (
                  <MemberRow
                    key={m.patientId}
                    member={m}
                    canWrite={canWrite}
                    onRemove={setRemoving}
                  />
                ))}
              </Table.Tbody>
            </Table>
            <LoadMore
              hasNextPage={members.hasNextPage}
              isFetchingNextPage={members.isFetchingNextPage}
              fetchNextPage={members.fetchNextPage}
            />
          </>
        )}
      </Paper>
      <AddPatientModal listId={id} opened={adding} onClose={() => setAdding(false)} />
      <ConfirmRemoveModal
        listId={id}
        listName={list?.name ?? 'this list'}
        member={removing}
        onClose={() => setRemoving(null)}
      />
    </Stack>
  );
}
