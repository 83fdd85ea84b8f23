import type { SmsGatewayMessage } from '@careloop/core';
import {
  Alert,
  Badge,
  Box,
  Button,
  Group,
  Paper,
  Stack,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { useEffect, useState } from 'react';
import { formatDateTime } from '../ui/format';
import { EmptyMessage, ErrorMessage, errorMessage, LoadingRows } from '../ui/states';
import { useSmsConversation, useSmsReply } from './sms-api';

/** How long the page polls for an answer after a reply (the worker sends within ~2 s). */
const ANSWER_WAIT_MS = 15_000;

/** One text as a phone shows it: ours on the left, the patient's own on the right. */
function Bubble({ message }: { message: SmsGatewayMessage }) {
  const mine = message.direction === 'inbound';
  return (
    <Group justify={mine ? 'flex-end' : 'flex-start'} data-testid="sms-message">
      <Box maw="75%">
        <Paper
          p="sm"
          radius="lg"
          bg={mine ? 'blue.8' : 'gray.1'}
          c={mine ? 'white' : undefined}
          aria-label={mine ? 'Sent by the patient' : 'Received from the organization'}
        >
          <Text size="sm" style={{ whiteSpace: 'pre-wrap', wordBreak: 'break-word' }}>
            {message.body}
          </Text>
        </Paper>
        <Group gap={6} justify={mine ? 'flex-end' : 'flex-start'} mt={2}>
          <Text size="xs" c="dimmed">
            {formatDateTime(message.at)}
          </Text>
          {mine && message.keyword ? (
            <Badge size="xs" variant="light">
              {message.keyword.toUpperCase()}
            </Badge>
          ) : null}
          {!mine ? (
            <Text size="xs" c="dimmed">
              {message.status}
            </Text>
          ) : null}
        </Group>
      </Box>
    </Group>
  );
}

/**
 * The built-in local SMS gateway's phone: with no SMS provider configured (the demo), texts
 * Careloop sends land here. Pick a number, read its conversation as the phone would, and reply
 * as the patient (STOP, START and HELP are honoured as from a real phone). Admins only; each
 * read is audited.
 */
export function TestPhonePage() {
  const [typed, setTyped] = useState('');
  const [number, setNumber] = useState('');
  const [text, setText] = useState('');
  const [waiting, setWaiting] = useState(false);
  const conversation = useSmsConversation(number, waiting);
  const reply = useSmsReply();

  useEffect(() => {
    if (!waiting) return;
    const timer = setTimeout(() => setWaiting(false), ANSWER_WAIT_MS);
    return () => clearTimeout(timer);
  }, [waiting]);

  const send = () => {
    if (!text.trim()) return;
    reply.mutate(
      { from: number, body: text },
      {
        onSuccess: () => {
          setText('');
          setWaiting(true);
        },
      },
    );
  };
  // Oldest first, as a phone shows a conversation.
  const messages = [...(conversation.data?.items ?? [])].reverse();

  return (
    <>
      <Title order={2} mb="xs">
        Test phone
      </Title>
      <Text c="dimmed" size="sm" mb="md">
        No SMS provider is configured, so texts stay on this built-in gateway instead of being sent.
        Set SMS_PROVIDER=twilio to send real texts.
      </Text>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          setNumber(typed.trim());
        }}
      >
        <Group align="flex-end" mb="md">
          <TextInput
            label="Phone number"
            placeholder="+1 617 555 0100"
            value={typed}
            onChange={(event) => setTyped(event.currentTarget.value)}
            maw={280}
          />
          <Button type="submit" variant="light" disabled={typed.trim().length < 3}>
            Open conversation
          </Button>
        </Group>
      </form>
      {number ? (
        <Paper withBorder p="md" maw={520}>
          <Text fw={600} mb="sm">
            {number}
          </Text>
          <Stack gap="sm" role="log" aria-label="Conversation" mb="md">
            {conversation.isPending ? (
              <LoadingRows rows={3} />
            ) : conversation.isError ? (
              <ErrorMessage error={conversation.error} onRetry={() => conversation.refetch()} />
            ) : messages.length === 0 ? (
              <EmptyMessage
                title="No texts"
                description="Nothing was sent to or from this number."
              />
            ) : (
              messages.map((message) => <Bubble key={message.id} message={message} />)
            )}
          </Stack>
          {reply.isError ? (
            <Alert color="red" mb="sm">
              {errorMessage(reply.error)}
            </Alert>
          ) : null}
          <form
            onSubmit={(event) => {
              event.preventDefault();
              send();
            }}
          >
            <Group align="flex-end" wrap="nowrap">
              <TextInput
                label="Reply as the patient"
                value={text}
                onChange={(event) => setText(event.currentTarget.value)}
                maxLength={1600}
                style={{ flex: 1 }}
              />
              <Button type="submit" loading={reply.isPending} disabled={!text.trim()}>
                Send
              </Button>
            </Group>
          </form>
        </Paper>
      ) : null}
    </>
  );
}
