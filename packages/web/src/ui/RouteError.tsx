import { Button, Container, Stack, Text, Title } from '@mantine/core';
import { Link, useRouteError } from 'react-router';
import { errorMessage } from './states';

/** Shown when rendering a route throws: a message and a way home instead of a blank page. */
export function RouteError() {
  const error = useRouteError();
  // It replaces the whole page (the console's frame too), so it is the page's main content.
  return (
    <Container component="main" size="sm" py="xl">
      <Stack>
        <Title order={1}>Something went wrong</Title>
        <Text c="dimmed">{errorMessage(error)}</Text>
        <div>
          <Button onClick={() => window.location.reload()}>Reload the page</Button>
        </div>
      </Stack>
    </Container>
  );
}

export function NotFound({ home }: { home: string }) {
  return (
    <Container size="sm" py="xl">
      <Stack>
        <Title order={1}>Page not found</Title>
        <Text c="dimmed">There is nothing at this address.</Text>
        <div>
          <Button component={Link} to={home}>
            Go home
          </Button>
        </div>
      </Stack>
    </Container>
  );
}
