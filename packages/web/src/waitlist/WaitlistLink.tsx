import { Anchor, Paper, Text, Title } from '@mantine/core';
import { Link } from 'react-router';

/** The portal home's way to the waitlist, its offers and follow-up availability. */
export function WaitlistLink() {
  return (
    <Paper withBorder p="lg" component="section" aria-labelledby="waitlist-link">
      <Title order={2} size="h3" id="waitlist-link" mb="xs">
        Waitlist and follow-ups
      </Title>
      <Text size="sm">
        Want an earlier appointment, or asked when you can come for a follow-up?{' '}
        <Anchor component={Link} to="/portal/waitlist">
          Open your waitlist
        </Anchor>
      </Text>
    </Paper>
  );
}
