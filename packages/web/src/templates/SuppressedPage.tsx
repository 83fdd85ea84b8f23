import { Anchor, Badge, Paper, Table, Text, Title } from '@mantine/core';
import { Link } from 'react-router';
import { formatDateTime } from '../ui/format';
import { EmptyMessage, ErrorMessage, LoadingRows } from '../ui/states';
import { useSuppressedMessages } from './api';

const REASONS: Record<string, string> = {
  consent: 'Opted out',
  'frequency-cap': 'Frequency cap',
  expired: 'Validity window ended',
  deceased: 'Patient deceased',
};

/**
 * Patient messages the send-time checks did not send, with why (docs/adr/0024). No bodies:
 * what a message said is in the outbox, encrypted; this page says only that it was stopped.
 */
export function SuppressedPage() {
  const suppressed = useSuppressedMessages();
  const items = suppressed.data?.items ?? [];
  return (
    <>
      <Title order={2} mb="xs">
        Suppressed messages
      </Title>
      <Text c="dimmed" size="sm" mb="md">
        Messages to patients that were not sent: opted out of the channel for the purpose, over a
        frequency cap, or past their validity window. Each is also on the patient’s timeline.
      </Text>
      <Paper withBorder p="md">
        {suppressed.isPending ? (
          <LoadingRows />
        ) : suppressed.isError ? (
          <ErrorMessage error={suppressed.error} onRetry={() => suppressed.refetch()} />
        ) : items.length === 0 ? (
          <EmptyMessage title="Nothing suppressed" description="Every patient message was sent." />
        ) : (
          <Table.ScrollContainer minWidth={600}>
            <Table>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Queued</Table.Th>
                  <Table.Th>Patient</Table.Th>
                  <Table.Th>Template</Table.Th>
                  <Table.Th>Channel</Table.Th>
                  <Table.Th>Reason</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {items.map((m) => (
                  <Table.Tr key={m.id} data-testid="suppressed-message">
                    <Table.Td style={{ whiteSpace: 'nowrap' }}>
                      {formatDateTime(m.createdAt)}
                    </Table.Td>
                    <Table.Td>
                      {m.patientId ? (
                        <Anchor component={Link} to={`/patients/${m.patientId}`}>
                          Open record
                        </Anchor>
                      ) : (
                        '—'
                      )}
                    </Table.Td>
                    <Table.Td>{m.templateKey ?? '—'}</Table.Td>
                    <Table.Td>{m.channel}</Table.Td>
                    <Table.Td>
                      <Badge variant="light" color="gray">
                        {REASONS[m.reason ?? ''] ?? m.reason ?? '—'}
                      </Badge>
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        )}
      </Paper>
    </>
  );
}
