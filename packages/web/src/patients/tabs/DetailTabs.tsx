import type { Patient360 } from '@careloop/core';
import { Badge, SimpleGrid, Stack, Table, Text, Title } from '@mantine/core';
import { formatDate } from '../../ui/format';
import { EmptyMessage } from '../../ui/states';

export function CoverageTab({ coverage }: { coverage: Patient360['coverage'] }) {
  if (coverage.length === 0)
    return (
      <EmptyMessage
        title="No coverage on file"
        description="Self-pay, or insurance not recorded yet."
      />
    );
  return (
    <Table.ScrollContainer minWidth={640}>
      <Table striped verticalSpacing="xs" aria-label="Coverage">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Priority</Table.Th>
            <Table.Th>Payer</Table.Th>
            <Table.Th>Plan</Table.Th>
            <Table.Th>Member ID</Table.Th>
            <Table.Th>Group</Table.Th>
            <Table.Th>Period</Table.Th>
            <Table.Th>Status</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {[...coverage]
            .sort((a, b) => a.priority - b.priority)
            .map((c) => (
              <Table.Tr key={c.id}>
                <Table.Td>
                  {c.priority === 1 ? 'Primary' : c.priority === 2 ? 'Secondary' : c.priority}
                </Table.Td>
                <Table.Td>{c.payer}</Table.Td>
                <Table.Td>{c.plan ?? '—'}</Table.Td>
                <Table.Td>{c.memberId ?? '—'}</Table.Td>
                <Table.Td>{c.groupNumber ?? '—'}</Table.Td>
                <Table.Td>
                  {formatDate(c.startDate)} – {c.endDate ? formatDate(c.endDate) : 'ongoing'}
                </Table.Td>
                <Table.Td>
                  <Badge variant="light" color={c.status === 'active' ? 'teal' : 'gray'}>
                    {c.status}
                  </Badge>
                </Table.Td>
              </Table.Tr>
            ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}

export function CareTeamTab({ careTeam }: { careTeam: Patient360['careTeam'] }) {
  if (careTeam.length === 0) return <EmptyMessage title="No care team assigned" />;
  return (
    <Table verticalSpacing="xs" aria-label="Care team">
      <Table.Thead>
        <Table.Tr>
          <Table.Th>Name</Table.Th>
          <Table.Th>Role</Table.Th>
          <Table.Th>Since</Table.Th>
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {careTeam.map((m) => (
          <Table.Tr key={m.id}>
            <Table.Td>{m.name}</Table.Td>
            <Table.Td>{m.role}</Table.Td>
            <Table.Td>{formatDate(m.since)}</Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}

export function ContactTab({ record }: { record: Patient360 }) {
  return (
    <SimpleGrid cols={{ base: 1, md: 3 }} spacing="xl">
      <Stack gap="xs">
        <Title order={2} size="h4">
          Phone and email
        </Title>
        {record.contactPoints.length === 0 ? (
          <Text c="dimmed" size="sm">
            None on file
          </Text>
        ) : (
          record.contactPoints.map((c) => (
            <div key={c.id}>
              <Text size="sm">
                {c.display || c.value}{' '}
                {c.isPrimary ? (
                  <Badge size="xs" variant="light">
                    Primary
                  </Badge>
                ) : null}
              </Text>
              <Text size="xs" c="dimmed">
                {c.system === 'phone' ? 'Phone' : 'Email'} · {c.use}
              </Text>
            </div>
          ))
        )}
      </Stack>
      <Stack gap="xs">
        <Title order={2} size="h4">
          Addresses
        </Title>
        {record.addresses.length === 0 ? (
          <Text c="dimmed" size="sm">
            None on file
          </Text>
        ) : (
          record.addresses.map((a) => (
            <Text key={a.id} size="sm" component="address" style={{ fontStyle: 'normal' }}>
              <Text span size="xs" c="dimmed" tt="capitalize">
                {a.use}
              </Text>
              <br />
              {a.line1}
              {a.line2 ? `, ${a.line2}` : ''}
              <br />
              {a.city}, {a.state} {a.postalCode} {a.country !== 'US' ? a.country : ''}
            </Text>
          ))
        )}
      </Stack>
      <Stack gap="xs">
        <Title order={2} size="h4">
          Identifiers
        </Title>
        {record.identifiers.length === 0 ? (
          <Text c="dimmed" size="sm">
            None on file
          </Text>
        ) : (
          record.identifiers.map((i) => (
            <div key={i.id}>
              <Text size="sm">
                {i.type ? <strong>{i.type} </strong> : null}
                {i.value}
              </Text>
              <Text size="xs" c="dimmed">
                {i.system}
                {i.source ? ` · from ${i.source}` : ''}
              </Text>
            </div>
          ))
        )}
      </Stack>
    </SimpleGrid>
  );
}
