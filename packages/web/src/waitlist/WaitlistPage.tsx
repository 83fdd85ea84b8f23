import type { WaitlistEntry, WaitlistOffer, WaitlistQuery } from '@careloop/core';
import { can } from '@careloop/core';
import {
  Anchor,
  Badge,
  Button,
  Group,
  NumberInput,
  Paper,
  SegmentedControl,
  Select,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
  VisuallyHidden,
} from '@mantine/core';
import { useState } from 'react';
import { Link } from 'react-router';
import { useCurrentUser } from '../auth/session';
import { AppointmentDialog, PatientPicker } from '../scheduling/AppointmentDialog';
import { useBookableServices } from '../scheduling/api';
import { formatDate, formatDateTime } from '../ui/format';
import { EmptyMessage, ErrorMessage, errorMessage, LoadingRows } from '../ui/states';
import {
  type AvailabilityDraft,
  AvailabilityInput,
  availabilityOf,
  describeAvailability,
  EMPTY_AVAILABILITY,
} from './AvailabilityInput';
import {
  useAddToWaitlist,
  useUpdateEntry,
  useUpdateWaitlistSettings,
  useWaitlist,
  useWaitlistSettings,
} from './api';

type View = 'open' | 'follow-ups' | 'unanswered' | 'booked';

const QUERIES: Record<View, WaitlistQuery> = {
  open: { kind: 'waitlist' },
  'follow-ups': { kind: 'follow-up' },
  unanswered: { unansweredDays: 7 },
  booked: { status: 'booked' },
};

const OFFER_COLORS: Record<WaitlistOffer['status'], string> = {
  pending: 'blue',
  accepted: 'teal',
  declined: 'gray',
  expired: 'orange',
  taken: 'gray',
};

function OfferState({ offers }: { offers: WaitlistOffer[] }) {
  const latest = offers[0];
  if (!latest) return <Text size="sm">No offer yet</Text>;
  return (
    <Stack gap={2}>
      <Group gap={6}>
        <Badge color={OFFER_COLORS[latest.status]} variant="light">
          {latest.status}
        </Badge>
        <Text size="sm">{formatDateTime(latest.start)}</Text>
      </Group>
      <Text size="xs" c="dimmed">
        {latest.status === 'pending'
          ? `until ${formatDateTime(latest.expiresAt)}`
          : `${offers.length} offer${offers.length === 1 ? '' : 's'}`}
      </Text>
    </Stack>
  );
}

function EntryRow({ entry, canWrite }: { entry: WaitlistEntry; canWrite: boolean }) {
  const update = useUpdateEntry();
  const open = entry.status === 'waiting' || entry.status === 'offered';
  return (
    <Table.Tr data-testid="waitlist-row">
      <Table.Td>
        {entry.patientName ? (
          <Anchor component={Link} to={`/patients/${entry.patientId}`} size="sm">
            {entry.patientName}
          </Anchor>
        ) : (
          <Text size="sm" c="dimmed">
            Restricted
          </Text>
        )}
        <Text size="xs" c="dimmed">
          joined {formatDate(entry.joinedAt.slice(0, 10))}
        </Text>
      </Table.Td>
      <Table.Td>
        <Text size="sm">{entry.serviceName}</Text>
        {entry.kind === 'follow-up' ? (
          <Badge variant="outline" size="sm">
            follow-up
          </Badge>
        ) : null}
      </Table.Td>
      <Table.Td>
        <Text size="sm">{describeAvailability(entry.availability)}</Text>
        <Text size="xs" c="dimmed">
          {entry.earliest ? `from ${formatDate(entry.earliest)} ` : ''}
          {entry.bookBefore ? `before ${formatDate(entry.bookBefore)}` : ''}
        </Text>
      </Table.Td>
      <Table.Td>
        {canWrite && open ? (
          <Select
            aria-label={`Priority of ${entry.patientName ?? 'this patient'}`}
            size="xs"
            w={110}
            value={entry.priority}
            data={['urgent', 'soon', 'routine']}
            onChange={(priority) =>
              priority === 'urgent' || priority === 'soon' || priority === 'routine'
                ? update.mutate({ id: entry.id, priority })
                : undefined
            }
          />
        ) : (
          <Text size="sm">{entry.priority}</Text>
        )}
      </Table.Td>
      <Table.Td>
        <Badge variant="light" color={entry.status === 'booked' ? 'teal' : 'blue'}>
          {entry.status}
        </Badge>
      </Table.Td>
      <Table.Td>
        <OfferState offers={entry.offers} />
      </Table.Td>
      <Table.Td>
        {canWrite && open ? (
          <Button
            size="compact-xs"
            variant="subtle"
            color="red"
            loading={update.isPending}
            onClick={() => update.mutate({ id: entry.id, status: 'removed' })}
          >
            Remove
          </Button>
        ) : null}
      </Table.Td>
    </Table.Tr>
  );
}

