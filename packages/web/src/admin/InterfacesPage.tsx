import {
  type FhirImport,
  HL7_STATUSES,
  type Hl7MessageSummary,
  type Hl7Status,
} from '@careloop/core';
import {
  Alert,
  Badge,
  Button,
  Code,
  Group,
  Modal,
  Paper,
  ScrollArea,
  Select,
  Stack,
  Table,
  Tabs,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { DatePickerInput } from '@mantine/dates';
import { useDebouncedValue } from '@mantine/hooks';
import { notifications } from '@mantine/notifications';
import { useState } from 'react';
import { dayjs, formatDateTime } from '../ui/format';
import { LoadMore } from '../ui/LoadMore';
import { EmptyMessage, ErrorMessage, errorMessage, LoadingRows } from '../ui/states';
import { useFhirImports, useHl7Message, useHl7Messages, useReplayHl7 } from './interfaces-api';

const STATUS_COLORS: Record<Hl7Status, string> = {
  received: 'blue',
  processed: 'teal',
  error: 'red',
  rejected: 'orange',
};
const ACK_LABELS: Record<string, string> = {
  AA: 'AA accepted',
  AE: 'AE error',
  AR: 'AR rejected',
};
const TYPE = /^[A-Za-z0-9]{3}(\^[A-Za-z0-9]{1,4})?$/;

/** One message's text, with what Careloop told the sender; a restricted one shows no text. */
function MessageModal({ id, onClose }: { id: string | null; onClose: () => void }) {
  const message = useHl7Message(id);
  const data = message.data;
  return (
    <Modal opened={id !== null} onClose={onClose} title="HL7 message" size="xl">
      {message.isPending ? (
        <LoadingRows label="Loading the message" />
      ) : message.isError ? (
        <ErrorMessage error={message.error} title="Could not load the message" />
      ) : data ? (
        <Stack gap="sm">
          <Text size="sm">
            {data.messageType}^{data.triggerEvent} · control id {data.controlId} · from{' '}
            {data.sendingApplication ?? 'unknown'} at {formatDateTime(data.receivedAt)}
          </Text>
          <Text size="sm">
            ACK sent: {data.ackCode ? (ACK_LABELS[data.ackCode] ?? data.ackCode) : 'none yet'}
            {data.error
              ? ` — ${data.error}${data.errorLocation ? ` (${data.errorLocation})` : ''}`
              : ''}
          </Text>
          {data.restricted || !data.raw ? (
            <Alert color="gray" title="Restricted">
              This message is about a restricted patient: its text is not shown.
            </Alert>
          ) : (
            <ScrollArea.Autosize mah={400}>
              <Code block data-testid="hl7-raw">
                {data.raw.replaceAll('\r', '\n')}
              </Code>
            </ScrollArea.Autosize>
          )}
        </Stack>
      ) : null}
    </Modal>
  );
}

function Hl7Row({ message, onOpen }: { message: Hl7MessageSummary; onOpen: (id: string) => void }) {
  const replay = useReplayHl7();
  return (
    <Table.Tr data-testid="hl7-message">
      <Table.Td style={{ whiteSpace: 'nowrap' }}>{formatDateTime(message.receivedAt)}</Table.Td>
      <Table.Td>
        <Code>
          {message.messageType}^{message.triggerEvent}
        </Code>
        <Text size="xs" c="dimmed">
          {message.controlId}
        </Text>
      </Table.Td>
      <Table.Td>
        <Text size="sm">{message.sendingApplication ?? '—'}</Text>
        <Text size="xs" c="dimmed">
          {message.sendingFacility ?? ''} · {message.channel}
        </Text>
      </Table.Td>
      <Table.Td>
        <Badge variant="light" color={STATUS_COLORS[message.status]}>
          {message.status}
        </Badge>
        {message.restricted ? (
          <Badge ml={4} variant="outline" color="gray">
            Restricted
          </Badge>
        ) : null}
      </Table.Td>
      <Table.Td>
        {message.ackCode ? (ACK_LABELS[message.ackCode] ?? message.ackCode) : '—'}
      </Table.Td>
      <Table.Td>
        {message.error ? (
          <Text size="xs" c="red">
            {message.error}
            {message.errorLocation ? ` (${message.errorLocation})` : ''}
          </Text>
        ) : (
          '—'
        )}
        {message.attempts > 1 ? (
          <Text size="xs" c="dimmed">
            {message.attempts} attempts
          </Text>
        ) : null}
      </Table.Td>
      <Table.Td>
        <Group gap={4} wrap="nowrap">
          <Button size="compact-xs" variant="subtle" onClick={() => onOpen(message.id)}>
            View
          </Button>
          {message.replayable ? (
            <Button
              size="compact-xs"
              variant="light"
              aria-label={`Replay message ${message.controlId}`}
              loading={replay.isPending}
              onClick={() =>
                replay.mutate(message.id, {
                  onSuccess: (result) =>
                    notifications.show({
                      color: result.message.status === 'processed' ? 'teal' : 'red',
                      message: `Message ${message.controlId} replayed: ${result.message.status}`,
                    }),
                  onError: (error) =>
                    notifications.show({
                      color: 'red',
                      title: 'Could not replay the message',
                      message: errorMessage(error),
                    }),
                })
              }
            >
              Replay
            </Button>
          ) : null}
        </Group>
      </Table.Td>
    </Table.Tr>
  );
}

function Hl7Log() {
  const [status, setStatus] = useState<Hl7Status | null>(null);
  const [typeInput, setTypeInput] = useState('');
  const [type] = useDebouncedValue(typeInput.trim().toUpperCase(), 300);
  const typeValid = type === '' || TYPE.test(type);
  const [open, setOpen] = useState<string | null>(null);
  const messages = useHl7Messages({
    status: status ?? undefined,
    type: typeValid && type ? type : undefined,
  });
  return (
    <>
      <Paper withBorder p="sm" mb="md">
        <Group align="flex-end" gap="sm">
          <Select
            label="Status"
            placeholder="Any status"
            clearable
            data={[...HL7_STATUSES]}
            value={status}
            onChange={(v) => setStatus(HL7_STATUSES.find((s) => s === v) ?? null)}
            w={160}
          />
          <TextInput
            label="Message type"
            placeholder="ADT or ADT^A08"
            value={typeInput}
            onChange={(e) => setTypeInput(e.currentTarget.value)}
            error={typeValid ? undefined : 'A type such as ADT, or ADT^A08'}
            w={180}
          />
        </Group>
      </Paper>
      {messages.isPending ? (
        <LoadingRows label="Loading HL7 messages" />
      ) : messages.isError && messages.items.length === 0 ? (
        <ErrorMessage
          error={messages.error}
          onRetry={() => messages.refetch()}
          title="Could not load the HL7 message log"
        />
      ) : messages.items.length === 0 ? (
        <EmptyMessage title="No HL7 messages" />
      ) : (
        <>
          <Table.ScrollContainer minWidth={900}>
            <Table striped verticalSpacing="xs" aria-label="HL7 messages">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Received</Table.Th>
                  <Table.Th>Type</Table.Th>
                  <Table.Th>Sender</Table.Th>
                  <Table.Th>Status</Table.Th>
                  <Table.Th>ACK sent</Table.Th>
                  <Table.Th>Error</Table.Th>
                  <Table.Th aria-label="Actions" />
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {messages.items.map((m) => (
                  <Hl7Row key={m.id} message={m} onOpen={setOpen} />
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
          <LoadMore
            hasNextPage={messages.hasNextPage}
            isFetchingNextPage={messages.isFetchingNextPage}
            fetchNextPage={messages.fetchNextPage}
            label="Load older messages"
          />
        </>
      )}
      <MessageModal id={open} onClose={() => setOpen(null)} />
    </>
  );
}

function FhirImports() {
  const [outcome, setOutcome] = useState<FhirImport['outcome'] | null>(null);
  const [range, setRange] = useState<[string | null, string | null]>([null, null]);
  const [from, to] = range;
  const imports = useFhirImports({
    outcome: outcome === 'success' || outcome === 'failed' ? outcome : undefined,
    from: from ? dayjs(from).startOf('day').toISOString() : undefined,
    to: to ? dayjs(to).endOf('day').toISOString() : undefined,
  });
  return (
    <>
      <Paper withBorder p="sm" mb="md">
        <Group align="flex-end" gap="sm">
          <Select
            label="Outcome"
            placeholder="Any outcome"
            clearable
            data={[
              { value: 'success', label: 'Imported' },
              { value: 'failed', label: 'Refused' },
            ]}
            value={outcome}
            onChange={setOutcome}
            w={160}
          />
          <DatePickerInput
            type="range"
            label="Date range"
            placeholder="Any time"
            clearable
            allowSingleDateInRange
            value={range}
            onChange={setRange}
            w={260}
          />
        </Group>
      </Paper>
      {imports.isPending ? (
        <LoadingRows label="Loading FHIR imports" />
      ) : imports.isError && imports.items.length === 0 ? (
        <ErrorMessage
          error={imports.error}
          onRetry={() => imports.refetch()}
          title="Could not load the FHIR import history"
        />
      ) : imports.items.length === 0 ? (
        <EmptyMessage title="No FHIR imports" />
      ) : (
        <>
          <Table striped verticalSpacing="xs" aria-label="FHIR imports">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Imported</Table.Th>
                <Table.Th>By</Table.Th>
                <Table.Th>Outcome</Table.Th>
                <Table.Th>Summary</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {imports.items.map((i) => (
                <Table.Tr key={i.id} data-testid="fhir-import">
                  <Table.Td style={{ whiteSpace: 'nowrap' }}>
                    {formatDateTime(i.importedAt)}
                  </Table.Td>
                  <Table.Td>{i.actorEmail ?? 'System'}</Table.Td>
                  <Table.Td>
                    <Badge variant="light" color={i.outcome === 'success' ? 'teal' : 'red'}>
                      {i.outcome === 'success' ? 'Imported' : 'Refused'}
                    </Badge>
                  </Table.Td>
                  <Table.Td>
                    <Text size="sm">{i.summary ?? '—'}</Text>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
          <LoadMore
            hasNextPage={imports.hasNextPage}
            isFetchingNextPage={imports.isFetchingNextPage}
            fetchNextPage={imports.fetchNextPage}
            label="Load older imports"
          />
        </>
      )}
    </>
  );
}

/** What the interfaces received: the HL7 v2 message log and the FHIR import history. */
export function InterfacesPage() {
  return (
    <>
      <Title order={1} size="h2" mb="md">
        Interfaces
      </Title>
      <Tabs defaultValue="hl7" keepMounted={false}>
        <Tabs.List mb="md">
          <Tabs.Tab value="hl7">HL7 messages</Tabs.Tab>
          <Tabs.Tab value="fhir">FHIR imports</Tabs.Tab>
        </Tabs.List>
        <Tabs.Panel value="hl7">
          <Hl7Log />
        </Tabs.Panel>
        <Tabs.Panel value="fhir">
          <FhirImports />
        </Tabs.Panel>
      </Tabs>
    </>
  );
}
