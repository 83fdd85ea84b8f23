import { REVIEW_STATUSES, type ReviewItem, type ReviewPerson } from '@careloop/core';
import {
  Anchor,
  Badge,
  Group,
  Paper,
  SegmentedControl,
  Table,
  Text,
  Title,
  VisuallyHidden,
} from '@mantine/core';
import { Link, useSearchParams } from 'react-router';
import { formatDate, formatDateTime } from '../ui/format';
import { LoadMore } from '../ui/LoadMore';
import { EmptyMessage, ErrorMessage, LoadingRows } from '../ui/states';
import { useReviewList } from './api';
import { formatScore } from './comparison';
import {
  REVIEW_STATUS_COLORS,
  REVIEW_STATUS_LABELS,
  reviewReasonText,
  SOURCE_KIND_LABELS,
} from './labels';

function Person({ person }: { person: ReviewPerson }) {
  const kinds = [...new Set(person.sources.map((source) => SOURCE_KIND_LABELS[source.kind]))];
  return (
    <>
      <Text size="sm" fw={500}>
        {person.familyName}, {person.givenName}
      </Text>
      <Text size="xs" c="dimmed">
        Born {formatDate(person.birthDate)}
        {kinds.length ? ` · from ${kinds.join(', ')}` : ''}
      </Text>
    </>
  );
}

function ReviewRow({ item }: { item: ReviewItem }) {
  const name = `${item.incoming.givenName} ${item.incoming.familyName}`;
  return (
    <Table.Tr data-testid="review-row">
      <Table.Td>
        <Person person={item.incoming} />
      </Table.Td>
      <Table.Td>
        <Person person={item.candidate} />
      </Table.Td>
      <Table.Td>
        <Text size="sm" ff="monospace">
          {formatScore(item.score)}
        </Text>
      </Table.Td>
      <Table.Td>
        <Text size="sm">{reviewReasonText(item.reason)}</Text>
      </Table.Td>
      <Table.Td style={{ whiteSpace: 'nowrap' }}>
        <Text size="sm">{formatDateTime(item.createdAt)}</Text>
      </Table.Td>
      <Table.Td>
        {item.status === 'open' ? null : (
          <Badge variant="light" color={REVIEW_STATUS_COLORS[item.status]}>
            {REVIEW_STATUS_LABELS[item.status]}
          </Badge>
        )}
      </Table.Td>
      <Table.Td>
        <Anchor
          component={Link}
          to={`/mpi/reviews/${item.id}`}
          size="sm"
          aria-label={`Review ${name}`}
        >
          {item.status === 'open' ? 'Review' : 'View'}
        </Anchor>
      </Table.Td>
    </Table.Tr>
  );
}

const STATUS_EMPTY = {
  open: 'No possible duplicates waiting',
  merged: 'No merged pairs yet',
  distinct: 'No pairs marked as different people',
} as const;

/** Pairs of records that may be one person, waiting for a person to decide. */
export function ReviewQueuePage() {
  const [params, setParams] = useSearchParams();
  const status = REVIEW_STATUSES.find((s) => s === params.get('status')) ?? 'open';
  const reviews = useReviewList(status);

  return (
    <>
      <Group justify="space-between" mb="md">
        <Title order={1} size="h2">
          Possible duplicates
        </Title>
      </Group>
      <Paper withBorder p="sm" mb="md">
        <SegmentedControl
          aria-label="Review status"
          value={status}
          onChange={(value) => setParams(value === 'open' ? {} : { status: value })}
          data={REVIEW_STATUSES.map((s) => ({ value: s, label: REVIEW_STATUS_LABELS[s] }))}
        />
      </Paper>
      {reviews.isPending ? (
        <LoadingRows label="Loading possible duplicates" />
      ) : reviews.isError && reviews.items.length === 0 ? (
        <ErrorMessage
          error={reviews.error}
          onRetry={() => reviews.refetch()}
          title="Could not load the review queue"
        />
      ) : reviews.items.length === 0 ? (
        <EmptyMessage
          title={STATUS_EMPTY[status]}
          description={
            status === 'open'
              ? 'Records the index cannot link on its own appear here for a decision.'
              : undefined
          }
        />
      ) : (
        <>
          <Table.ScrollContainer minWidth={900}>
            <Table
              striped
              verticalSpacing="xs"
              aria-label="Possible duplicates"
              style={{ opacity: reviews.isPlaceholderData ? 0.6 : 1 }}
            >
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Incoming record</Table.Th>
                  <Table.Th>Resembles</Table.Th>
                  <Table.Th>Score</Table.Th>
                  <Table.Th>Why it needs a person</Table.Th>
                  <Table.Th>Found</Table.Th>
                  <Table.Th>
                    <VisuallyHidden>Status</VisuallyHidden>
                  </Table.Th>
                  <Table.Th>
                    <VisuallyHidden>Open</VisuallyHidden>
                  </Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {reviews.items.map((item) => (
                  <ReviewRow key={item.id} item={item} />
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
          <LoadMore
            hasNextPage={reviews.hasNextPage}
            isFetchingNextPage={reviews.isFetchingNextPage}
            fetchNextPage={reviews.fetchNextPage}
          />
        </>
      )}
    </>
  );
}
