import { type Conversation, type ConversationSummary, can, routes } from '@careloop/core';
import {
  Anchor,
  Badge,
  Button,
  Grid,
  Group,
  Paper,
  SegmentedControl,
  Select,
  Stack,
  Text,
  Textarea,
  Title,
  UnstyledButton,
} from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useState } from 'react';
import { Link } from 'react-router';
import { urlOf } from '../api/client';
import { useCurrentUser } from '../auth/session';
import { formatDateTime } from '../ui/format';
import { EmptyMessage, ErrorMessage, errorMessage, LoadingRows } from '../ui/states';
import {
  useAddNote,
  useConversation,
  useConversations,
  useQuickReplies,
  useReply,
  useUpdateConversation,
} from './api';

type StatusFilter = 'open' | 'pending' | 'closed';

function who(c: ConversationSummary): string {
  if (c.patientName) return c.patientName;
  if (c.counterpart) return c.counterpart;
  return 'Restricted patient';
}

function ConversationList({
  items,
  selected,
  onSelect,
}: {
  items: ConversationSummary[];
  selected: string | null;
  onSelect: (id: string) => void;
}) {
  if (items.length === 0) return <EmptyMessage title="No conversations here" />;
  return (
    <Stack gap={4} component="ul" style={{ listStyle: 'none', padding: 0, margin: 0 }}>
      {items.map((c) => (
        <li key={c.id}>
          <UnstyledButton
            onClick={() => onSelect(c.id)}
            aria-current={selected === c.id ? 'true' : undefined}
            data-testid="inbox-conversation"
            w="100%"
            p="xs"
            style={{
              borderRadius: 6,
              background: selected === c.id ? 'var(--mantine-color-blue-light)' : undefined,
            }}
          >
            <Group justify="space-between" wrap="nowrap">
              <Text fw={c.unread > 0 ? 700 : 400} size="sm" truncate>
                {who(c)}
              </Text>
              {c.unread > 0 ? (
                <Badge size="sm" aria-label={`${c.unread} unread`}>
                  {c.unread}
                </Badge>
              ) : null}
            </Group>
            <Group gap={6}>
              <Text size="xs" c="dimmed">
                {c.channel === 'portal' ? 'Portal' : 'Text'} · {formatDateTime(c.lastMessageAt)}
              </Text>
              {c.assigneeName ? (
                <Text size="xs" c="dimmed">
                  · {c.assigneeName}
                </Text>
              ) : null}
            </Group>
          </UnstyledButton>
        </li>
      ))}
    </Stack>
  );
}

function Entries({ conversation }: { conversation: Conversation }) {
  return (
    <Stack gap="xs" aria-label="Messages">
      {conversation.entries.map((e) => (
        <Paper
          key={e.id}
          p="sm"
          withBorder
          data-testid={`inbox-entry-${e.kind}`}
          bg={e.kind === 'note' ? 'yellow.0' : e.kind === 'staff' ? 'blue.0' : undefined}
        >
          <Group justify="space-between" mb={4}>
            <Text size="xs" fw={600}>
              {e.kind === 'patient'
                ? 'Patient'
                : e.kind === 'note'
                  ? `Internal note · ${e.authorName ?? ''}`
                  : // No author: a templated message (a journey's portal send, docs/adr/0046).
                    `Care team · ${e.authorName ?? 'automated message'}`}
            </Text>
            <Text size="xs" c="dimmed">
              {formatDateTime(e.createdAt)}
            </Text>
          </Group>
          <Text size="sm" style={{ whiteSpace: 'pre-wrap', wordBreak: 'break-word' }}>
            {e.body}
          </Text>
          {conversation.channel === 'portal' && e.kind === 'staff' ? (
            // A portal message's delivery status: posted (delivered), then read by the patient.
            <Text size="xs" c="dimmed" data-testid="inbox-entry-delivery">
              {e.readAt
                ? `Read by the patient ${formatDateTime(e.readAt)}`
                : 'Delivered, not read yet'}
            </Text>
          ) : null}
          {e.attachments.map((a) => (
            <Anchor
              key={a.id}
              size="sm"
              href={urlOf(routes.inbox.attachment, { params: { id: a.id } })}
              download={a.fileName}
            >
              {a.fileName} ({Math.ceil(a.sizeBytes / 1024)} kB)
            </Anchor>
          ))}
        </Paper>
      ))}
    </Stack>
  );
}

function Composer({ conversation }: { conversation: Conversation }) {
  const user = useCurrentUser();
  const works = can(user.role, 'inbox:work');
  const quick = useQuickReplies(works);
  const reply = useReply();
  const note = useAddNote();
  const [template, setTemplate] = useState<string | null>(null);
  const [text, setText] = useState('');
  const [noteText, setNoteText] = useState('');
  if (!works) return null;
  const failed = (title: string) => (error: unknown) =>
    notifications.show({ color: 'red', title, message: errorMessage(error) });
  return (
    <Stack gap="sm">
      <Group align="flex-end">
        <Select
          label="Quick reply"
          placeholder="Choose a template"
          data={(quick.data?.items ?? []).map((q) => ({ value: q.key, label: q.name }))}
          value={template}
          onChange={setTemplate}
          style={{ flex: 1 }}
        />
        <Button
          disabled={!template || !conversation.patientId}
          loading={reply.isPending}
          onClick={() =>
            template &&
            reply.mutate(
              { id: conversation.id, body: { templateKey: template } },
              { onSuccess: () => setTemplate(null), onError: failed('Reply not sent') },
            )
          }
        >
          Send quick reply
        </Button>
      </Group>
      {conversation.channel === 'portal' ? (
        <Group align="flex-end">
          <Textarea
            label="Reply in the portal"
            value={text}
            onChange={(e) => setText(e.currentTarget.value)}
            autosize
            minRows={2}
            style={{ flex: 1 }}
          />
          <Button
            disabled={!text.trim()}
            loading={reply.isPending}
            onClick={() =>
              reply.mutate(
                { id: conversation.id, body: { body: text } },
                { onSuccess: () => setText(''), onError: failed('Reply not sent') },
              )
            }
          >
            Send
          </Button>
        </Group>
      ) : null}
      <Group align="flex-end">
        <Textarea
          label="Internal note (never sent to the patient)"
          value={noteText}
          onChange={(e) => setNoteText(e.currentTarget.value)}
          autosize
          minRows={1}
          style={{ flex: 1 }}
        />
        <Button
          variant="default"
          disabled={!noteText.trim()}
          loading={note.isPending}
          onClick={() =>
            note.mutate(
              { id: conversation.id, body: { body: noteText } },
              { onSuccess: () => setNoteText(''), onError: failed('Note not saved') },
            )
          }
        >
          Add note
        </Button>
      </Group>
    </Stack>
  );
}

