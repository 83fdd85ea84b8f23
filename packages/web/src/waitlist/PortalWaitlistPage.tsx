import type { WaitlistEntry } from '@careloop/core';
import {
  Alert,
  Anchor,
  Badge,
  Button,
  Card,
  Group,
  Paper,
  Select,
  Stack,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { useState } from 'react';
import { Link } from 'react-router';
import { isApiError } from '../api/client';
import { formatDate, formatDateTime, formatTime } from '../ui/format';
import { EmptyMessage, ErrorMessage, errorMessage, PageLoader } from '../ui/states';
import {
  type AvailabilityDraft,
  AvailabilityInput,
  availabilityOf,
  describeAvailability,
  EMPTY_AVAILABILITY,
} from './AvailabilityInput';
import { useAnswerOffer, useJoinWaitlist, usePortalWaitlist, useStateAvailability } from './api';

function Offers({ entry }: { entry: WaitlistEntry }) {
  const answer = useAnswerOffer();
  const pending = entry.offers.filter((o) => o.status === 'pending');
  if (pending.length === 0) return null;
  const taken = isApiError(answer.error) && answer.error.problem.code === 'slot_taken';
  return (
    <Stack gap="xs">
      {pending.map((o) => (
        <Alert key={o.id} color="blue" title="An appointment for you" data-testid="portal-offer">
          <Text fw={600}>
            {formatDateTime(o.start)} – {formatTime(o.end)}
          </Text>
          <Text size="sm">
            {[o.practitionerName, o.locationName].filter(Boolean).join(' · ')}. Book it before{' '}
            {formatDateTime(o.expiresAt)}.
          </Text>
          <Group mt="xs">
            <Button
              size="xs"
              loading={answer.isPending}
              onClick={() => answer.mutate({ id: o.id, answer: 'accept' })}
            >
              Book it
            </Button>
            <Button
              size="xs"
              variant="default"
              onClick={() => answer.mutate({ id: o.id, answer: 'decline' })}
            >
              No, thanks
            </Button>
          </Group>
        </Alert>
      ))}
      {taken ? (
        <Text c="orange.9" role="alert">
          Someone else booked that slot a moment ago; you stay on the waitlist.
        </Text>
      ) : answer.error ? (
        <Text c="red" role="alert">
          {errorMessage(answer.error)}
        </Text>
      ) : null}
    </Stack>
  );
}

function StateAvailability({ entry }: { entry: WaitlistEntry }) {
  const [draft, setDraft] = useState<AvailabilityDraft>(EMPTY_AVAILABILITY);
  const save = useStateAvailability();
  return (
    <Stack gap="xs">
      <AvailabilityInput value={draft} onChange={setDraft} label="When can you come?" />
      {save.error ? (
        <Text c="red" role="alert">
          {errorMessage(save.error)}
        </Text>
      ) : null}
      <Group>
        <Button
          size="xs"
          loading={save.isPending}
          onClick={() => save.mutate({ id: entry.id, availability: availabilityOf(draft) })}
        >
          Save my availability
        </Button>
      </Group>
    </Stack>
  );
}

function EntryCard({ entry }: { entry: WaitlistEntry }) {
  return (
    <Card withBorder data-testid="portal-waitlist-entry">
      <Stack gap="xs">
        <Group justify="space-between">
          <Text fw={600}>
            {entry.kind === 'follow-up' ? 'Follow-up visit' : 'Waitlist'}: {entry.serviceName}
          </Text>
          <Badge variant="light">{entry.status}</Badge>
        </Group>
        {entry.kind === 'follow-up' && entry.earliest && entry.bookBefore ? (
          <Text size="sm">
            Due between {formatDate(entry.earliest)} and {formatDate(entry.bookBefore)}.
          </Text>
        ) : null}
        {entry.status === 'booked' ? (
          <Text size="sm">Booked: see your upcoming appointments.</Text>
        ) : entry.availability ? (
          <Text size="sm" c="dimmed">
            You can come: {describeAvailability(entry.availability)}
          </Text>
        ) : (
          <StateAvailability entry={entry} />
        )}
        <Offers entry={entry} />
      </Stack>
    </Card>
  );
}

function JoinForm({ services }: { services: { id: string; name: string }[] }) {
  const [serviceId, setServiceId] = useState<string | null>(null);
  const [bookBefore, setBookBefore] = useState('');
  const [draft, setDraft] = useState<AvailabilityDraft>(EMPTY_AVAILABILITY);
  const join = useJoinWaitlist();
  return (
    <Paper withBorder p="lg" component="section" aria-labelledby="join-waitlist">
      <Title order={2} size="h3" id="join-waitlist" mb="xs">
        Join the waitlist
      </Title>
      <Text size="sm" c="dimmed" mb="md">
        When an earlier slot opens that suits you, we send you an offer by text or email. The first
        to accept books it.
      </Text>
      <Stack>
        <Select
          label="Service"
          value={serviceId}
          onChange={setServiceId}
          data={services.map((s) => ({ value: s.id, label: s.name }))}
        />
        <AvailabilityInput value={draft} onChange={setDraft} label="When can you come?" />
        <TextInput
          label="I need it before (optional)"
          type="date"
          value={bookBefore}
          onChange={(e) => setBookBefore(e.currentTarget.value)}
        />
        {join.error ? (
          <Text c="red" role="alert">
            {errorMessage(join.error)}
          </Text>
        ) : join.isSuccess ? (
          <Text c="teal.9" role="status">
            You are on the waitlist.
          </Text>
        ) : null}
        <Group>
          <Button
            disabled={!serviceId}
            loading={join.isPending}
            onClick={() =>
              serviceId &&
              join.mutate({
                serviceId,
                availability: availabilityOf(draft),
                ...(bookBefore ? { bookBefore } : {}),
              })
            }
          >
            Join the waitlist
          </Button>
        </Group>
      </Stack>
    </Paper>
  );
}

/** The patient's waitlist entries and follow-ups, their offers, and the form to join. */
export function PortalWaitlistPage() {
  const waitlist = usePortalWaitlist();
  if (waitlist.isPending) return <PageLoader label="Loading your waitlist" />;
  if (waitlist.isError) {
    return <ErrorMessage error={waitlist.error} onRetry={() => waitlist.refetch()} />;
  }
  const { items, services } = waitlist.data;
  return (
    <Stack gap="xl">
      <div>
        <Title order={1} size="h2">
          Waitlist and follow-ups
        </Title>
        <Anchor component={Link} to="/portal" size="sm">
          Back to my profile
        </Anchor>
      </div>
      <section aria-label="My waitlist entries">
        {items.length === 0 ? (
          <Paper withBorder>
            <EmptyMessage title="You are not on a waitlist" description="Join one below." />
          </Paper>
        ) : (
          <Stack gap="sm">
            {items.map((e) => (
              <EntryCard key={e.id} entry={e} />
            ))}
          </Stack>
        )}
      </section>
      <JoinForm services={services} />
    </Stack>
  );
}
