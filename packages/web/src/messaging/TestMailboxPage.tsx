import type { MailboxMessage } from '@careloop/core';
import { Accordion, Anchor, Badge, Group, Paper, Text, TextInput, Title } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { Fragment, useState } from 'react';
import { formatDateTime } from '../ui/format';
import { LoadMore } from '../ui/LoadMore';
import { EmptyMessage, ErrorMessage, LoadingRows } from '../ui/states';
import { useMailbox } from './api';

/** A plain-text body with its web links clickable (only http and https). */
function LinkedText({ text }: { text: string }) {
  const parts = text.split(/(https?:\/\/[^\s<>"]+)/g);
  return (
    <Text size="sm" style={{ whiteSpace: 'pre-wrap', wordBreak: 'break-word' }}>
      {parts.map((part, i) =>
        /^https?:\/\//.test(part) ? (
          // biome-ignore lint/suspicious/noArrayIndexKey: the parts of one fixed text
          <Anchor key={i} href={part}>
            {part}
          </Anchor>
        ) : (
          // biome-ignore lint/suspicious/noArrayIndexKey: the parts of one fixed text
          <Fragment key={i}>{part}</Fragment>
        ),
      )}
    </Text>
  );
}

function MessageItem({ message }: { message: MailboxMessage }) {
  return (
    <Accordion.Item value={message.id} data-testid="mailbox-message">
      <Accordion.Control>
        <Group justify="space-between" wrap="nowrap">
          <div>
            <Text size="sm" fw={600}>
              {message.subject}
            </Text>
            <Text size="xs" c="dimmed">
              To {message.to}
            </Text>
          </div>
          <Group gap="xs" wrap="nowrap">
            <Badge size="sm" variant="light">
              {message.purpose}
            </Badge>
            <Text size="xs" c="dimmed" style={{ whiteSpace: 'nowrap' }}>
              {formatDateTime(message.createdAt)}
            </Text>
          </Group>
        </Group>
      </Accordion.Control>
      <Accordion.Panel>
        <LinkedText text={message.text} />
      </Accordion.Panel>
    </Accordion.Item>
  );
}

/**
 * The built-in local mailbox: with no SMTP server configured (the demo), every email Careloop
 * sends lands here instead of leaving the machine. Admins only; each read is audited.
 */
export function TestMailboxPage() {
  const [to, setTo] = useState('');
  const [debounced] = useDebouncedValue(to, 300);
  const mailbox = useMailbox(debounced);
  return (
    <>
      <Title order={2} mb="xs">
        Test mailbox
      </Title>
      <Text c="dimmed" size="sm" mb="md">
        No SMTP server is configured, so emails stay here instead of being sent: password reset
        links, sign-up notices. Set SMTP_URL to send real email.
      </Text>
      <TextInput
        label="Recipient"
        placeholder="Any address"
        value={to}
        onChange={(event) => setTo(event.currentTarget.value)}
        mb="md"
        maw={360}
      />
      <Paper withBorder p="md">
        {mailbox.isPending ? (
          <LoadingRows />
        ) : mailbox.isError ? (
          <ErrorMessage error={mailbox.error} onRetry={() => mailbox.refetch()} />
        ) : mailbox.items.length === 0 ? (
          <EmptyMessage title="No email" description="Nothing was sent to the test mailbox yet." />
        ) : (
          <Accordion multiple variant="separated" aria-label="Emails">
            {mailbox.items.map((message) => (
              <MessageItem key={message.id} message={message} />
            ))}
          </Accordion>
        )}
        <LoadMore
          hasNextPage={mailbox.hasNextPage}
          isFetchingNextPage={mailbox.isFetchingNextPage}
          fetchNextPage={mailbox.fetchNextPage}
        />
      </Paper>
    </>
  );
}
