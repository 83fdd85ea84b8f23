import {
  AUDIT_ACTIONS,
  AUDIT_OUTCOMES,
  type AuditAction,
  type AuditEvent,
  type AuditOutcome,
  type AuditVerifyResult,
  routes,
} from '@careloop/core';
import {
  Alert,
  Anchor,
  Badge,
  Button,
  Code,
  Group,
  List,
  Modal,
  Paper,
  Select,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
  Tooltip,
} from '@mantine/core';
import { DatePickerInput } from '@mantine/dates';
import { useDebouncedValue } from '@mantine/hooks';
import { IconDownload, IconShieldCheck } from '@tabler/icons-react';
import { useState } from 'react';
import { Link } from 'react-router';
import { urlOf } from '../api/client';
import { dayjs, formatDateTime } from '../ui/format';
import { LoadMore } from '../ui/LoadMore';
import { ROLE_LABELS } from '../ui/labels';
import { EmptyMessage, ErrorMessage, errorMessage, LoadingRows } from '../ui/states';
import { useAuditActors, useAuditLog, useVerifyAuditChains } from './api';

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
            {event.patientRestricted ? (
              <Badge variant="outline" color="gray" data-testid="restricted-patient">
                Restricted patient
              </Badge>
            ) : (
              <Anchor component={Link} to={`/patients/${event.patientId}`} size="sm">
                {event.patientName ?? `Patient ${event.patientId.slice(0, 8)}`}
              </Anchor>
            )}
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

/** The result of `careloop audit verify` for this organization, in words. */
function VerifyModal({
  opened,
  onClose,
  pending,
  result,
  error,
}: {
  opened: boolean;
  onClose: () => void;
  pending: boolean;
  result: AuditVerifyResult | null;
  error: string | null;
}) {
  return (
    <Modal opened={opened} onClose={onClose} title="Audit chain verification">
      {pending ? (
        <LoadingRows label="Verifying the audit chain" />
      ) : error ? (
        <Alert color="red" title="Could not verify">
          {error}
        </Alert>
      ) : result ? (
        <Stack gap="sm" data-testid="verify-result">
          <Alert
            color={result.ok ? 'teal' : 'red'}
            title={result.ok ? 'The chain is intact' : 'The chain is broken'}
          >
            Checked {result.checked.toLocaleString()} audit events.{' '}
            {result.checkpoint.latestAt
              ? `Compared with the checkpoint of ${formatDateTime(result.checkpoint.latestAt)}.`
              : 'No checkpoint yet: a cut at the end of the chain cannot be seen.'}
          </Alert>
          {result.breaks.length > 0 ? (
            <List size="sm">
              {result.breaks.map((b) => (
                <List.Item key={`${b.seq}-${b.problem}`}>
                  Event #{b.seq}: {b.problem}
                  {b.detail ? ` (${b.detail})` : ''}
                </List.Item>
              ))}
            </List>
          ) : null}
          {result.checkpoint.findings > 0 ? (
            <Text size="sm" c="red">
              {result.checkpoint.findings} checkpoint line(s) cannot be trusted; run `careloop audit
              verify` on the server for details.
            </Text>
          ) : null}
        </Stack>
      ) : null}
    </Modal>
  );
}

/** Who did what to which record, and whether it was allowed: the HIPAA access trail. */
export function AuditLogPage() {
  const [action, setAction] = useState<AuditAction | null>(null);
  const [outcome, setOutcome] = useState<AuditOutcome | null>(null);
  const [actorId, setActorId] = useState<string | null>(null);
  const actors = useAuditActors();
  const verify = useVerifyAuditChains();
  const [verifyOpen, setVerifyOpen] = useState(false);
  const [patientInput, setPatientInput] = useState('');
  const [recordTypeInput, setRecordTypeInput] = useState('');
  const [range, setRange] = useState<[string | null, string | null]>([null, null]);
  const [patientId] = useDebouncedValue(patientInput.trim(), 300);
  const [recordType] = useDebouncedValue(recordTypeInput.trim(), 300);
  const patientValid = patientId === '' || UUID.test(patientId);
  const [from, to] = range;

  const filters = {
    actorId: actorId ?? undefined,
    action: action ?? undefined,
    outcome: outcome ?? undefined,
    patientId: patientValid && patientId ? patientId : undefined,
    recordType: recordType || undefined,
    // The range is in local calendar days; the API takes UTC instants.
    from: from ? dayjs(from).startOf('day').toISOString() : undefined,
    to: to ? dayjs(to).endOf('day').toISOString() : undefined,
  };
  const log = useAuditLog({ ...filters, limit: 50 });
  const filtered = Boolean(actorId || action || outcome || patientId || recordType || from || to);
  const clear = () => {
    setActorId(null);
    setAction(null);
    setOutcome(null);
    setPatientInput('');
    setRecordTypeInput('');
    setRange([null, null]);
  };

  return (
    <>
      <Group justify="space-between" mb="md">
        <Title order={1} size="h2">
          Audit log
        </Title>
        <Group gap="sm">
          <Button
            variant="default"
            leftSection={<IconDownload size={16} />}
            component="a"
            href={urlOf(routes.audit.export, { query: filters })}
            download
          >
            Export CSV
          </Button>
          <Button
            leftSection={<IconShieldCheck size={16} />}
            loading={verify.isPending}
            onClick={() => {
              setVerifyOpen(true);
              verify.mutate();
            }}
          >
            Verify chains
          </Button>
        </Group>
      </Group>
      <VerifyModal
        opened={verifyOpen}
        onClose={() => setVerifyOpen(false)}
        pending={verify.isPending}
        result={verify.data ?? null}
        error={verify.error ? errorMessage(verify.error) : null}
      />
      <Paper withBorder p="sm" mb="md">
        <Group align="flex-end" gap="sm">
          <Select
            label="User"
            placeholder="Anyone"
            searchable
            clearable
            data={(actors.data?.items ?? []).map((u) => ({
              value: u.id,
              label: `${u.displayName} (${u.email})`,
            }))}
            value={actorId}
            onChange={setActorId}
            nothingFoundMessage="No user matches"
            w={260}
          />
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
