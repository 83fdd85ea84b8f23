import { CHANNELS, type Consent, PURPOSES } from '@careloop/core';
import { Group, Stack, Table, Text, Tooltip } from '@mantine/core';
import { IconCheck, IconX } from '@tabler/icons-react';
import { formatDateTime } from '../ui/format';
import { CHANNEL_LABELS, PURPOSE_LABELS } from '../ui/labels';

function ConsentCell({ consent }: { consent: Consent | undefined }) {
  // The server sends the effective decision for every cell; a missing one is shown as unknown.
  if (!consent)
    return (
      <Text size="sm" c="dimmed">
        —
      </Text>
    );
  const label = consent.allowed ? 'Allowed' : 'Denied';
  const detail = consent.explicit
    ? `Recorded ${formatDateTime(consent.recordedAt)}${consent.source ? ` via ${consent.source}` : ''}`
    : 'Default (no explicit choice recorded)';
  return (
    <Tooltip label={detail} withArrow>
      <Group
        gap={4}
        wrap="nowrap"
        c={consent.allowed ? 'teal' : 'red'}
        data-consent={consent.explicit ? 'recorded' : 'default'}
        aria-label={`${label}, ${consent.explicit ? 'recorded' : 'organization default'}`}
      >
        {consent.allowed ? <IconCheck size={14} aria-hidden /> : <IconX size={14} aria-hidden />}
        <ConsentLabel explicit={consent.explicit}>{label}</ConsentLabel>
      </Group>
    </Tooltip>
  );
}

/** Recorded decisions in bold, defaults in italics: the legend below the grid says so. */
function ConsentLabel({ explicit, children }: { explicit: boolean; children: string }) {
  return (
    <Text size="sm" fw={explicit ? 700 : 400} fs={explicit ? undefined : 'italic'} span>
      {children}
    </Text>
  );
}

/** What bold and italics mean in the grid. */
function ConsentLegend() {
  return (
    <Group gap="lg" data-testid="consent-legend" aria-label="Legend">
      <Text size="sm">
        <ConsentLabel explicit>Allowed</ConsentLabel> / <ConsentLabel explicit>Denied</ConsentLabel>
        : recorded (the patient's choice; hover for when and how)
      </Text>
      <Text size="sm">
        <ConsentLabel explicit={false}>Allowed</ConsentLabel> /{' '}
        <ConsentLabel explicit={false}>Denied</ConsentLabel>: the organization's default, no choice
        recorded
      </Text>
    </Group>
  );
}

/** Channel × purpose: may we contact this patient here for this reason? */
export function ConsentGrid({ consents }: { consents: Consent[] }) {
  const find = (channel: string, purpose: string) =>
    consents.find((c) => c.channel === channel && c.purpose === purpose);
  return (
    <Stack gap="xs">
      <Table.ScrollContainer minWidth={440}>
        <Table withTableBorder withColumnBorders verticalSpacing={4} aria-label="Consent summary">
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
                {PURPOSES.map((purpose) => (
                  <Table.Td key={purpose}>
                    <ConsentCell consent={find(channel, purpose)} />
                  </Table.Td>
                ))}
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      <ConsentLegend />
    </Stack>
  );
}
