import { routes, type StaffSurveyResponse } from '@careloop/core';
import { Badge, Card, Group, Stack, Text } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { api } from '../../api/client';
import { formatDateTime } from '../../ui/format';
import { EmptyMessage, ErrorMessage, LoadingRows } from '../../ui/states';

const CATEGORY_COLOR = { promoter: 'teal', passive: 'gray', detractor: 'red' } as const;

/**
 * Issue 11 (h11v): a patient's post-visit survey answers. Every role that reads the patient sees
 * the scores; the comment comes only to roles the minimum-necessary policy allows
 * (FIELD_POLICY survey.comment, docs/adr/0042-survey-links.md), the others see that one exists.
 */
export function SurveysTab({ patientId }: { patientId: string }) {
  const answers = useQuery({
    queryKey: ['patients', 'one', patientId, 'surveys'],
    queryFn: () => api.call(routes.surveys.ofPatient, { params: { id: patientId } }),
  });
  if (answers.isPending) return <LoadingRows label="Loading surveys" />;
  if (answers.isError) {
    return <ErrorMessage error={answers.error} onRetry={() => void answers.refetch()} />;
  }
  const { items } = answers.data;
  if (items.length === 0) return <EmptyMessage title="No survey answers" />;
  return (
    <Stack gap="sm">
      {items.map((r) => (
        <SurveyCard key={r.id} answer={r} />
      ))}
    </Stack>
  );
}

function SurveyCard({ answer: r }: { answer: StaffSurveyResponse }) {
  return (
    <Card withBorder padding="sm" component="section" aria-label="Post-visit survey">
      <Group justify="space-between" mb="xs">
        <Group gap="xs">
          <Text fw={600} size="sm">
            Recommend: {r.nps}/10
          </Text>
          <Badge variant="light" color={CATEGORY_COLOR[r.category]}>
            {r.category}
          </Badge>
        </Group>
        <Text size="sm" c="dimmed">
          {formatDateTime(r.answeredAt)}
        </Text>
      </Group>
      <Text size="sm">
        Staff explained things clearly: {r.communication ?? 'not answered'} · Easy to get an
        appointment: {r.scheduling ?? 'not answered'}
      </Text>
      {r.comment !== null ? (
        <Text size="sm" mt="xs" style={{ whiteSpace: 'pre-wrap' }}>
          “{r.comment}”
        </Text>
      ) : r.commentWithheld ? (
        <Text size="sm" c="dimmed" mt="xs">
          A comment, not shown to your role.
        </Text>
      ) : null}
    </Card>
  );
}
