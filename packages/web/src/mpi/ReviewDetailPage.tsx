import type { ReviewItem } from '@careloop/core';
import {
  Alert,
  Anchor,
  Badge,
  Breadcrumbs,
  Button,
  Group,
  Paper,
  Skeleton,
  Stack,
  Text,
  Title,
} from '@mantine/core';
import { IconArrowBackUp, IconArrowMerge, IconCircleCheck, IconUsers } from '@tabler/icons-react';
import { Link, useParams } from 'react-router';
import { isApiError } from '../api/client';
import { useCan } from '../auth/session';
import { formatDateTime } from '../ui/format';
import { EmptyMessage, ErrorMessage } from '../ui/states';
import { useReview } from './api';
import { ComparisonTable } from './ComparisonTable';
import { formatScore } from './comparison';
import { type Decision, DecisionModal } from './DecisionModal';
import {
  decisionText,
  type MergeToUndo,
  mergedPair,
  mergeOfReview,
  REVIEW_STATUS_COLORS,
  REVIEW_STATUS_LABELS,
  reviewReasonText,
} from './labels';
import { UnmergeModal } from './UnmergeModal';
import { useDialog } from './use-dialog';

/** What was decided, by whom, why, and where the patient now lives. */
function DecisionResult({
  item,
  onUnmerge,
}: {
  item: ReviewItem;
  /** Offered on a merged pair whose merge is known, to staff who may undo it. */
  onUnmerge?: (merge: MergeToUndo) => void;
}) {
  const decided = (
    <Text size="sm" data-testid="review-decision">
      {decisionText(item)}
    </Text>
  );
  if (item.status === 'merged') {
    const pair = mergedPair(item);
    const merge = mergeOfReview(item);
    return (
      <Alert
        color="teal"
        icon={<IconCircleCheck size={18} />}
        title="Merged into one record"
        data-testid="review-result"
      >
        <Stack gap={4}>
          {decided}
          {pair ? (
            <Anchor
              component={Link}
              to={`/patients/${pair.survivor.patientId}?tab=sources`}
              size="sm"
            >
              Open the surviving record: {pair.survivor.givenName} {pair.survivor.familyName}
            </Anchor>
          ) : (
            <Text size="sm" c="dimmed">
              Which record was kept is not known here; the Sources tab of either record shows its
              merges.
            </Text>
          )}
          {merge && onUnmerge ? (
            <Group>
              <Button
                size="compact-sm"
                variant="light"
                color="orange"
                leftSection={<IconArrowBackUp size={14} />}
                onClick={() => onUnmerge(merge)}
              >
                Unmerge
              </Button>
            </Group>
          ) : null}
        </Stack>
      </Alert>
    );
  }
  return (
    <Alert
      color="gray"
      icon={<IconUsers size={18} />}
      title="Different people"
      data-testid="review-result"
    >
      <Stack gap={4}>
        {decided}
        <Text size="sm">
          Both records stand on their own. Open{' '}
          <Anchor component={Link} to={`/patients/${item.incoming.patientId}`} size="sm">
            {item.incoming.givenName} {item.incoming.familyName}
          </Anchor>{' '}
          or{' '}
          <Anchor component={Link} to={`/patients/${item.candidate.patientId}`} size="sm">
            {item.candidate.givenName} {item.candidate.familyName}
          </Anchor>
          .
        </Text>
      </Stack>
    </Alert>
  );
}

function ReviewActions({ onDecide }: { onDecide: (decision: Decision) => void }) {
  return (
    <Group justify="flex-end">
      <Button
        variant="default"
        leftSection={<IconUsers size={16} />}
        onClick={() => onDecide('distinct')}
      >
        Different people
      </Button>
      <Button leftSection={<IconArrowMerge size={16} />} onClick={() => onDecide('merge')}>
        Same person — merge
      </Button>
    </Group>
  );
}

/** One possible duplicate: the two records side by side, and the decision. */
export function ReviewDetailPage() {
  const { id = '' } = useParams();
  const review = useReview(id);
  const canMerge = useCan('patient:merge');
  const dialog = useDialog<Decision>();
  const unmerging = useDialog<MergeToUndo>();

  if (review.isPending) {
    return (
      <Stack role="status" aria-label="Loading the review">
        <Skeleton height={60} />
        <Skeleton height={360} />
      </Stack>
    );
  }
  if (review.isError) {
    const status = isApiError(review.error) ? review.error.status : 0;
    if (status === 404 || status === 400) {
      return (
        <EmptyMessage
          title="Review not found"
          description="The link may be wrong."
          action={
            <Anchor component={Link} to="/mpi/reviews">
              Back to possible duplicates
            </Anchor>
          }
        />
      );
    }
    return (
      <ErrorMessage
        error={review.error}
        onRetry={() => review.refetch()}
        title="Could not load this review"
      />
    );
  }

  const item = review.data;
  return (
    <>
      <Breadcrumbs mb="sm">
        <Anchor component={Link} to="/mpi/reviews" size="sm">
          Possible duplicates
        </Anchor>
        <span>
          {item.incoming.familyName}, {item.incoming.givenName}
        </span>
      </Breadcrumbs>
      <Paper withBorder p="lg" mb="md">
        <Group justify="space-between" align="flex-start">
          <Stack gap={4}>
            <Title order={1} size="h2">
              Same person?
            </Title>
            <Text size="sm">{reviewReasonText(item.reason)}</Text>
            <Text size="xs" c="dimmed">
              Found {formatDateTime(item.createdAt)}
            </Text>
          </Stack>
          <Group gap="xs">
            <Badge size="lg" variant="light" color={REVIEW_STATUS_COLORS[item.status]}>
              {REVIEW_STATUS_LABELS[item.status]}
            </Badge>
            <Badge size="lg" variant="outline" color="gray">
              Score {formatScore(item.score)}
            </Badge>
          </Group>
        </Group>
      </Paper>
      <Stack>
        {item.status === 'open' ? null : (
          <DecisionResult item={item} onUnmerge={canMerge ? unmerging.open : undefined} />
        )}
        <Paper withBorder p="md">
          {item.status === 'open' ? null : (
            <Text size="xs" c="dimmed" mb="xs">
              The values show both records as they are now; agreement and weights are as scored when
              the pair was found.
            </Text>
          )}
          <ComparisonTable item={item} />
        </Paper>
        {item.status === 'open' && canMerge ? <ReviewActions onDecide={dialog.open} /> : null}
      </Stack>
      <DecisionModal
        item={item}
        decision={dialog.subject}
        opened={dialog.opened}
        session={dialog.session}
        onClose={dialog.close}
      />
      {/* Kept mounted while the item refetches, so a refusal (already undone) stays readable. */}
      {canMerge ? (
        <UnmergeModal
          merge={unmerging.subject}
          opened={unmerging.opened}
          session={unmerging.session}
          onClose={unmerging.close}
        />
      ) : null}
    </>
  );
}