function AddDialog({ onClose }: { onClose: () => void }) {
  const [patientId, setPatientId] = useState<string | null>(null);
  const [serviceId, setServiceId] = useState<string | null>(null);
  const [priority, setPriority] = useState<'routine' | 'soon' | 'urgent'>('routine');
  const [bookBefore, setBookBefore] = useState('');
  const [draft, setDraft] = useState<AvailabilityDraft>(EMPTY_AVAILABILITY);
  const services = useBookableServices();
  const add = useAddToWaitlist();
  const submit = () => {
    if (!patientId || !serviceId) return;
    add.mutate(
      {
        patientId,
        serviceId,
        priority,
        availability: availabilityOf(draft),
        ...(bookBefore ? { bookBefore } : {}),
      },
      { onSuccess: onClose },
    );
  };
  return (
    <AppointmentDialog
      title="Add to the waitlist"
      size="lg"
      error={add.error}
      action="Add to the waitlist"
      ready={patientId !== null && serviceId !== null}
      pending={add.isPending}
      onAction={submit}
      onClose={onClose}
    >
      <PatientPicker patientId={patientId} onChange={setPatientId} />
      <Select
        label="Service"
        value={serviceId}
        onChange={setServiceId}
        data={(services.data ?? [])
          .filter((s) => s.active)
          .map((s) => ({ value: s.id, label: s.name }))}
      />
      <AvailabilityInput value={draft} onChange={setDraft} />
      <Group grow>
        <Select
          label="Priority"
          value={priority}
          onChange={(p) => setPriority(p === 'urgent' || p === 'soon' ? p : 'routine')}
          data={['urgent', 'soon', 'routine']}
        />
        <TextInput
          label="Book before"
          type="date"
          value={bookBefore}
          onChange={(e) => setBookBefore(e.currentTarget.value)}
        />
      </Group>
    </AppointmentDialog>
  );
}

function SettingsPanel() {
  const settings = useWaitlistSettings();
  const save = useUpdateWaitlistSettings();
  if (!settings.data) return null;
  const s = settings.data;
  return (
    <Paper withBorder p="md" component="section" aria-labelledby="offer-settings">
      <Title order={2} size="h4" id="offer-settings" mb="xs">
        How freed slots are offered
      </Title>
      <Group align="flex-end">
        <SegmentedControl
          aria-label="Offer mode"
          value={s.mode}
          onChange={(mode) =>
            save.mutate({ mode: mode === 'broadcast' ? 'broadcast' : 'sequential' })
          }
          data={[
            { value: 'sequential', label: 'One at a time' },
            { value: 'broadcast', label: 'Several at once' },
          ]}
        />
        <NumberInput
          label="Hold (minutes)"
          min={5}
          max={1440}
          w={140}
          defaultValue={s.holdMinutes}
          onBlur={(e) => {
            const n = Number(e.currentTarget.value);
            if (Number.isInteger(n) && n >= 5 && n <= 1440 && n !== s.holdMinutes)
              save.mutate({ holdMinutes: n });
          }}
        />
        {s.mode === 'broadcast' ? (
          <NumberInput
            label="Patients per slot"
            min={2}
            max={20}
            w={140}
            defaultValue={s.broadcastSize}
            onBlur={(e) => {
              const n = Number(e.currentTarget.value);
              if (Number.isInteger(n) && n >= 2 && n <= 20 && n !== s.broadcastSize)
                save.mutate({ broadcastSize: n });
            }}
          />
        ) : null}
      </Group>
      {save.error ? (
        <Text c="red" role="alert" mt="xs">
          {errorMessage(save.error)}
        </Text>
      ) : null}
    </Paper>
  );
}

/** The waitlist: who waits for what, their offers, and the follow-ups nobody answered. */
export function WaitlistPage() {
  const user = useCurrentUser();
  const [view, setView] = useState<View>('open');
  const [adding, setAdding] = useState(false);
  const list = useWaitlist(QUERIES[view]);
  const canWrite = can(user.role, 'waitlist:write');
  return (
    <Stack>
      <Group justify="space-between">
        <div>
          <Title order={1} size="h2">
            Waitlist
          </Title>
          <Text c="dimmed" size="sm">
            A cancelled or moved slot is offered to the patients below, most urgent and longest
            waiting first.{' '}
            <Anchor component={Link} to="/waitlist/recovery">
              Recovery dashboard
            </Anchor>
          </Text>
        </div>
        {canWrite ? <Button onClick={() => setAdding(true)}>Add to the waitlist</Button> : null}
      </Group>
      <SegmentedControl
        aria-label="Which entries"
        value={view}
        onChange={(v) => setView(v as View)}
        data={[
          { value: 'open', label: 'Waitlist' },
          { value: 'follow-ups', label: 'Follow-ups' },
          { value: 'unanswered', label: 'Follow-ups not answered' },
          { value: 'booked', label: 'Booked' },
        ]}
      />
      <Paper withBorder p="md">
        {list.isPending ? (
          <LoadingRows />
        ) : list.isError ? (
          <ErrorMessage error={list.error} onRetry={() => list.refetch()} />
        ) : list.data.length === 0 ? (
          <EmptyMessage
            title="Nobody here"
            description={
              view === 'unanswered'
                ? 'Every follow-up patient has said when they can come.'
                : 'No entries in this view.'
            }
          />
        ) : (
          <Table aria-label="Waitlist entries" striped>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Patient</Table.Th>
                <Table.Th>Service</Table.Th>
                <Table.Th>Can come</Table.Th>
                <Table.Th>Priority</Table.Th>
                <Table.Th>Status</Table.Th>
                <Table.Th>Latest offer</Table.Th>
                <Table.Th>
                  <VisuallyHidden>Actions</VisuallyHidden>
                </Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {list.data.map((entry) => (
                <EntryRow key={entry.id} entry={entry} canWrite={canWrite} />
              ))}
            </Table.Tbody>
          </Table>
        )}
      </Paper>
      {can(user.role, 'schedule:manage') ? <SettingsPanel /> : null}
      {adding ? <AddDialog onClose={() => setAdding(false)} /> : null}
    </Stack>
  );
}
