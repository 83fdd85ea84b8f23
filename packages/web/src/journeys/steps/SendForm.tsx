import { JOURNEY_CHANNELS, type JourneyNode, type JourneySendAction } from '@careloop/core';
import { Select, Stack } from '@mantine/core';
import { useTemplates } from '../../templates/api';

type SendNode = Extract<JourneyNode, { type: 'action' }> & { action: JourneySendAction };

const CHANNEL_LABELS: Record<JourneySendAction['channel'], string> = {
  sms: 'SMS',
  email: 'Email',
  preferred: "The patient's preferred channel",
};

/** A message: its channel and one of the organization's templates (its purpose comes along). */
export function SendForm({
  node,
  onChange,
}: {
  node: SendNode;
  onChange: (node: SendNode) => void;
}) {
  const templates = useTemplates();
  const items = templates.data?.items ?? [];
  const a = node.action;
  return (
    <Stack gap="xs">
      <Select
        label="Channel"
        allowDeselect={false}
        data={JOURNEY_CHANNELS.map((value) => ({ value, label: CHANNEL_LABELS[value] }))}
        value={a.channel}
        onChange={(value) => {
          const channel = JOURNEY_CHANNELS.find((c) => c === value);
          if (channel) onChange({ ...node, action: { ...a, channel } });
        }}
      />
      <Select
        label="Template"
        placeholder={templates.isPending ? 'Loading templates…' : 'Choose a template'}
        searchable
        data={items.map((t) => ({ value: t.key, label: t.name }))}
        value={items.some((t) => t.key === a.template) ? a.template : null}
        error={templates.isError ? 'The templates could not be loaded' : undefined}
        onChange={(value) => {
          const template = items.find((t) => t.key === value);
          if (template)
            onChange({
              ...node,
              action: { ...a, template: template.key, purpose: template.purpose },
            });
        }}
      />
    </Stack>
  );
}
