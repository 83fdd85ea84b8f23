import type { JourneyMapSettings, StageMappingRule } from '@careloop/core';
import {
  ActionIcon,
  Alert,
  Button,
  Group,
  NumberInput,
  Paper,
  Select,
  Stack,
  Table,
  Text,
  Textarea,
  TextInput,
  Title,
} from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { IconTrash } from '@tabler/icons-react';
import { useEffect, useState } from 'react';
import { isApiError } from '../api/client';
import { ErrorMessage, errorMessage, LoadingRows } from '../ui/states';
import { useJourneyMapSettings, useSaveJourneyMapSettings } from './api';

const optional = (v: string) => (v.trim() === '' ? undefined : v.trim());

function RuleRow(props: {
  rule: StageMappingRule;
  stages: { value: string; label: string }[];
  onChange: (rule: StageMappingRule) => void;
  onRemove: () => void;
  index: number;
}) {
  const { rule, onChange } = props;
  return (
    <Table.Tr>
      <Table.Td>
        <TextInput
          size="xs"
          aria-label={`Rule ${props.index + 1} type`}
          value={rule.type ?? ''}
          placeholder="any"
          onChange={(e) => onChange({ ...rule, type: optional(e.currentTarget.value) })}
        />
      </Table.Td>
      <Table.Td>
        <TextInput
          size="xs"
          aria-label={`Rule ${props.index + 1} channel`}
          value={rule.channel ?? ''}
          placeholder="any"
          onChange={(e) => onChange({ ...rule, channel: optional(e.currentTarget.value) })}
        />
      </Table.Td>
      <Table.Td>
        <TextInput
          size="xs"
          aria-label={`Rule ${props.index + 1} writer stage`}
          value={rule.writerStage ?? ''}
          placeholder="any"
          onChange={(e) => onChange({ ...rule, writerStage: optional(e.currentTarget.value) })}
        />
      </Table.Td>
      <Table.Td>
        <Select
          size="xs"
          aria-label={`Rule ${props.index + 1} stage`}
          data={props.stages}
          value={rule.stage}
          onChange={(v) => v && onChange({ ...rule, stage: v })}
        />
      </Table.Td>
      <Table.Td>
        <ActionIcon
          variant="subtle"
          color="red"
          aria-label={`Remove rule ${props.index + 1}`}
          onClick={props.onRemove}
        >
          <IconTrash size={16} />
        </ActionIcon>
      </Table.Td>
    </Table.Tr>
  );
}

