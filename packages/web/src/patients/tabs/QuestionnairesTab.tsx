import { type QuestionnaireResponseView, routes } from '@careloop/core';
import { Badge, Card, Group, Stack, Table, Text } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { api } from '../../api/client';
import { formatDateTime } from '../../ui/format';
import { EmptyMessage, ErrorMessage, LoadingRows } from '../../ui/states';

/**
 * Issue 9: a patient's questionnaire responses. The answers are clinical detail: the server
 * sends them only to roles the minimum-necessary policy allows (docs/adr/0011); the others see
 * that a response exists and when, with its answers marked as withheld.
 */
export function QuestionnairesTab({ patientId }: { patientId: string }) {
  const responses = useQuery({
    queryKey: ['patients', 'one', patientId, 'questionnaire-responses'],
    queryFn: () => api.call(routes.questionnaires.list, { params: { id: patientId } }),
  });
  if (responses.isPending) return <LoadingRows label="Loading questionnaires" />;
  if (responses.isError) {
    return <ErrorMessage error={responses.error} onRetry={() => void responses.refetch()} />;
  }
  const { items } = responses.data;
  if (items.length === 0) return <EmptyMessage title="No questionnaire responses" />;
  return (
    <Stack gap="sm">
      {items.map((r) => (
        <ResponseCard key={r.id} response={r} />
      ))}
    </Stack>
  );
}

function ResponseCard({ response: r }: { response: QuestionnaireResponseView }) {
  const title = r.questionnaire ?? 'Questionnaire';
  return (
    <Card withBorder padding="sm" component="section" aria-label={title}>
      <Group justify="space-between" mb="xs">
        <Text fw={600} size="sm" style={{ wordBreak: 'break-all' }}>
          {title}
        </Text>
        <Group gap="xs">
          <Badge variant="light" color="gray">
            {r.status}
          </Badge>
          <Text size="sm" c="dimmed">
            {r.authoredAt ? formatDateTime(r.authoredAt) : 'Date not given'}
          </Text>
        </Group>
      </Group>
      <Answers response={r} />
    </Card>
  );
}

function Answers({ response: r }: { response: QuestionnaireResponseView }) {
  if (r.answers === null) {
    return (
      <Text size="sm" c="dimmed">
        {r.itemCount === 1 ? '1 answer' : `${r.itemCount} answers`}, not shown to your role.
      </Text>
    );
  }
  if (r.unreadable) {
    return (
      <Text size="sm" c="red.8" role="status">
        These answers do not decrypt for this response.
      </Text>
    );
  }
  if (r.answers.length === 0) return <Text size="sm">No answers.</Text>;
  return (
    <Table verticalSpacing={4} aria-label="Answers">
      <Table.Thead>
        <Table.Tr>
          <Table.Th>Question</Table.Th>
          <Table.Th>Answer</Table.Th>
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {r.answers.map((a) => (
          <Table.Tr key={a.linkId}>
            <Table.Td>{a.text ?? a.linkId}</Table.Td>
            <Table.Td>{a.answer}</Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}
