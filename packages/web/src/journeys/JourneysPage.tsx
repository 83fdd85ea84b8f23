import { can, type JourneySummary } from '@careloop/core';
import { Anchor, Badge, Button, Group, Paper, Table, Text, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useState } from 'react';
import { Link } from 'react-router';
import { useCurrentUser } from '../auth/session';
import { EmptyMessage, ErrorMessage, errorMessage, LoadingRows } from '../ui/states';
import { useEnableReady, useJourneys, useReadyJourneys } from './api';
import { NewJourneyDialog } from './NewJourneyDialog';

const STATUS_COLORS: Record<JourneySummary['status'], string> = {
  draft: 'gray',
  published: 'teal',
  paused: 'orange',
  archived: 'dark',
};

function JourneyRow({ journey }: { journey: JourneySummary }) {
  const e = journey.enrolments;
  return (
    <Table.Tr data-testid="journey">
      <Table.Td>
        <Anchor component={Link} to={`/journeys/${journey.id}`}>
          {journey.name}
        </Anchor>
        <Text size="xs" c="dimmed">
          {journey.key}
        </Text>
      </Table.Td>
      <Table.Td>
        <Badge color={STATUS_COLORS[journey.status]} variant="light">
          {journey.status}
        </Badge>
      </Table.Td>
      <Table.Td>{journey.publishedVersion ?? '—'}</Table.Td>
      <Table.Td>{e.active}</Table.Td>
      <Table.Td>{e.completed}</Table.Td>
      <Table.Td>{e.exited}</Table.Td>
      <Table.Td c={e.failed > 0 ? 'red' : undefined}>{e.failed}</Table.Td>
      <Table.Td>{e.converted}</Table.Td>
    </Table.Tr>
  );
}

/** Ready care journeys shipped with Careloop, enabled per organization by an admin. */
function ReadyJourneys({ canWrite }: { canWrite: boolean }) {
  const ready = useReadyJourneys();
  const enable = useEnableReady();
  if (ready.isPending) return <LoadingRows rows={2} />;
  if (ready.isError) return <ErrorMessage error={ready.error} onRetry={() => ready.refetch()} />;
  return (
    <Table>
      <Table.Tbody>
        {ready.data.map((journey) => (
          <Table.Tr key={journey.key} data-testid="ready-journey">
            <Table.Td>
              <Text fw={600} size="sm">
                {journey.name}
              </Text>
              <Text size="xs" c="dimmed">
                {journey.description}
              </Text>
            </Table.Td>
            <Table.Td w={140} ta="right">
              {journey.journeyId ? (
                <Badge color="teal" variant="light">
                  Enabled
                </Badge>
              ) : canWrite ? (
                <Button
                  size="xs"
                  loading={enable.isPending && enable.variables === journey.key}
                  onClick={() =>
                    enable.mutate(journey.key, {
                      onSuccess: () =>
                        notifications.show({ color: 'teal', message: `${journey.name} enabled` }),
                      onError: (error) =>
                        notifications.show({ color: 'red', message: errorMessage(error) }),
                    })
                  }
                >
                  Enable
                </Button>
              ) : null}
            </Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}

/** Journeys: their status, version and enrolments; the ready journeys to enable. */
export function JourneysPage() {
  const journeys = useJourneys();
  const canWrite = can(useCurrentUser().role, 'journey:write');
  const [creating, setCreating] = useState(false);
  return (
    <>
      <Group justify="space-between" mb="md">
        <Title order={2}>Journeys</Title>
        {canWrite ? (
          <Group gap="md">
            <Anchor component={Link} to="/journeys/dead-letters" size="sm">
              Failed steps
            </Anchor>
            <Button size="xs" onClick={() => setCreating(true)}>
              New journey
            </Button>
          </Group>
        ) : null}
      </Group>
      {canWrite ? <NewJourneyDialog opened={creating} onClose={() => setCreating(false)} /> : null}
      <Paper withBorder p="md" mb="lg">
        {journeys.isPending ? (
          <LoadingRows />
        ) : journeys.isError ? (
          <ErrorMessage error={journeys.error} onRetry={() => journeys.refetch()} />
        ) : journeys.data.length === 0 ? (
          <EmptyMessage
            title="No journeys yet"
            description="Enable a ready journey below, or compose one with New journey."
          />
        ) : (
          <Table.ScrollContainer minWidth={720}>
            <Table>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Journey</Table.Th>
                  <Table.Th>Status</Table.Th>
                  <Table.Th>Version</Table.Th>
                  <Table.Th>Active</Table.Th>
                  <Table.Th>Completed</Table.Th>
                  <Table.Th>Exited</Table.Th>
                  <Table.Th>Failed</Table.Th>
                  <Table.Th>Converted</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {journeys.data.map((journey) => (
                  <JourneyRow key={journey.id} journey={journey} />
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        )}
      </Paper>
      <Title order={3} mb="xs">
        Ready care journeys
      </Title>
      <Paper withBorder p="md">
        <ReadyJourneys canWrite={canWrite} />
      </Paper>
    </>
  );
}