/** Stages, the mapping of touchpoints to stages, journey definitions, small-cell threshold. */
export function JourneyMapSettingsPage() {
  const settings = useJourneyMapSettings();
  const save = useSaveJourneyMapSettings();
  const [draft, setDraft] = useState<JourneyMapSettings | null>(null);
  const [definitions, setDefinitions] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  useEffect(() => {
    if (settings.data && draft === null) {
      setDraft(settings.data);
      setDefinitions(JSON.stringify(settings.data.definitions, null, 2));
    }
  }, [settings.data, draft]);
  if (settings.isError) return <ErrorMessage error={settings.error} />;
  if (!draft) return <LoadingRows />;
  const stageOptions = draft.stages.map((s) => ({ value: s.key, label: s.label }));
  const submit = () => {
    let parsed: JourneyMapSettings['definitions'];
    try {
      parsed = JSON.parse(definitions) as JourneyMapSettings['definitions'];
    } catch (error) {
      setProblem(`Definitions: ${errorMessage(error)}`);
      return;
    }
    setProblem(null);
    save.mutate(
      { ...draft, definitions: parsed },
      {
        onSuccess: () =>
          notifications.show({ color: 'green', message: 'Journey map settings saved' }),
        onError: (error) =>
          setProblem(
            isApiError(error) && error.problem.path
              ? `${error.problem.path}: ${error.message}`
              : errorMessage(error),
          ),
      },
    );
  };
  return (
    <Stack gap="md">
      <Title order={2}>Journey map: stages and definitions</Title>
      {problem ? (
        <Alert color="red" role="alert">
          {problem}
        </Alert>
      ) : null}
      <Paper withBorder p="sm">
        <Text fw={600} mb="xs">
          Stages, in journey order
        </Text>
        <Stack gap="xs">
          {draft.stages.map((s, i) => (
            <Group key={s.key} gap="xs">
              <Text size="sm" w={120} ff="monospace">
                {s.key}
              </Text>
              <TextInput
                size="xs"
                aria-label={`Label of ${s.key}`}
                value={s.label}
                onChange={(e) => {
                  const label = e.currentTarget.value;
                  setDraft({
                    ...draft,
                    stages: draft.stages.map((x, j) => (j === i ? { ...x, label } : x)),
                  });
                }}
              />
            </Group>
          ))}
          <NewStage onAdd={(stage) => setDraft({ ...draft, stages: [...draft.stages, stage] })} />
        </Stack>
      </Paper>
      <Paper withBorder p="sm">
        <Text fw={600}>Mapping of touchpoints to stages</Text>
        <Text size="xs" c="dimmed" mb="xs">
          The most specific rule wins: a whole type (appointment.noshow) before a family
          (appointment.*), a channel adds to either, and the writer's own stage is the fallback.
          Touchpoints no rule places count as follow-up.
        </Text>
        <Table.ScrollContainer minWidth={560}>
          <Table aria-label="Mapping rules">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Type</Table.Th>
                <Table.Th>Channel</Table.Th>
                <Table.Th>Writer's stage</Table.Th>
                <Table.Th>Stage</Table.Th>
                <Table.Th />
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {draft.mapping.map((rule, i) => (
                <RuleRow
                  // biome-ignore lint/suspicious/noArrayIndexKey: rules have no identity but their place
                  key={i}
                  index={i}
                  rule={rule}
                  stages={stageOptions}
                  onChange={(r) =>
                    setDraft({ ...draft, mapping: draft.mapping.map((x, j) => (j === i ? r : x)) })
                  }
                  onRemove={() =>
                    setDraft({ ...draft, mapping: draft.mapping.filter((_, j) => j !== i) })
                  }
                />
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
        <Button
          mt="xs"
          size="xs"
          variant="light"
          onClick={() =>
            setDraft({ ...draft, mapping: [...draft.mapping, { type: 'x.*', stage: 'follow-up' }] })
          }
        >
          Add rule
        </Button>
      </Paper>
      <Paper withBorder p="sm">
        <Textarea
          label="Journey definitions (JSON: key, name, dropAfterDays, steps of key, label, types, targetDays)"
          autosize
          minRows={8}
          ff="monospace"
          value={definitions}
          onChange={(e) => setDefinitions(e.currentTarget.value)}
        />
      </Paper>
      <Paper withBorder p="sm">
        <NumberInput
          label="Small-cell threshold: counts below it are hidden from roles without clinical access"
          min={1}
          max={100}
          value={draft.suppressionThreshold}
          onChange={(v) =>
            setDraft({
              ...draft,
              suppressionThreshold: typeof v === 'number' ? v : draft.suppressionThreshold,
            })
          }
          w={420}
        />
      </Paper>
      <Group>
        <Button onClick={submit} loading={save.isPending}>
          Save
        </Button>
      </Group>
    </Stack>
  );
}

function NewStage({ onAdd }: { onAdd: (stage: { key: string; label: string }) => void }) {
  const [key, setKey] = useState('');
  const [label, setLabel] = useState('');
  return (
    <Group gap="xs" align="end">
      <TextInput
        size="xs"
        label="New stage key"
        value={key}
        onChange={(e) => setKey(e.currentTarget.value)}
      />
      <TextInput
        size="xs"
        label="Label"
        value={label}
        onChange={(e) => setLabel(e.currentTarget.value)}
      />
      <Button
        size="xs"
        variant="light"
        disabled={key.trim() === '' || label.trim() === ''}
        onClick={() => {
          onAdd({ key: key.trim(), label: label.trim() });
          setKey('');
          setLabel('');
        }}
      >
        Add stage
      </Button>
    </Group>
  );
}
