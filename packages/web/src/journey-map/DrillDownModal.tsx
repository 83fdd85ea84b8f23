import type { JourneyMapFilters, PainPoint } from '@careloop/core';
import { Anchor, Badge, Button, Group, List, Modal, Stack, Text, TextInput } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useEffect, useState } from 'react';
import { Link } from 'react-router';
import { ErrorMessage, LoadingRows } from '../ui/states';
import { useDrillDown, useDrillDownTasks, useSavePatientList } from './api';

/** Patients per page of a drill-down (the server's default and most). */
const DRILL_DOWN_PAGE = 500;

/** The patients behind a pain point, and what staff can do about them: tasks or a list. */
export function DrillDownModal(props: {
  filters: JourneyMapFilters;
  point: PainPoint | null;
  onClose: () => void;
}) {
  const [offset, setOffset] = useState(0);
  const drill = useDrillDown(props.filters, props.point, offset);
  const tasks = useDrillDownTasks();
  const list = useSavePatientList();
  const [title, setTitle] = useState('');
  useEffect(() => {
    setTitle(props.point ? `Follow up: ${props.point.label}` : '');
    setOffset(0);
  }, [props.point]);
  const ids = (drill.data?.patients ?? []).filter((p) => !p.restricted).map((p) => p.id);
  return (
    <Modal
      opened={props.point !== null}
      onClose={props.onClose}
      title={props.point?.label ?? ''}
      size="lg"
    >
      {drill.isPending ? (
        <LoadingRows label="Loading patients" />
      ) : drill.isError ? (
        <ErrorMessage error={drill.error} />
      ) : (
        <Stack gap="sm">
          <Group justify="space-between">
            <Text size="sm">
              {drill.data.total} patients
              {drill.data.total > drill.data.patients.length
                ? ` (${drill.data.offset + 1}–${drill.data.offset + drill.data.patients.length} listed)`
                : ''}
            </Text>
            {drill.data.total > DRILL_DOWN_PAGE ? (
              <Group gap="xs">
                <Button
                  size="xs"
                  variant="default"
                  disabled={offset === 0}
                  onClick={() => setOffset(Math.max(0, offset - DRILL_DOWN_PAGE))}
                >
                  Previous
                </Button>
                <Button
                  size="xs"
                  variant="default"
                  disabled={offset + DRILL_DOWN_PAGE >= drill.data.total}
                  onClick={() => setOffset(offset + DRILL_DOWN_PAGE)}
                >
                  Next
                </Button>
              </Group>
            ) : null}
          </Group>
          <List
            size="sm"
            aria-label="Patients behind this pain point"
            style={{ maxHeight: 260, overflow: 'auto' }}
          >
            {drill.data.patients.map((p) => (
              <List.Item key={p.id}>
                <Anchor component={Link} to={`/patients/${p.id}`}>
                  {p.familyName}, {p.givenName}
                </Anchor>{' '}
                {p.restricted ? <Badge size="xs">restricted</Badge> : null}
              </List.Item>
            ))}
          </List>
          <TextInput
            label="Task title"
            value={title}
            onChange={(e) => setTitle(e.currentTarget.value)}
            maxLength={200}
          />
          <Group>
            <Button
              disabled={ids.length === 0 || title.trim() === ''}
              loading={tasks.isPending}
              onClick={() =>
                tasks.mutate(
                  { patientIds: ids, title: title.trim() },
                  {
                    onSuccess: (r) =>
                      notifications.show({ color: 'green', message: `${r.created} tasks created` }),
                    onError: (e) => notifications.show({ color: 'red', message: e.message }),
                  },
                )
              }
            >
              Create {ids.length} tasks
            </Button>
            <Button
              variant="default"
              disabled={ids.length === 0}
              loading={list.isPending}
              onClick={() =>
                list.mutate(
                  {
                    patientIds: ids,
                    name: title.trim() || (props.point?.label ?? 'Journey map list'),
                  },
                  {
                    onSuccess: (r) =>
                      notifications.show({
                        color: 'green',
                        message: `List "${r.name}" saved (${r.size})`,
                      }),
                    onError: (e) => notifications.show({ color: 'red', message: e.message }),
                  },
                )
              }
            >
              Save as list
            </Button>
          </Group>
        </Stack>
      )}
    </Modal>
  );
}
