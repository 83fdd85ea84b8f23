import { Alert, Button, Container, Group, Paper, Stack, Text, Title } from '@mantine/core';
import { useParams } from 'react-router';
import { isApiError } from '../api/client';
import { formatDateTime, formatTime } from '../ui/format';
import { MAIN_CONTENT_ID } from '../ui/SkipLink';
import { ErrorMessage, errorMessage, PageLoader } from '../ui/states';
import { useAnswerOfferLink, useOfferLink } from './api';

/**
 * The page an offer's message links to: no sign-in (the link's token is the credential), the
 * time and place only, Accept or Decline.
 */
export function OfferLinkPage() {
  const { token = '' } = useParams();
  const offer = useOfferLink(token);
  const answer = useAnswerOfferLink(token);
  const taken = isApiError(answer.error) && answer.error.problem.code === 'slot_taken';
  return (
    <Container size="xs" py="xl" component="main" id={MAIN_CONTENT_ID} tabIndex={-1}>
      <Title order={1} size="h2" mb="md">
        An appointment for you
      </Title>
      {offer.isPending ? (
        <PageLoader label="Loading the offer" />
      ) : offer.isError ? (
        <ErrorMessage error={offer.error} title="This link does not work" />
      ) : (
        <Paper withBorder p="lg">
          <Stack>
            <div>
              <Text fw={700} size="lg" data-testid="offer-time">
                {formatDateTime(offer.data.start)} – {formatTime(offer.data.end)}
              </Text>
              <Text c="dimmed">
                {[offer.data.practitionerName, offer.data.locationName].filter(Boolean).join(' · ')}
              </Text>
            </div>
            {offer.data.status === 'accepted' ? (
              <Alert color="teal" title="Booked" role="status">
                You are booked. We look forward to seeing you.
              </Alert>
            ) : offer.data.status === 'pending' ? (
              <>
                <Text size="sm">Book it before {formatDateTime(offer.data.expiresAt)}.</Text>
                {taken ? (
                  <Alert color="orange" title="Just taken" role="alert">
                    Someone else booked this slot a moment ago. You stay on the waitlist; we will
                    offer you the next one.
                  </Alert>
                ) : answer.error ? (
                  <Text c="red" role="alert">
                    {errorMessage(answer.error)}
                  </Text>
                ) : null}
                <Group>
                  <Button onClick={() => answer.mutate('accept')} loading={answer.isPending}>
                    Book this appointment
                  </Button>
                  <Button variant="default" onClick={() => answer.mutate('decline')}>
                    No, thanks
                  </Button>
                </Group>
              </>
            ) : (
              <Alert color="gray" title="No longer available" role="status">
                {offer.data.status === 'declined'
                  ? 'You declined this offer. You stay on the waitlist.'
                  : 'This offer has ended. You stay on the waitlist; we will offer you the next slot.'}
              </Alert>
            )}
          </Stack>
        </Paper>
      )}
    </Container>
  );
}
