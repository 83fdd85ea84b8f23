import {
  JOURNEY_ATTRIBUTES,
  type JourneyDefinition,
  type JourneyNode,
  type JourneyPredicate,
} from '@careloop/core';
import { Button, Group, NumberInput, Paper, Select, Stack, Text, TextInput } from '@mantine/core';
import { stepOption } from './NextStepSelect';

type ConditionNode = Extract<JourneyNode, { type: 'condition' }>;
type SplitNode = Extract<JourneyNode, { type: 'split' }>;

const OPS: { value: JourneyPredicate['op']; label: string }[] = [
  { value: 'equals', label: 'is' },
  { value: 'not_equals', label: 'is not' },
  { value: 'in', label: 'is one of' },
  { value: 'first_word_in', label: 'starts with the word' },
  { value: 'exists', label: 'is known' },
];

/** Attributes whose values are yes/no: typed "true" or "false", stored as booleans. */
const BOOLEAN_ATTRIBUTES = new Set<string>([
  'appointment.telehealth',
  'patient.has_email',
  'patient.has_phone',
]);

function valuesText(when: JourneyPredicate): string {
  return (when.values ?? []).map(String).join(', ');
}

function parseValues(attribute: string, text: string): (string | boolean)[] {
  const parts = text
    .split(',')
    .map((v) => v.trim())
    .filter((v) => v !== '');
  return BOOLEAN_ATTRIBUTES.has(attribute) ? parts.map((v) => v.toLowerCase() === 'true') : parts;
}

/** Each item with its place, counted from 1. */
function numbered<T>(items: readonly T[]): { item: T; n: number }[] {
  return items.map((item, index) => ({ item, n: index + 1 }));
}

function StepSelect({
  draft,
  self,
  label,
  value,
  onChange,
}: {
  draft: JourneyDefinition;
  self: string;
  label: string;
  value: string;
  onChange: (id: string) => void;
}) {
  return (
    <Select
      label={label}
      data={draft.nodes.filter((n) => n.id !== self).map(stepOption)}
      value={value}
      allowDeselect={false}
      searchable
      onChange={(id) => {
        if (id) onChange(id);
      }}
    />
  );
}

/** A condition's branches, checked in order (attribute, test, values, where to go), and the rest. */
export function ConditionForm({
  node,
  draft,
  onChange,
}: {
  node: ConditionNode;
  draft: JourneyDefinition;
  onChange: (node: ConditionNode) => void;
}) {
  const setBranch = (i: number, branch: ConditionNode['branches'][number]) =>
    onChange({ ...node, branches: node.branches.map((b, j) => (j === i ? branch : b)) });
  // Branches have no id of their own: their place is their identity, so the fields remount when
  // one is removed (the Stack's key) and never show a neighbour's text.
  const rows = numbered(node.branches);
  return (
    <Stack gap="xs" key={node.branches.length}>
      {rows.map(({ item: branch, n }) => {
        const i = n - 1;
        const when = branch.when;
        return (
          <Paper key={`branch-${n}`} withBorder p="xs">
            <Stack gap={6}>
              <Text size="xs" fw={700}>
                Branch {n}
              </Text>
              <Select
                label={`Branch ${n}: attribute`}
                data={[...JOURNEY_ATTRIBUTES]}
                value={when.attribute}
                allowDeselect={false}
                searchable
                onChange={(value) => {
                  const attribute = JOURNEY_ATTRIBUTES.find((a) => a === value);
                  if (attribute) setBranch(i, { ...branch, when: { ...when, attribute } });
                }}
              />
              <Select
                label={`Branch ${n}: test`}
                data={OPS}
                value={when.op}
                allowDeselect={false}
                onChange={(value) => {
                  const op = OPS.find((o) => o.value === value)?.value;
                  if (!op) return;
                  const { values: _values, ...rest } = when;
                  setBranch(i, {
                    ...branch,
                    when: op === 'exists' ? { ...rest, op } : { ...when, op },
                  });
                }}
              />
              {when.op !== 'exists' ? (
                <TextInput
                  label={`Branch ${n}: values`}
                  description="Separated by commas"
                  defaultValue={valuesText(when)}
                  onBlur={(e) =>
                    setBranch(i, {
                      ...branch,
                      when: { ...when, values: parseValues(when.attribute, e.currentTarget.value) },
                    })
                  }
                />
              ) : null}
              <StepSelect
                draft={draft}
                self={node.id}
                label={`Branch ${n}: then go to`}
                value={branch.next}
                onChange={(next) => setBranch(i, { ...branch, next })}
              />
              {node.branches.length > 1 ? (
                <Button
                  size="compact-xs"
                  variant="subtle"
                  color="red"
                  onClick={() =>
                    onChange({ ...node, branches: node.branches.filter((_, j) => j !== i) })
                  }
                >
                  Remove branch {n}
                </Button>
              ) : null}
            </Stack>
          </Paper>
        );
      })}
      <Group>
        <Button
          size="compact-xs"
          variant="light"
          disabled={node.branches.length >= 20}
          onClick={() =>
            onChange({
              ...node,
              branches: [
                ...node.branches,
                {
                  when: { attribute: 'message.text', op: 'first_word_in', values: [] },
                  next: node.otherwise,
                },
              ],
            })
          }
        >
          Add branch
        </Button>
      </Group>
      <StepSelect
        draft={draft}
        self={node.id}
        label="Otherwise go to"
        value={node.otherwise}
        onChange={(otherwise) => onChange({ ...node, otherwise })}
      />
    </Stack>
  );
}

