import {
  CHANNELS,
  type Channel,
  type PortalProfile,
  type PreferencesUpdate,
  PURPOSES,
} from '@careloop/core';
import {
  Alert,
  Button,
  Group,
  Paper,
  Select,
  SimpleGrid,
  Switch,
  Table,
  Text,
  Title,
} from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useState } from 'react';
import { CHANNEL_LABELS, languageOptions, optionsOf, PURPOSE_LABELS } from '../ui/labels';
import { errorMessage } from '../ui/states';
import { useUpdatePreferences } from './api';

type ConsentKey = `${Channel}:${(typeof PURPOSES)[number]}`;

interface Preferences {
  preferredChannel: Channel | null;
  preferredLanguage: string;
  allowed: Record<string, boolean>;
}

function preferencesOf(profile: PortalProfile): Preferences {
  const allowed: Record<string, boolean> = {};
  for (const consent of profile.consents)
    allowed[`${consent.channel}:${consent.purpose}`] = consent.allowed;
  return {
    preferredChannel: profile.patient.preferredChannel,
    preferredLanguage: profile.patient.preferredLanguage,
    allowed,
  };
}

/** Only what the patient changed: each consent change is a legal record, so untouched cells stay out. */
function changes(before: Preferences, after: Preferences): PreferencesUpdate {
  const body: PreferencesUpdate = {};
  if (after.preferredChannel && after.preferredChannel !== before.preferredChannel) {
    body.preferredChannel = after.preferredChannel;
  }
  if (after.preferredLanguage !== before.preferredLanguage)
    body.preferredLanguage = after.preferredLanguage;
  const consents = CHANNELS.flatMap((channel) =>
    PURPOSES.flatMap((purpose) => {
      const key: ConsentKey = `${channel}:${purpose}`;
      const now = after.allowed[key];
      if (now === undefined || now === before.allowed[key]) return [];
      return [{ channel, purpose, status: now ? ('granted' as const) : ('denied' as const) }];
    }),
  );
  if (consents.length > 0) body.consents = consents;
  return body;
}

export function PreferencesForm({ profile }: { profile: PortalProfile }) {
  const [saved, setSaved] = useState(() => preferencesOf(profile));
  const [draft, setDraft] = useState(saved);
  const update = useUpdatePreferences();
  const body = changes(saved, draft);
  const dirty = Object.keys(body).length > 0;

  const save = () =>
    update.mutate(body, {
      onSuccess: (next) => {
        const fresh = preferencesOf(next);
        setSaved(fresh);
        setDraft(fresh);
        notifications.show({
          color: 'teal',
          title: 'Preferences saved',
          message: 'We will contact you the way you chose.',
        });
      },
    });

  return (
    <Paper withBorder p="lg" component="section" aria-labelledby="communication-preferences">
      <Title order={2} size="h3" id="communication-preferences" mb="xs">
        Communication preferences
      </Title>
      <Text size="sm" c="dimmed" mb="md">
        Choose how we reach you and what we may contact you about. Reminders and follow-up about
        your care are on unless you turn them off; marketing is off unless you turn it on.
      </Text>
      {update.isError ? (
        <Alert color="red" mb="md" title="Could not save">
          {errorMessage(update.error)}
        </Alert>
      ) : null}
      <SimpleGrid cols={{ base: 1, sm: 2 }} mb="md" maw={520}>
        <Select
          label="Preferred channel"
          placeholder="Choose one"
          allowDeselect={false}
          data={optionsOf(CHANNELS, CHANNEL_LABELS)}
          value={draft.preferredChannel}
          onChange={(value) =>
            setDraft({
              ...draft,
              preferredChannel: CHANNELS.find((c) => c === value) ?? draft.preferredChannel,
            })
          }
        />
        <Select
          label="Preferred language"
          searchable
          allowDeselect={false}
          data={languageOptions(draft.preferredLanguage)}
          value={draft.preferredLanguage}
          onChange={(value) =>
            setDraft({ ...draft, preferredLanguage: value ?? draft.preferredLanguage })
          }
        />
      </SimpleGrid>
      <Table.ScrollContainer minWidth={480}>
        <Table aria-label="Contact permissions" verticalSpacing="xs">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Channel</Table.Th>
              {PURPOSES.map((purpose) => (
                <Table.Th key={purpose}>{PURPOSE_LABELS[purpose]}</Table.Th>
              ))}
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {CHANNELS.map((channel) => (
              <Table.Tr key={channel}>
                <Table.Th scope="row" fw={500}>
                  {CHANNEL_LABELS[channel]}
                </Table.Th>
                {PURPOSES.map((purpose) => {
                  const key: ConsentKey = `${channel}:${purpose}`;
                  return (
                    <Table.Td key={purpose}>
                      <Switch
                        aria-label={`${PURPOSE_LABELS[purpose]} by ${CHANNEL_LABELS[channel]}`}
                        checked={draft.allowed[key] ?? false}
                        onChange={(event) => {
                          const checked = event.currentTarget.checked;
                          setDraft((d) => ({ ...d, allowed: { ...d.allowed, [key]: checked } }));
                        }}
                      />
                    </Table.Td>
                  );
                })}
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      <Group justify="flex-end" mt="md">
        <Button
          variant="default"
          disabled={!dirty || update.isPending}
          onClick={() => setDraft(saved)}
        >
          Undo changes
        </Button>
        <Button onClick={save} disabled={!dirty} loading={update.isPending}>
          Save preferences
        </Button>
      </Group>
    </Paper>
  );
}