function Work({ conversation }: { conversation: Conversation }) {
  const user = useCurrentUser();
  const update = useUpdateConversation();
  if (!can(user.role, 'inbox:work')) return null;
  const change = (body: Parameters<typeof update.mutate>[0]['body']) =>
    update.mutate(
      { id: conversation.id, body },
      {
        onError: (error) =>
          notifications.show({ color: 'red', title: 'Not changed', message: errorMessage(error) }),
      },
    );
  return (
    <Group>
      <Button
        size="xs"
        variant="light"
        disabled={conversation.assigneeId === user.id}
        onClick={() => change({ assigneeId: user.id })}
      >
        Assign to me
      </Button>
      <SegmentedControl
        size="xs"
        aria-label="Status"
        value={conversation.status}
        onChange={(value) => change({ status: value as StatusFilter })}
        data={[
          { value: 'open', label: 'Open' },
          { value: 'pending', label: 'Pending' },
          { value: 'closed', label: 'Closed' },
        ]}
      />
    </Group>
  );
}

function PatientCard({ conversation }: { conversation: Conversation }) {
  return (
    <Paper withBorder p="md" component="aside" aria-label="Patient">
      <Title order={2} size="h4" mb="xs">
        {who(conversation)}
      </Title>
      {conversation.patientId && conversation.patientName ? (
        <Anchor component={Link} to={`/patients/${conversation.patientId}`} size="sm">
          Open the 360 view
        </Anchor>
      ) : (
        <Text size="sm" c="dimmed">
          {conversation.counterpart ? 'No patient has this number.' : 'Restricted record.'}
        </Text>
      )}
      <Text size="sm" mt="sm">
        Assigned to: {conversation.assigneeName ?? 'no one'}
      </Text>
      <Text size="sm">Queue: {conversation.team ?? 'none'}</Text>
    </Paper>
  );
}

function ConversationPane({ id }: { id: string }) {
  const query = useConversation(id);
  if (query.isPending) return <LoadingRows />;
  if (query.isError) return <ErrorMessage error={query.error} onRetry={() => query.refetch()} />;
  const c = query.data;
  return (
    <Grid>
      <Grid.Col span={{ base: 12, md: 8 }}>
        <Stack>
          <Group justify="space-between">
            <Title order={2} size="h3">
              {who(c)}
            </Title>
            <Work conversation={c} />
          </Group>
          <Entries conversation={c} />
          <Composer conversation={c} />
        </Stack>
      </Grid.Col>
      <Grid.Col span={{ base: 12, md: 4 }}>
        <PatientCard conversation={c} />
      </Grid.Col>
    </Grid>
  );
}

/**
 * The shared inbox (issue 11): texts and portal messages from patients, worked by the front
 * desk and coordinators (assign, status, quick replies, internal notes), read by clinicians.
 */
export function InboxPage() {
  const [status, setStatus] = useState<StatusFilter>('open');
  const [mine, setMine] = useState(false);
  const [selected, setSelected] = useState<string | null>(null);
  const list = useConversations({ status, ...(mine ? { mine: true } : {}) });
  return (
    <Stack>
      <Title order={1}>Inbox</Title>
      <Grid>
        <Grid.Col span={{ base: 12, md: 4 }}>
          <Stack gap="sm">
            <SegmentedControl
              aria-label="Conversations by status"
              value={status}
              onChange={(v) => setStatus(v as StatusFilter)}
              data={[
                { value: 'open', label: 'Open' },
                { value: 'pending', label: 'Pending' },
                { value: 'closed', label: 'Closed' },
              ]}
            />
            <SegmentedControl
              aria-label="Whose conversations"
              value={mine ? 'mine' : 'all'}
              onChange={(v) => setMine(v === 'mine')}
              data={[
                { value: 'all', label: 'All' },
                { value: 'mine', label: 'Mine' },
              ]}
            />
            {list.isPending ? (
              <LoadingRows />
            ) : list.isError ? (
              <ErrorMessage error={list.error} onRetry={() => list.refetch()} />
            ) : (
              <ConversationList
                items={list.data.items}
                selected={selected}
                onSelect={setSelected}
              />
            )}
          </Stack>
        </Grid.Col>
        <Grid.Col span={{ base: 12, md: 8 }}>
          {selected ? (
            <ConversationPane id={selected} />
          ) : (
            <EmptyMessage title="Choose a conversation" />
          )}
        </Grid.Col>
      </Grid>
    </Stack>
  );
}
