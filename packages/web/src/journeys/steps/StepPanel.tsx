import type { JourneyDefinition, JourneyNode } from '@careloop/core';
import { Button, Stack, Switch, Text, Textarea, TextInput } from '@mantine/core';
import { type ReactNode, useState } from 'react';
import { replaceStep } from '../graph';
import { WebhookEndpointField } from '../WebhookEndpointField';
import { ConditionForm, SplitForm } from './BranchesForm';
import { NextStepSelect } from './NextStepSelect';
import { SendForm } from './SendForm';
import { TaskForm } from './TaskForm';
import { WaitForm } from './WaitForm';

/** The selected node as JSON, applied as typed and checked by the validator (any kind). */
function NodeJsonEditor({
  draft,
  node,
  onApply,
}: {
  draft: JourneyDefinition;
  node: JourneyNode;
  onApply: (next: unknown) => void;
}) {
  const [text, setText] = useState(() => JSON.stringify(node, null, 2));
  const [error, setError] = useState<string | null>(null);
  const apply = () => {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      setError('This is not JSON');
      return;
    }
    setError(null);
    // Applied as typed: the validator, not this editor, says what is wrong with it.
    onApply({ ...draft, nodes: draft.nodes.map((n) => (n.id === node.id ? parsed : n)) });
  };
  return (
    <Stack gap="xs">
      <WebhookEndpointField text={text} onChange={setText} />
      <Textarea
        label={`Node ${node.id}`}
        autosize
        minRows={8}
        maxRows={24}
        value={text}
        onChange={(e) => setText(e.currentTarget.value)}
        styles={{ input: { fontFamily: 'monospace', fontSize: 12 } }}
        error={error}
      />
      <Button size="xs" variant="light" onClick={apply}>
        Apply
      </Button>
    </Stack>
  );
}

/** The form for the common steps; null for kinds edited as JSON only. */
function StepForm({
  node,
  draft,
  onChange,
}: {
  node: JourneyNode;
  draft: JourneyDefinition;
  onChange: (node: JourneyNode) => void;
}): ReactNode {
  switch (node.type) {
    case 'wait':
      return node.wait.kind === 'duration' || node.wait.kind === 'event' ? (
        <WaitForm node={node} journey={draft} onChange={onChange} />
      ) : null;
    case 'action': {
      const action = node.action;
      if (action.kind === 'send')
        return <SendForm node={{ ...node, action }} onChange={onChange} />;
      if (action.kind === 'task')
        return <TaskForm node={{ ...node, action }} onChange={onChange} />;
      return null;
    }
    case 'goal':
    case 'exit':
      return (
        <Text size="xs" c="dimmed">
          {node.type === 'goal'
            ? 'Reaching this step counts as converted.'
            : 'The enrolment ends here.'}
        </Text>
      );
    case 'condition':
      return <ConditionForm node={node} draft={draft} onChange={onChange} />;
    case 'split':
      return <SplitForm node={node} draft={draft} onChange={onChange} />;
  }
}

/** The panel beside the canvas: the selected step's label and form, its JSON under "Advanced". */
export function StepPanel({
  draft,
  node,
  onChange,
}: {
  draft: JourneyDefinition;
  node: JourneyNode;
  onChange: (next: unknown) => void;
}) {
  const [advanced, setAdvanced] = useState(false);
  const change = (edited: JourneyNode) => onChange(replaceStep(draft, edited));
  const form = StepForm({ node, draft, onChange: change });
  return (
    <Stack gap="sm" data-testid="step-panel">
      <TextInput
        label="Step label"
        description={`Step ${node.id}`}
        maxLength={120}
        value={node.label ?? ''}
        onChange={(e) => {
          const label = e.currentTarget.value;
          const { label: _old, ...rest } = node;
          change(label === '' ? rest : { ...node, label });
        }}
      />
      {form}
      {node.type === 'wait' || node.type === 'action' || node.type === 'goal' ? (
        <NextStepSelect draft={draft} source={node.id} onChange={onChange} />
      ) : null}
      {form !== null ? (
        <Switch
          label="Advanced (JSON)"
          checked={advanced}
          onChange={(e) => setAdvanced(e.currentTarget.checked)}
        />
      ) : null}
      {form === null || advanced ? (
        <NodeJsonEditor key={JSON.stringify(node)} draft={draft} node={node} onApply={onChange} />
      ) : null}
    </Stack>
  );
}
