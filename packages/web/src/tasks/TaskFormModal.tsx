import {
  mayRead,
  routes,
  TASK_LABEL,
  TASK_PRIORITIES,
  type TaskPriority,
  TEAMS,
  type Team,
  teamsOf,
} from '@careloop/core';
import {
  Alert,
  Button,
  Group,
  Modal,
  Select,
  SimpleGrid,
  Stack,
  Textarea,
  TextInput,
} from '@mantine/core';
import { DateTimePicker } from '@mantine/dates';
import { useForm } from '@mantine/form';
import { notifications } from '@mantine/notifications';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { api } from '../api/client';
import { useCurrentUser } from '../auth/session';
import { PatientPicker } from '../patients/PatientPicker';
import { dayjs } from '../ui/format';
import { optionsOf, TASK_PRIORITY_LABELS } from '../ui/labels';
import { showServerError } from '../ui/server-errors';
import { useCreateTask } from './api';
import { TEAM_LABELS } from './teams';

interface TaskFormValues {
  title: string;
  nonClinicalTitle: string;
  description: string;
  dueAt: string | null;
  priority: TaskPriority;
  assigneeId: string | null;
  team: Team | null;
  patientId: string | null;
}

const FIELDS = [
  'title',
  'nonClinicalTitle',
  'description',
  'dueAt',
  'priority',
  'assigneeId',
  'team',
  'patientId',
];

/** New task; on a patient's page the patient is fixed, elsewhere it can be chosen. */
export function TaskFormModal({
  opened,
  onClose,
  patientId,
}: {
  opened: boolean;
  onClose: () => void;
  patientId?: string;
}) {
  return (
    <Modal opened={opened} onClose={onClose} title="New task" size="lg">
      {opened ? <TaskForm onClose={onClose} patientId={patientId} /> : null}
    </Modal>
  );
}

function TaskForm({ onClose, patientId }: { onClose: () => void; patientId: string | undefined }) {
  const user = useCurrentUser();
  // Minimum necessary (docs/adr/0011): who may write a clinical title also says what the
  // front desk, marketing and analytics see in its place.
  const clinical = mayRead(user.role, 'task', 'title');
  const create = useCreateTask();
  const [formError, setFormError] = useState<string | null>(null);
  const staff = useQuery({
    queryKey: ['staff'],
    queryFn: () => api.call(routes.users.staff, { query: { limit: 100 } }),
    staleTime: 60_000,
  });
  // Until the list arrives (or if it fails) the current user can still take the task.
  const assigneeOptions = (
    staff.data?.items ?? [{ id: user.id, displayName: user.displayName, role: user.role }]
  ).map((s) => ({
    value: s.id,
    label: s.id === user.id ? `${s.displayName} (me)` : s.displayName,
  }));
  const form = useForm<TaskFormValues>({
    initialValues: {
      title: '',
      nonClinicalTitle: '',
      description: '',
      dueAt: null,
      priority: 'normal',
      assigneeId: user.id,
      // The creator's own team when they work exactly one queue; admins choose.
      team: teamsOf(user.role).length === 1 ? (teamsOf(user.role)[0] ?? null) : null,
      patientId: patientId ?? null,
    },
    validate: { title: (v) => (v.trim() ? null : 'Give the task a title') },
  });

  const submit = form.onSubmit((values) => {
    setFormError(null);
    create.mutate(
      {
        title: values.title.trim(),
        ...(clinical && values.nonClinicalTitle.trim()
          ? { nonClinicalTitle: values.nonClinicalTitle.trim() }
          : {}),
        description: values.description.trim() || null,
        // The picker gives local wall time; the API takes a UTC instant.
        dueAt: values.dueAt ? dayjs(values.dueAt).toISOString() : null,
        priority: values.priority,
        assigneeId: values.assigneeId,
        team: values.team,
        patientId: values.patientId,
      },
      {
        onSuccess: () => {
          notifications.show({ color: 'teal', message: 'Task created' });
          onClose();
        },
        onError: (error) => setFormError(showServerError(form, error, FIELDS)),
      },
    );
  });

  return (
    <form onSubmit={submit} noValidate>
      <Stack>
        {formError ? <Alert color="red">{formError}</Alert> : null}
        <TextInput label="Title" required data-autofocus {...form.getInputProps('title')} />
        {clinical ? (
          <TextInput
            label="Title without clinical detail"
            description={`What the front desk and others without clinical access see instead of the title, e.g. "Call the patient back" (empty: "${TASK_LABEL}")`}
            {...form.getInputProps('nonClinicalTitle')}
          />
        ) : null}
        <Textarea
          label="Description"
          description="Only the care team reads it"
          autosize
          minRows={2}
          {...form.getInputProps('description')}
        />
        <SimpleGrid cols={{ base: 1, sm: 2 }}>
          <DateTimePicker
            label="Due"
            placeholder="No due date"
            clearable
            valueFormat="MMM D, YYYY h:mm A"
            {...form.getInputProps('dueAt')}
          />
          <Select
            label="Priority"
            allowDeselect={false}
            data={optionsOf(TASK_PRIORITIES, TASK_PRIORITY_LABELS)}
            {...form.getInputProps('priority')}
          />
        </SimpleGrid>
        {patientId ? null : (
          <PatientPicker
            label="Patient"
            description="Optional"
            value={form.values.patientId}
            onChange={(id) => form.setFieldValue('patientId', id)}
            error={typeof form.errors.patientId === 'string' ? form.errors.patientId : undefined}
          />
        )}
        <SimpleGrid cols={{ base: 1, sm: 2 }}>
          <Select
            label="Team queue"
            description="Anyone on the team can take it"
            placeholder="No team"
            clearable
            data={optionsOf(TEAMS, TEAM_LABELS)}
            {...form.getInputProps('team')}
          />
          <Select
            label="Assignee"
            description="Leave empty to let the team take it"
            placeholder="Unassigned"
            searchable
            clearable
            nothingFoundMessage="No active staff match"
            data={assigneeOptions}
            {...form.getInputProps('assigneeId')}
          />
        </SimpleGrid>
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            Cancel
          </Button>
          <Button type="submit" loading={create.isPending}>
            Create task
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
