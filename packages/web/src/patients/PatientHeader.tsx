import type { Patient360 } from '@careloop/core';
import { Badge, Button, Grid, Group, Paper, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import { IconPencil } from '@tabler/icons-react';
import type { ReactNode } from 'react';
import { ageInYears, formatDate } from '../ui/format';
import { channelLabel, languageLabel, SEX_LABELS } from '../ui/labels';
import { ConsentGrid } from './ConsentGrid';

function Fact({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div>
      <Text size="xs" c="dimmed" tt="uppercase" fw={600}>
        {label}
      </Text>
      <Text size="sm">{children}</Text>
    </div>
  );
}

export function medicalRecordNumber(record: Patient360): string | null {
  return record.identifiers.find((i) => i.type === 'MR')?.value ?? null;
}

/** Who this is at a glance: name, age, how to reach them and what they agreed to. */
export function PatientHeader({ record, onEdit }: { record: Patient360; onEdit?: () => void }) {
  const p = record.patient;
  return (
    <Paper withBorder p="lg" mb="md">
      <Grid gap="xl">
        <Grid.Col span={{ base: 12, lg: 6 }}>
          <Stack gap="md">
            <Group justify="space-between" align="flex-start" wrap="nowrap">
              <div>
                <Title order={1} size="h2">
                  {p.givenName} {p.familyName}
                </Title>
                {p.preferredName || p.middleName ? (
                  <Text c="dimmed" size="sm">
                    {[
                      p.middleName && `Middle name ${p.middleName}`,
                      p.preferredName && `Goes by ${p.preferredName}`,
                    ]
                      .filter(Boolean)
                      .join(' · ')}
                  </Text>
                ) : null}
              </div>
              {onEdit ? (
                <Button
                  variant="default"
                  size="xs"
                  leftSection={<IconPencil size={14} />}
                  onClick={onEdit}
                >
                  Edit
                </Button>
              ) : null}
            </Group>
            <Group gap={6}>
              {p.status !== 'active' ? <Badge color="gray">{p.status}</Badge> : null}
              {p.deceasedAt ? <Badge color="dark">Deceased</Badge> : null}
              {p.flags.map((flag) => (
                <Badge key={flag} variant="light" color="orange">
                  {flag}
                </Badge>
              ))}
            </Group>
            <SimpleGrid cols={{ base: 2, sm: 3 }} spacing="md" verticalSpacing="sm">
              <Fact label="Age">{ageInYears(p.birthDate)} years</Fact>
              <Fact label="Birth date">{formatDate(p.birthDate)}</Fact>
              <Fact label="Sex">
                {SEX_LABELS[p.administrativeSex]}
                {p.genderIdentity ? ` (identifies as ${p.genderIdentity})` : ''}
              </Fact>
              <Fact label="MRN">{medicalRecordNumber(record) ?? '—'}</Fact>
              <Fact label="Preferred channel">{channelLabel(p.preferredChannel)}</Fact>
              <Fact label="Language">{languageLabel(p.preferredLanguage)}</Fact>
              <Fact label="Time zone">{p.timeZone ?? '—'}</Fact>
              <Fact label="Primary location">{p.primaryLocation?.name ?? '—'}</Fact>
            </SimpleGrid>
          </Stack>
        </Grid.Col>
        <Grid.Col span={{ base: 12, lg: 6 }}>
          <Text size="xs" c="dimmed" tt="uppercase" fw={600} mb={4}>
            Consent
          </Text>
          <ConsentGrid consents={record.consents} />
        </Grid.Col>
      </Grid>
    </Paper>
  );
}
