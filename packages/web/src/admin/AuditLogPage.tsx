import {
  AUDIT_ACTIONS,
  AUDIT_OUTCOMES,
  type AuditAction,
  type AuditEvent,
  type AuditOutcome,
} from '@careloop/core';
import {
  Anchor,
  Badge,
  Button,
  Code,
  Group,
  Paper,
  Select,
  Table,
  Text,
  TextInput,
  Title,
  Tooltip,
} from '@mantine/core';
import { DatePickerInput } from '@mantine/dates';
import { useDebouncedValue } from '@mantine/hooks';
import { useState } from 'react';
import { Link } from 'react-router';
import { dayjs, formatDateTime } from '../ui/format';
import { LoadMore } from '../ui/LoadMore';
import { ROLE_LABELS } from '../ui/labels';
import { EmptyMessage, ErrorMessage, LoadingRows } from '../ui/states';
import { useAuditLog } from './api';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const OUTCOME_COLORS: Record<AuditOutcome, string> = {
  success: 'teal',
  denied: 'red',
  failed: 'orange',
};

const roleLabel = (role: string | null) =>
  role ? (Object.entries(ROLE_LABELS).find(([key]) => key === role)?.[1] ?? role) : null;
const outcomeColor = (outcome: string) =>
  Object.entries(OUTCOME_COLORS).find(([key]) => key === outcome)?.[1] ?? 'gray';

function AuditRow({ event, onPatient }: { event: AuditEvent; onPatient: (id: string) => void }) {
  return (
    <Table.Tr data-testid="audit-event">
      <Table.Td style={{ whiteSpace: 'nowrap' }}>
        <Tooltip label={`#${event.id} · ${event.occurredAt}`} withArrow>
          <span>{formatDateTime(event.occurredAt)}</span>
        </Tooltip>
      </Table.Td>
      <Table.Td>
        <Text size="sm">{event.actorEmail ?? 'System'}</Text>
        <Text size="xs" c="dimmed">
          {roleLabel(event.actorRole)}
        </Text>
      </Table.Td>
      <Table.Td>
        <Code>{event.action}</Code>
      </Table.Td>
      <Table.Td>
        <Text size="sm">{event.recordType}</Text>
        {event.recordId ? (
          <Text size="xs" c="dimmed" ff="monospace">
            {event.recordId}
          </Text>
        ) : null}
      </Table.Td>
      <Table.Td>
        {event.patientId ? (
          <Group gap={4} wrap="nowrap">
            <Anchor component={Link} to={`/patients/${event.patientId}`} size="xs" ff="monospace">
              {event.patientId.slice(0, 8)}
            </Anchor>
            <Button
              size="compact-xs"
              variant="subtle"
              onClick={() => onPatient(event.patientId ?? '')}
            >
              Filter
            </Button>
          </Group>
        ) : (
          '—'
        )}
      </Table.Td>
      <Table.Td>
        <Badge variant="light" color={outcomeColor(event.outcome)}>
          {event.outcome}
        </Badge>
        {event.reason ? (
          <Text size="xs" c="dimmed">
            {event.reason}
          </Text>
        ) : null}
      </Table.Td>
      <Table.Td>
        <Text size="xs" ff="monospace">
          {event.ip ?? '—'}
        </Text>
      </Table.Td>
    </Table.Tr>
  );
}

/** Who did what to which record, and whether it was allowed: the HIPAA access trail. */
export function AuditLogPage() {
  const [action, setAction] = useState<AuditAction | null>(null);
  const [outcome, setOutcome] = useState<AuditOutcome | null>(null);
  const [patientInput, setPatientInput] = useState('');
  const [recordTypeInput, setRecordTypeInput] = useState('');
  const [range, setRange] = useState<[string | null, string | null]>([null, null]);
  const [patientId] = useDebouncedValue(patientInput.trim(), 300);
  const [recordType] = useDebouncedValue(recordTypeInput.trim(), 300);
  const patientValid = patientId === '' || UUID.test(patientId);
  const [from, to] = range;

  const log = useAuditLog({
    action: action ?? undefined,
    outcome: outcome ?? undefined,
    patientId: patientValid && patientId ? patientId : undefined,
    recordType: recordType || undefined,
    // The range is in local calendar days; the API takes UTC instants.
    from: from ? dayjs(from).startOf('day').toISOString() : undefined,
    to: to ? dayjs(to).endOf('day').toISOString() : undefined,
    limit: 50,
  });
  const filtered = Boolean(action || outcome || patientId || recordType || from || to);
  const clear = () => {
    setAction(null);
    setOutcome(null);
    setPatientInput('');
    setRecordTypeInput('');
    setRange([null, null]);
  };

  return (
    <>
      <Title order={1} size="h2" mb="md">
        Audit log
      </Title>
      <Paper withBorder p="sm" mb="md">
        <Group align="flex-end" gap="sm">
          <Select
            label="Action"
            placeholder="Any action"
            clearable
            data={[...AUDIT_ACTIONS]}
            value={action}
            onChange={(v) => setAction(AUDIT_ACTIONS.find((a) => a === v) ?? null)}
            w={150}
          />
          <Select
            label="Outcome"
            placeholder="Any outcome"
            clearable
            data={[...AUDIT_OUTCOMES]}
            value={outcome}
            onChange={(v) => setOutcome(AUDIT_OUTCOMES.find((o) => o === v) ?? null)}
            w={150}
          />
          <TextInput
            label="Patient ID"
            placeholder="UUID"
            value={patientInput}
            onChange={(e) => setPatientInput(e.currentTarget.value)}
            error={patientValid ? undefined : 'Not a patient ID'}
            w={320}
          />
          <TextInput
            label="Record type"
            placeholder="e.g. patient"
            value={recordTypeInput}
            onChange={(e) => setRecordTypeInput(e.currentTarget.value)}
            w={150}
          />
          <DatePickerInput
            type="range"
            label="Date range"
            placeholder="Any time"
            clearable
            allowSingleDateInRange
            value={range}
            onChange={setRange}
            maxDate={new Date()}
            w={260}
          />
          {filtered ? (
            <Button variant="subtle" onClick={clear}>
              Clear filters
            </Button>
          ) : null}
        </Group>
      </Paper>
      {log.isPending ? (
        <LoadingRows label="Loading audit log" />
      ) : log.isError && log.items.length === 0 ? (
        <ErrorMessage
          error={log.error}
          onRetry={() => log.refetch()}
          title="Could not load the audit log"
        />
      ) : log.items.length === 0 ? (
        <EmptyMessage
          title="No audit events"
          description={filtered ? 'Nothing matches these filters.' : undefined}
        />
      ) : (
        <>
          <Table.ScrollContainer minWidth={900}>
            <Table
              striped
              verticalSpacing="xs"
              aria-label="Audit events"
              style={{ opacity: log.isPlaceholderData ? 0.6 : 1 }}
            >
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>When</Table.Th>
                  <Table.Th>Who</Table.Th>
                  <Table.Th>Action</Table.Th>
                  <Table.Th>Record</Table.Th>
                  <Table.Th>Patient</Table.Th>
                  <Table.Th>Outcome</Table.Th>
                  <Table.Th>IP</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {log.items.map((event) => (
                  <AuditRow key={event.id} event={event} onPatient={setPatientInput} />
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
          <LoadMore
            hasNextPage={log.hasNextPage}
            isFetchingNextPage={log.isFetchingNextPage}
            fetchNextPage={log.fetchNextPage}
            label="Load older events"
          />
        </>
      )}
    </>
  );
}
