import { Anchor, Button, Paper, Table, Text, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { Link } from 'react-router';
import { formatDateTime } from '../ui/format';
import { EmptyMessage, ErrorMessage, errorMessage, LoadingRows } from '../ui/states';
import { useDeadLetters, useRetryEnrolment } from './api';

/** Enrolments whose step failed past its retries, each with a retry button (admins). */
export function DeadLettersPage() {
  const letters = useDeadLetters();
  const retry = useRetryEnrolment();
  return (
    <>
      <Title order={2} mb="xs">
        Failed journey steps
      </Title>
      <Text c="dimmed" size="sm" mb="md">
        A step is retried with growing delays; after the last try its enrolment stops here. Retry
        puts it back where it failed: sends already made are never repeated, and a message past its
        window is recorded as expired, not sent.
      </Text>
      <Paper withBorder p="md">
        {letters.isPending ? (
          <LoadingRows />
        ) : letters.isError ? (
          <ErrorMessage error={letters.error} onRetry={() => letters.refetch()} />
        ) : letters.data.length === 0 ? (
          <EmptyMessage title="No failed steps" />
        ) : (
          <Table>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Journey</Table.Th>
                <Table.Th>Patient</Table.Th>
                <Table.Th>Node</Table.Th>
                <Table.Th>Error</Table.Th>
                <Table.Th>Failed</Table.Th>
                <Table.Th />
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {letters.data.map((letter) => (
                <Table.Tr key={letter.enrolmentId} data-testid="dead-letter">
                  <Table.Td>
                    <Anchor component={Link} to={`/journeys/${letter.journeyId}`}>
                      {letter.journeyName}
                    </Anchor>
                  </Table.Td>
                  <Table.Td>
                    <Anchor component={Link} to={`/patients/${letter.patientId}`}>
                      Open patient
                    </Anchor>
                  </Table.Td>
                  <Table.Td>{letter.node}</Table.Td>
                  <Table.Td>
                    <Text size="sm" ff="monospace">
                      {letter.error}
                    </Text>
                  </Table.Td>
                  <Table.Td>{formatDateTime(letter.updatedAt)}</Table.Td>
                  <Table.Td>
                    <Button
                      size="xs"
                      loading={retry.isPending && retry.variables === letter.enrolmentId}
                      onClick={() =>
                        retry.mutate(letter.enrolmentId, {
                          onError: (error) =>
                            notifications.show({ color: 'red', message: errorMessage(error) }),
                        })
                      }
                    >
                      Retry
                    </Button>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        )}
      </Paper>
    </>
  );
}
