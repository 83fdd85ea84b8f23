import type { Task } from '@careloop/core';
import { Button, Group, Stack } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { IconPlus } from '@tabler/icons-react';
import { useCan } from '../../auth/session';
import { TaskFormModal } from '../../tasks/TaskFormModal';
import { TaskTable } from '../../tasks/TaskTable';
import { EmptyMessage, HiddenForRole } from '../../ui/states';

export function TasksTab({
  patientId,
  tasks,
  hidden,
}: {
  patientId: string;
  tasks: Task[];
  hidden: boolean;
}) {
  const canRead = useCan('task:read');
  const canWrite = useCan('task:write');
  const [creating, createModal] = useDisclosure(false);
  if (hidden || !canRead) return <HiddenForRole what="Tasks" />;
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
