import { JOURNEY_EVENTS, type JourneyDefinition, type JourneyNode } from '@careloop/core';
import { SegmentedControl, Select, Stack } from '@mantine/core';
import { DurationInput } from './DurationInput';

type WaitNode = Extract<JourneyNode, { type: 'wait' }>;

/** A wait: a duration, or until an event with a timeout and where to go when it passes. */
export function WaitForm({
  node,
  journey,
  onChange,
}: {
  node: WaitNode;
  journey: JourneyDefinition;
  onChange: (node: WaitNode) => void;
}) {
  const w = node.wait;
  const fallback = journey.nodes.find((n) => n.type === 'exit')?.id ?? node.next;
  return (
    <Stack gap="xs">
      <SegmentedControl
        aria-label="Wait kind"
        value={w.kind === 'event' ? 'event' : 'duration'}
        data={[
          { value: 'duration', label: 'For a time' },
          { value: 'event', label: 'Until an event' },
        ]}
        onChange={(kind) =>
          onChange({
            ...node,
            wait:
              kind === 'event'
                ? {
                    kind: 'event',
                    event: 'message.received',
                    timeoutMinutes: 1440,
                    timeout: fallback,
                  }
                : { kind: 'duration', minutes: 1440 },
          })
        }
      />
      {w.kind === 'duration' ? (
        <DurationInput
          label="Wait for"
          minutes={w.minutes}
          onChange={(minutes) => onChange({ ...node, wait: { ...w, minutes } })}
        />
      ) : w.kind === 'event' ? (
        <>
          <Select
            label="Event"
            allowDeselect={false}
            data={[...JOURNEY_EVENTS]}
            value={w.event}
            onChange={(value) => {
              const event = JOURNEY_EVENTS.find((e) => e === value);
              if (event) onChange({ ...node, wait: { ...w, event } });
            }}
          />
          <DurationInput
            label="Timeout"
            minutes={w.timeoutMinutes}
            onChange={(timeoutMinutes) => onChange({ ...node, wait: { ...w, timeoutMinutes } })}
          />
          <Select
            label="When it does not come, go to"
            allowDeselect={false}
            data={journey.nodes.filter((n) => n.id !== node.id).map((n) => n.id)}
            value={w.timeout}
            onChange={(value) => {
              if (value) onChange({ ...node, wait: { ...w, timeout: value } });
            }}
          />
        </>
      ) : null}
    </Stack>
  );
}
