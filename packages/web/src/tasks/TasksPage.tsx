import { TASK_STATUSES, type TaskListQuery, type TaskStatus, teamsOf } from '@careloop/core';
import { Button, Group, Paper, SegmentedControl, Select, Title } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { IconPlus } from '@tabler/icons-react';
import { useState } from 'react';
import { useCan, useCurrentUser } from '../auth/session';
import { LoadMore } from '../ui/LoadMore';
import { optionsOf, TASK_STATUS_LABELS } from '../ui/labels';
import { EmptyMessage, ErrorMessage, LoadingRows } from '../ui/states';
import { useTaskList } from './api';
import { TaskFormModal } from './TaskFormModal';
import { TaskTable } from './TaskTable';
import { TEAM_LABELS } from './teams';

type Scope = 'mine' | 'teams' | 'all';

type TaskSort = NonNullable<TaskListQuery['sort']>;
const SORTS: { value: TaskSort; label: string }[] = [
  { value: 'dueAt', label: 'Due soonest' },
  { value: '-dueAt', label: 'Due latest' },
  { value: 'priority', label: 'Priority' },
  { value: '-createdAt', label: 'Newest' },
  { value: 'createdAt', label: 'Oldest' },
];

export function TasksPage() {
  const user = useCurrentUser();
  const myTeams = teamsOf(user.role);
  const [scope, setScope] = useState<Scope>('mine');
  const [status, setStatus] = useState<TaskStatus | null>('open');
  const [sort, setSort] = useState<TaskSort>('dueAt');
  const canCreate = useCan('task:write');
  const [creating, createModal] = useDisclosure(false);
  const tasks = useTaskList({
    mine: scope === 'mine' ? true : undefined,
    myTeams: scope === 'teams' ? true : undefined,
    status: status ?? undefined,
    sort,
    limit: 50,
  });

  return (
    <>
      <Group justify="space-between" mb="md">
        <Title order={1} size="h2">
          Tasks
        </Title>
        {canCreate ? (
          <Button leftSection={<IconPlus size={16} />} onClick={createModal.open}>
            New task
          </Button>
        ) : null}
      </Group>
      <Paper withBorder p="sm" mb="md">
        <Group align="flex-end">
          <SegmentedControl
            aria-label="Whose tasks"
            value={scope}
            onChange={(value) => setScope(value === 'all' || value === 'teams' ? value : 'mine')}
            data={[
              { value: 'mine', label: 'My tasks' },
              ...(myTeams.length > 0
                ? [
                    {
                      value: 'teams',
                      label:
                        myTeams.length === 1 && myTeams[0]
                          ? `${TEAM_LABELS[myTeams[0]]} queue`
                          : 'My teams',
                    },
                  ]
                : []),
              { value: 'all', label: 'Everyone' },
            ]}
          />
          <Select
            label="Status"
            placeholder="Any status"
            clearable
            data={optionsOf(TASK_STATUSES, TASK_STATUS_LABELS)}
            value={status}
            onChange={(value) => setStatus(TASK_STATUSES.find((s) => s === value) ?? null)}
            w={160}
          />
          <Select
            label="Sort by"
            allowDeselect={false}
            data={SORTS}
            value={sort}
            onChange={(value) => setSort(SORTS.find((s) => s.value === value)?.value ?? 'dueAt')}
            w={160}
          />
        </Group>
      </Paper>
      {tasks.isPending ? (
        <LoadingRows label="Loading tasks" />
      ) : tasks.isError && tasks.items.length === 0 ? (
        <ErrorMessage
          error={tasks.error}
          onRetry={() => tasks.refetch()}
          title="Could not load tasks"
        />
      ) : tasks.items.length === 0 ? (
        <EmptyMessage
          title={
            scope === 'mine'
              ? 'No tasks for you'
              : scope === 'teams'
                ? 'Nothing in your team queue'
                : 'No tasks'
          }
          description={
            status ? `Nothing is ${TASK_STATUS_LABELS[status].toLowerCase()}.` : undefined
          }
          action={
            scope === 'mine' && myTeams.length > 0 ? (
              <Button variant="light" onClick={() => setScope('teams')}>
                Show my team's queue
              </Button>
            ) : scope !== 'all' ? (
              <Button variant="light" onClick={() => setScope('all')}>
                Show everyone's tasks
              </Button>
            ) : undefined
          }
        />
      ) : (
        <>
          <div style={{ opacity: tasks.isPlaceholderData ? 0.6 : 1 }}>
            <TaskTable tasks={tasks.items} />
          </div>
          <LoadMore
            hasNextPage={tasks.hasNextPage}
            isFetchingNextPage={tasks.isFetchingNextPage}
            fetchNextPage={tasks.fetchNextPage}
          />
        </>
      )}
      {canCreate ? <TaskFormModal opened={creating} onClose={createModal.close} /> : null}
    </>
  );
}
