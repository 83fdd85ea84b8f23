import { ATTACHMENT_TYPES, type AttachmentUpload, routes } from '@careloop/core';
import {
  Anchor,
  Badge,
  Button,
  FileInput,
  Group,
  Paper,
  Stack,
  Text,
  Textarea,
  Title,
  UnstyledButton,
} from '@mantine/core';
import { useState } from 'react';
import { urlOf } from '../api/client';
import { fileToBase64, usePortalSend, usePortalThread, usePortalThreads } from '../inbox/api';
import { formatDateTime } from '../ui/format';
import { EmptyMessage, ErrorMessage, errorMessage, LoadingRows } from '../ui/states';

function Thread({ id }: { id: string }) {
  const query = usePortalThread(id);
  if (query.isPending) return <LoadingRows rows={3} />;
  if (query.isError) return <ErrorMessage error={query.error} onRetry={() => query.refetch()} />;
  return (
    <Stack gap="xs" aria-label="Messages in this conversation">
      {query.data.messages.map((m) => (
        <Paper
          key={m.id}
          p="sm"
          withBorder
          data-testid="portal-message"
          bg={m.from === 'care-team' ? 'blue.0' : undefined}
        >
          <Group justify="space-between" mb={4}>
            <Text size="xs" fw={600}>
              {m.from === 'care-team' ? 'Your care team' : 'You'}
              {m.from === 'care-team' && m.readAt === null ? (
                <Badge size="xs" ml="xs" data-testid="portal-message-new">
                  New
                </Badge>
              ) : null}
            </Text>
            <Text size="xs" c="dimmed">
              {formatDateTime(m.createdAt)}
            </Text>
          </Group>
          <Text size="sm" style={{ whiteSpace: 'pre-wrap', wordBreak: 'break-word' }}>
            {m.body}
          </Text>
          {m.attachments.map((a) => (
            <Anchor
              key={a.id}
              size="sm"
              href={urlOf(routes.portalMessaging.attachment, {
                params: { id, attachmentId: a.id },
              })}
              download={a.fileName}
            >
              {a.fileName}
            </Anchor>
          ))}
        </Paper>
      ))}
    </Stack>
  );
}

function Compose({ threadId, onSent }: { threadId: string | null; onSent: (id: string) => void }) {
  const send = usePortalSend();
  const [body, setBody] = useState('');
  const [file, setFile] = useState<File | null>(null);
  const [error, setError] = useState<string | null>(null);
  const submit = async () => {
    setError(null);
    let attachments: AttachmentUpload[] | undefined;
    if (file) {
      if (file.size > 5 * 1024 * 1024) {
        setError('A file may be at most 5 MB');
        return;
      }
      attachments = [{ fileName: file.name, dataBase64: await fileToBase64(file) }];
    }
    send.mutate(
      { id: threadId, body: { body, ...(attachments ? { attachments } : {}) } },
      {
        onSuccess: (thread) => {
          setBody('');
          setFile(null);
          onSent(thread.id);
        },
        onError: (e) => setError(errorMessage(e)),
      },
    );
  };
  return (
    <Stack gap="xs">
      <Textarea
        label={threadId ? 'Reply' : 'New message to your care team'}
        description="Do not use this for emergencies: call 911."
        value={body}
        onChange={(e) => setBody(e.currentTarget.value)}
        autosize
        minRows={3}
        maxLength={5000}
      />
      <FileInput
        label="Attach a file (PDF, PNG or JPEG, up to 5 MB)"
        accept={ATTACHMENT_TYPES.join(',')}
        value={file}
        onChange={setFile}
        clearable
      />
      {error ? (
        <Text c="red.9" size="sm" role="alert">
          {error}
        </Text>
      ) : null}
      <Group>
        <Button onClick={submit} disabled={!body.trim()} loading={send.isPending}>
          Send
        </Button>
      </Group>
    </Stack>
  );
}

/** Secure messaging with the care team (issue 11): the patient's own threads only. */
export function PortalMessagesPage() {
  const threads = usePortalThreads();
  const [selected, setSelected] = useState<string | null>(null);
  const [composing, setComposing] = useState(false);
  return (
    <Stack>
      <Group justify="space-between">
        <Title order={1} size="h2">
          Messages
        </Title>
        <Button
          variant="light"
          onClick={() => {
            setSelected(null);
            setComposing(true);
          }}
        >
          New message
        </Button>
      </Group>
      {threads.isPending ? (
        <LoadingRows rows={3} />
      ) : threads.isError ? (
        <ErrorMessage error={threads.error} onRetry={() => threads.refetch()} />
      ) : threads.data.items.length === 0 && !composing ? (
        <EmptyMessage
          title="No messages yet"
          description="Write to your care team with New message."
        />
      ) : (
        <Stack gap={4} component="ul" style={{ listStyle: 'none', padding: 0, margin: 0 }}>
          {threads.data.items.map((t) => (
            <li key={t.id}>
              <UnstyledButton
                w="100%"
                p="xs"
                data-testid="portal-thread"
                aria-current={selected === t.id ? 'true' : undefined}
                onClick={() => {
                  setComposing(false);
                  setSelected(t.id);
                }}
              >
                <Group justify="space-between">
                  <Text size="sm" fw={t.unread > 0 ? 700 : 400}>
                    Conversation of {formatDateTime(t.lastMessageAt)}
                  </Text>
                  {t.unread > 0 ? (
                    <Badge data-testid="portal-thread-unread">{t.unread} new</Badge>
                  ) : null}
                </Group>
              </UnstyledButton>
            </li>
          ))}
        </Stack>
      )}
      {selected ? <Thread id={selected} /> : null}
      {selected || composing ? (
        <Compose
          threadId={selected}
          onSent={(id) => {
            setComposing(false);
            setSelected(id);
          }}
        />
      ) : null}
    </Stack>
  );
}