/** An A/B split: each branch's share of patients (in all 100 %) and where it leads. */
export function SplitForm({
  node,
  draft,
  onChange,
}: {
  node: SplitNode;
  draft: JourneyDefinition;
  onChange: (node: SplitNode) => void;
}) {
  const total = node.branches.reduce((sum, b) => sum + b.percent, 0);
  const setBranch = (i: number, branch: SplitNode['branches'][number]) =>
    onChange({ ...node, branches: node.branches.map((b, j) => (j === i ? branch : b)) });
  return (
    <Stack gap="xs" key={node.branches.length}>
      {numbered(node.branches).map(({ item: branch, n }) => {
        const i = n - 1;
        return (
          <Group key={`branch-${n}`} align="flex-end" gap="xs" wrap="nowrap">
            <NumberInput
              label={`Branch ${n}: percent`}
              min={0}
              max={100}
              w={110}
              value={branch.percent}
              onChange={(value) =>
                setBranch(i, {
                  ...branch,
                  percent: Math.max(0, Math.min(100, Math.round(Number(value) || 0))),
                })
              }
            />
            <StepSelect
              draft={draft}
              self={node.id}
              label={`Branch ${n}: then go to`}
              value={branch.next}
              onChange={(next) => setBranch(i, { ...branch, next })}
            />
          </Group>
        );
      })}
      <Text size="xs" c={total === 100 ? 'dimmed' : 'red.9'}>
        {total === 100
          ? 'The shares add up to 100 %.'
          : `The shares add up to ${total} %, not 100 %.`}
      </Text>
      <Group gap="xs">
        <Button
          size="compact-xs"
          variant="light"
          disabled={node.branches.length >= 10}
          onClick={() => {
            const last = node.branches.at(-1);
            onChange({
              ...node,
              branches: [...node.branches, { percent: 0, next: last?.next ?? node.id }],
            });
          }}
        >
          Add branch
        </Button>
        {node.branches.length > 2 ? (
          <Button
            size="compact-xs"
            variant="subtle"
            color="red"
            onClick={() => onChange({ ...node, branches: node.branches.slice(0, -1) })}
          >
            Remove the last branch
          </Button>
        ) : null}
      </Group>
    </Stack>
  );
}
