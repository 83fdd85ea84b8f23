import type { JourneyDefinition, JourneyNode } from '@careloop/core';
import { Select } from '@mantine/core';
import { connect, describeNode, TRIGGER_NODE } from '../graph';

/** How a step is named in a list of steps: its label, else its id, and what it does. */
export function stepOption(node: JourneyNode): { value: string; label: string } {
  return { value: node.id, label: `${node.label ?? node.id} (${describeNode(node)})` };
}

/**
 * Where a step (or the trigger) leads, chosen from a list: the keyboard's way to connect steps,
 * beside dragging between handles on the canvas (WCAG 2.1.1). Conditions and splits choose per
 * branch, in their JSON.
 */
export function NextStepSelect({
  draft,
  source,
  onChange,
}: {
  draft: JourneyDefinition;
  /** The step whose `next` this sets, or TRIGGER_NODE for the journey's first step. */
  source: string;
  onChange: (next: JourneyDefinition) => void;
}) {
  const node = draft.nodes.find((n) => n.id === source);
  const current =
    source === TRIGGER_NODE
      ? draft.entry
      : node && (node.type === 'wait' || node.type === 'action' || node.type === 'goal')
        ? (node.next ?? null)
        : null;
  const options = draft.nodes.filter((n) => n.id !== source).map(stepOption);
  return (
    <Select
      label={source === TRIGGER_NODE ? 'First step' : 'Then go to'}
      description={
        source === TRIGGER_NODE
          ? 'Where a patient starts once the trigger enrols them.'
          : 'The step that follows this one.'
      }
      data={options}
      value={current}
      allowDeselect={false}
      searchable
      onChange={(value) => {
        if (value) onChange(connect(draft, source, value));
      }}
    />
  );
}
