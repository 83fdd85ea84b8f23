import { Alert, Button, Center, EmptyState, Group, Loader, Skeleton, Stack } from '@mantine/core';
import { IconAlertTriangle, IconLock, IconMoodEmpty } from '@tabler/icons-react';
import type { ReactNode } from 'react';
import { isApiError } from '../api/client';

/** A whole page waiting for its first data. */
export function PageLoader({ label = 'Loading' }: { label?: string }) {
  return (
    <Center h="60vh" role="status" aria-label={label}>
      <Loader />
    </Center>
  );
}

/** Placeholder rows while a list loads, roughly the shape of the table to come. */
export function LoadingRows({ rows = 6, label = 'Loading' }: { rows?: number; label?: string }) {
  return (
    <Stack gap="xs" role="status" aria-label={label}>
      {Array.from({ length: rows }, (_, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: placeholders have no identity
        <Skeleton key={i} height={32} radius="sm" />
      ))}
    </Stack>
  );
}

export function EmptyMessage({
  title,
  description,
  action,
}: {
  title: string;
  description?: ReactNode;
  action?: ReactNode;
}) {
  return (
    <EmptyState
      py="xl"
      title={title}
      description={description}
      icon={<IconMoodEmpty size={28} />}
      withIndicatorBackground
    >
      {action ? <EmptyState.Actions>{action}</EmptyState.Actions> : null}
    </EmptyState>
  );
}

export function errorMessage(error: unknown): string {
  if (isApiError(error)) return error.message;
  if (error instanceof Error) return error.message;
  return 'Something went wrong';
}

/** A failed load, with the server's message and a way to try again. */
export function ErrorMessage({
  error,
  onRetry,
  title = 'Could not load this',
}: {
  error: unknown;
  onRetry?: () => void;
  title?: string;
}) {
  return (
    <Alert
      color="red"
      variant="light"
      title={title}
      icon={<IconAlertTriangle size={18} />}
      role="alert"
    >
      <Stack gap="xs">
        <span>{errorMessage(error)}</span>
        {onRetry ? (
          <Group>
            <Button size="xs" variant="white" color="red" onClick={onRetry}>
              Try again
            </Button>
          </Group>
        ) : null}
      </Stack>
    </Alert>
  );
}

/** A section the signed-in role may not see (the server sent it as null and listed it in `redacted`). */
export function HiddenForRole({ what }: { what: string }) {
  return (
    <EmptyState
      py="xl"
      title="Hidden for your role"
      description={`${what} are not shown to your role.`}
      icon={<IconLock size={28} />}
      withIndicatorBackground
    />
  );
}
