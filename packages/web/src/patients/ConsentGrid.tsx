import { CHANNELS, type Consent, PURPOSES } from '@careloop/core';
import { Group, Table, Text, Tooltip } from '@mantine/core';
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
      <Group gap={4} wrap="nowrap" c={consent.allowed ? 'teal' : 'red'}>
        {consent.allowed ? <IconCheck size={14} aria-hidden /> : <IconX size={14} aria-hidden />}
        <Text size="sm" fw={consent.explicit ? 600 : 400}>
          {label}
        </Text>
      </Group>
    </Tooltip>
  );
}

/** Channel × purpose: may we contact this patient here for this reason? */
export function ConsentGrid({ consents }: { consents: Consent[] }) {
  const find = (channel: string, purpose: string) =>
    consents.find((c) => c.channel === channel && c.purpose === purpose);
  return (
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
  );
}
