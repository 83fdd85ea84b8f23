import type { Patient360 } from '@careloop/core';
import { Badge, SimpleGrid, Stack, Text, Title } from '@mantine/core';

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
