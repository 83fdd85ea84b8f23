import { JOURNEY_EVENTS, type JourneyDefinition } from '@careloop/core';
import { Button, Group, Modal, Select, Stack, TextInput } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useState } from 'react';
import { useNavigate } from 'react-router';
import { errorMessage } from '../ui/states';
import { useCreateJourney } from './api';
import { keyFromName, newJourney } from './graph';

const MANUAL = 'manual';
const KEY_PATTERN = /^[a-z][a-z0-9-]{0,63}$/;

function toTrigger(choice: string): JourneyDefinition['trigger'] {
  const event = JOURNEY_EVENTS.find((e) => e === choice);
  return event ? { kind: 'event', event } : { kind: 'manual' };
}

/** "New journey": a name, its key and a trigger; the draft is created and opened in the builder. */
export function NewJourneyDialog({ opened, onClose }: { opened: boolean; onClose: () => void }) {
  const [name, setName] = useState('');
  const [key, setKey] = useState<string | null>(null);
  const [trigger, setTrigger] = useState<string>(JOURNEY_EVENTS[0]);
  const create = useCreateJourney();
  const navigate = useNavigate();
  const shownKey = key ?? keyFromName(name);
  const keyError =
    shownKey === '' || KEY_PATTERN.test(shownKey)
      ? null
      : 'Lower-case letters, digits and dashes, starting with a letter';
  const submit = () =>
    create.mutate(newJourney({ name: name.trim(), key: shownKey, trigger: toTrigger(trigger) }), {
      onSuccess: (created) => navigate(`/journeys/${created.id}`),
      onError: (error) => notifications.show({ color: 'red', message: errorMessage(error) }),
    });
  return (
    <Modal opened={opened} onClose={onClose} title="New journey">
      <form
        onSubmit={(e) => {
          e.preventDefault();
          submit();
        }}
      >
        <Stack>
          <TextInput
            label="Name"
            required
            maxLength={120}
            value={name}
            onChange={(e) => setName(e.currentTarget.value)}
          />
          <TextInput
            label="Key"
            description="Names the journey in files and the API"
            required
            value={shownKey}
            error={keyError}
            onChange={(e) => setKey(e.currentTarget.value)}
          />
          <Select
            label="Trigger"
            allowDeselect={false}
            data={[
              { group: 'When an event happens', items: [...JOURNEY_EVENTS] },
              { group: 'Other', items: [{ value: MANUAL, label: 'Enrolled by hand or the API' }] },
            ]}
            value={trigger}
            onChange={(value) => setTrigger(value ?? MANUAL)}
          />
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              Cancel
            </Button>
            <Button
              type="submit"
              loading={create.isPending}
              disabled={name.trim() === '' || shownKey === '' || keyError !== null}
            >
              Create draft
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
