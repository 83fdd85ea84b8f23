import { TASK_STATUSES, type Task } from '@careloop/core';
import { Anchor, Badge, Button, Group, Select, Table, Text, Tooltip } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { IconAlarm } from '@tabler/icons-react';
import { Link } from 'react-router';
import { useCan, useCurrentUser } from '../auth/session';
import { formatDateTime, formatRelative, isOverdue } from '../ui/format';
import {
  optionsOf,
  TASK_PRIORITY_COLORS,
  TASK_PRIORITY_LABELS,
  TASK_STATUS_LABELS,
} from '../ui/labels';
import { errorMessage } from '../ui/states';
import { useUpdateTask } from './api';
import { TEAM_LABELS } from './teams';

function DueCell({ task }: { task: Task }) {
  if (!task.dueAt)
    return (
      <Text size="sm" c="dimmed">
        No due date
      </Text>
    );
  const overdue =
    (task.status === 'open' || task.status === 'in-progress') && isOverdue(task.dueAt);
  return (
    <Tooltip label={formatRelative(task.dueAt)} withArrow>
      <Group
        gap={4}
        wrap="nowrap"
        c={overdue ? 'red' : undefined}
        data-overdue={overdue || undefined}
      >
        {overdue ? <IconAlarm size={14} aria-label="Overdue" /> : null}
        <Text size="sm" fw={overdue ? 600 : 400} inherit>
          {formatDateTime(task.dueAt)}
        </Text>
      </Group>
    </Tooltip>
  );
}

function StatusCell({ task }: { task: Task }) {
  const canWrite = useCan('task:write');
  const update = useUpdateTask();
  if (!canWrite) return <Badge variant="light">{TASK_STATUS_LABELS[task.status]}</Badge>;
  return (
    <Select
      aria-label={`Status of ${task.title}`}
      size="xs"
      w={140}
      allowDeselect={false}
      data={optionsOf(TASK_STATUSES, TASK_STATUS_LABELS)}
      value={task.status}
      disabled={update.isPending}
      onChange={(value) => {
        const status = TASK_STATUSES.find((s) => s === value);
        if (!status || status === task.status) return;
        update.mutate(
          { id: task.id, status },
          {
            onSuccess: () =>
              notifications.show({
                color: 'teal',
                message: `“${task.title}” is now ${TASK_STATUS_LABELS[status].toLowerCase()}`,
              }),
            onError: (error) =>
              notifications.show({
                color: 'red',
                title: 'Could not change the status',
                message: errorMessage(error),
              }),
          },
        );
      }}
    />
  );
}

/** Who has the task: a person, or the team queue it waits in, with a button to take it. */
function AssigneeCell({ task }: { task: Task }) {
  const user = useCurrentUser();
  const canWrite = useCan('task:write');
  const update = useUpdateTask();
  const team = task.team ? TEAM_LABELS[task.team] : null;
  if (task.assigneeName) {
    return (
      <>
        <Text size="sm">{task.assigneeName}</Text>
        {team ? (
          <Text size="xs" c="dimmed">
            {team}
          </Text>
        ) : null}
      </>
    );
  }
  const open = task.status === 'open' || task.status === 'in-progress';
  return (
    <Group gap="xs" wrap="nowrap">
      <Text size="sm" c="dimmed">
        {team ? `${team} queue` : 'Unassigned'}
      </Text>
      {canWrite && open ? (
        <Button
          size="compact-xs"
          variant="light"
          aria-label={`Take ${task.title}`}
          loading={update.isPending}
          onClick={() =>
            update.mutate(
              { id: task.id, assigneeId: user.id },
              {
                onSuccess: () =>
                  notifications.show({ color: 'teal', message: `You took “${task.title}”` }),
                onError: (error) =>
                  notifications.show({
                    color: 'red',
                    title: 'Could not take the task',
                    message: errorMessage(error),
                  }),
              },
            )
          }
        >
          Take
        </Button>
      ) : null}
    </Group>
  );
}

/** Tasks with inline status changes; overdue ones stand out. */
export function TaskTable({ tasks, showPatient = true }: { tasks: Task[]; showPatient?: boolean }) {
  return (
    <Table.ScrollContainer minWidth={760}>
      <Table striped verticalSpacing="xs" aria-label="Tasks">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Task</Table.Th>
            {showPatient ? <Table.Th>Patient</Table.Th> : null}
            <Table.Th>Assignee</Table.Th>
            <Table.Th>Due</Table.Th>
            <Table.Th style={{ whiteSpace: 'nowrap' }}>Priority</Table.Th>
            <Table.Th>Status</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {tasks.map((task) => (
            <Table.Tr key={task.id} data-testid="task">
              <Table.Td>
                <Text size="sm" fw={500}>
                  {task.title}
                </Text>
                {task.description ? (
                  <Text size="xs" c="dimmed" lineClamp={2}>
                    {task.description}
                  </Text>
                ) : null}
              </Table.Td>
              {showPatient ? (
                <Table.Td>
                  {task.patientId ? (
                    <Anchor component={Link} to={`/patients/${task.patientId}`} size="sm">
                      {task.patientName ?? 'Patient'}
                    </Anchor>
                  ) : (
                    '—'
                  )}
                </Table.Td>
              ) : null}
              <Table.Td>
                <AssigneeCell task={task} />
              </Table.Td>
              <Table.Td>
                <DueCell task={task} />
              </Table.Td>
              <Table.Td>
                {/* A badge shrinks with its column and cut its label ("NORM…"): it keeps its width. */}
                <Badge
                  variant="light"
                  color={TASK_PRIORITY_COLORS[task.priority]}
                  miw="fit-content"
                  style={{ flexShrink: 0, overflow: 'visible' }}
                  styles={{ label: { overflow: 'visible', textOverflow: 'clip' } }}
                >
                  {TASK_PRIORITY_LABELS[task.priority]}
                </Badge>
              </Table.Td>
              <Table.Td>
                <StatusCell task={task} />
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}
