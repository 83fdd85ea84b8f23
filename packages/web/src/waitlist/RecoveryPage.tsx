import {
  Anchor,
  Group,
  Paper,
  SimpleGrid,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { useState } from 'react';
import { Link } from 'react-router';
import { dayjs, formatDate } from '../ui/format';
import { EmptyMessage, ErrorMessage, LoadingRows } from '../ui/states';
import { useRecovery } from './api';

function Tile({ label, value }: { label: string; value: number }) {
  return (
    <Paper withBorder p="md">
      <Text size="xs" c="dimmed" tt="uppercase" fw={600}>
        {label}
      </Text>
      <Text fz={28} fw={700} data-testid={`recovery-${label.toLowerCase().replace(/\s+/g, '-')}`}>
        {value}
      </Text>
    </Paper>
  );
}

/** Offers sent, accepted and expired, and slots recovered, per week. */
export function RecoveryPage() {
  const [from, setFrom] = useState(() => dayjs().subtract(8, 'week').format('YYYY-MM-DD'));
  const [to, setTo] = useState(() => dayjs().add(1, 'week').format('YYYY-MM-DD'));
  const report = useRecovery(from, to);
  const weeks = report.data?.weeks ?? [];
  const total = (k: 'sent' | 'accepted' | 'declined' | 'expired' | 'recovered') =>
    weeks.reduce((n, w) => n + w[k], 0);
  return (
    <Stack>
      <div>
        <Title order={1} size="h2">
          Slot recovery
        </Title>
        <Text c="dimmed" size="sm">
          Freed slots offered to waiting patients, and how many were booked again.{' '}
          <Anchor component={Link} to="/waitlist">
            Waitlist
          </Anchor>
        </Text>
      </div>
      <Group>
        <TextInput
          label="From"
          type="date"
          value={from}
          onChange={(e) => setFrom(e.currentTarget.value)}
        />
        <TextInput
          label="To"
          type="date"
          value={to}
          onChange={(e) => setTo(e.currentTarget.value)}
        />
      </Group>
      {report.isPending ? (
        <LoadingRows />
      ) : report.isError ? (
        <ErrorMessage error={report.error} onRetry={() => report.refetch()} />
      ) : (
        <>
          <SimpleGrid cols={{ base: 2, sm: 3, lg: 6 }}>
            <Tile label="Offers sent" value={total('sent')} />
            <Tile label="Accepted" value={total('accepted')} />
            <Tile label="Declined" value={total('declined')} />
            <Tile label="Expired" value={total('expired')} />
            <Tile label="Slots recovered" value={total('recovered')} />
            <Tile label="Waiting now" value={report.data.waiting} />
          </SimpleGrid>
          <Paper withBorder p="md">
            {weeks.length === 0 ? (
              <EmptyMessage
                title="No offers in this period"
                description="Offers go out when a slot is cancelled or moved."
              />
            ) : (
              <Table aria-label="Slot recovery per week" striped>
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>Week of</Table.Th>
                    <Table.Th>Offers sent</Table.Th>
                    <Table.Th>Accepted</Table.Th>
                    <Table.Th>Declined</Table.Th>
                    <Table.Th>Expired</Table.Th>
                    <Table.Th>Slots recovered</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {weeks.map((w) => (
                    <Table.Tr key={w.week}>
                      <Table.Td>{formatDate(w.week)}</Table.Td>
                      <Table.Td>{w.sent}</Table.Td>
                      <Table.Td>{w.accepted}</Table.Td>
                      <Table.Td>{w.declined}</Table.Td>
                      <Table.Td>{w.expired}</Table.Td>
                      <Table.Td>{w.recovered}</Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            )}
          </Paper>
        </>
      )}
    </Stack>
  );
}
