import type { Task } from '@careloop/core';
import { Button, Group, Stack } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { IconPlus } from '@tabler/icons-react';
import { useCan } from '../../auth/session';
import { TaskFormModal } from '../../tasks/TaskFormModal';
import { TaskTable } from '../../tasks/TaskTable';
import { EmptyMessage, HiddenForRole } from '../../ui/states';

/** Open tasks of the patient; `tasks` is null when the server withheld them from this role. */
export function TasksTab({ patientId, tasks }: { patientId: string; tasks: Task[] | null }) {
  const canWrite = useCan('task:write');
  const [creating, createModal] = useDisclosure(false);
  if (tasks === null) return <HiddenForRole what="Tasks" />;
  return (
    <Stack>
      {canWrite ? (
        <Group justify="flex-end">
          <Button size="xs" leftSection={<IconPlus size={14} />} onClick={createModal.open}>
            New task
          </Button>
        </Group>
      ) : null}
      {tasks.length === 0 ? (
        <EmptyMessage title="No open tasks" />
      ) : (
        <TaskTable tasks={tasks} showPatient={false} />
      )}
      {canWrite ? (
        <TaskFormModal opened={creating} onClose={createModal.close} patientId={patientId} />
      ) : null}
    </Stack>
  );
}
