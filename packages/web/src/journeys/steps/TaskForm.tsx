import type { JourneyAction, JourneyNode } from '@careloop/core';
import { Select, Stack, TextInput } from '@mantine/core';

type TaskAction = Extract<JourneyAction, { kind: 'task' }>;
type TaskNode = Extract<JourneyNode, { type: 'action' }> & { action: TaskAction };

const TEAMS: { value: TaskAction['team']; label: string }[] = [
  { value: 'front-desk', label: 'Front desk' },
  { value: 'care-coordination', label: 'Care coordination' },
  { value: 'clinical', label: 'Clinical' },
];

/** A task for a team's queue: its title (no clinical detail) and the team. */
export function TaskForm({
  node,
  onChange,
}: {
  node: TaskNode;
  onChange: (node: TaskNode) => void;
}) {
  const a = node.action;
  return (
    <Stack gap="xs">
      <TextInput
        label="Task title"
        maxLength={200}
        value={a.title}
        error={a.title.trim() === '' ? 'A task needs a title' : undefined}
        onChange={(e) => onChange({ ...node, action: { ...a, title: e.currentTarget.value } })}
      />
      <Select
        label="Team"
        allowDeselect={false}
        data={TEAMS}
        value={a.team}
        onChange={(value) => {
          const team = TEAMS.find((t) => t.value === value)?.value;
          if (team) onChange({ ...node, action: { ...a, team } });
        }}
      />
    </Stack>
  );
}
