import { JOURNEY_CHANNELS, type JourneyNode, type JourneySendAction } from '@careloop/core';
import { Select, Stack } from '@mantine/core';
import { useTemplates } from '../../templates/api';

type SendNode = Extract<JourneyNode, { type: 'action' }> & { action: JourneySendAction };

const CHANNEL_LABELS: Record<JourneySendAction['channel'], string> = {
  sms: 'SMS',
  email: 'Email',
  portal: 'Portal (secure message)',
  preferred: "The patient's preferred channel",
};

/** What each channel does that its name does not say (docs/adr/0046). */
const CHANNEL_HINTS: Partial<Record<JourneySendAction['channel'], string>> = {
  portal:
    "Posted in the patient's portal messages (the template's portal version, else its email text); they are told by text or email that a message waits. Patients without a portal account get nothing.",
  preferred:
    'The channel the patient prefers (the portal only with a portal account), else the next that reaches them.',
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
        description={CHANNEL_HINTS[a.channel]}
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
