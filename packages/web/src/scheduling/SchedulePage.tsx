import type { AvailableSlot, ScheduledAppointment } from '@careloop/core';
import {
  Badge,
  Button,
  Group,
  Paper,
  SegmentedControl,
  Select,
  Stack,
  Text,
  Textarea,
  TextInput,
  Title,
} from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useMemo, useState } from 'react';
import { useSearchParams } from 'react-router';
import { newIdempotencyKey } from '../api/client';
import { useCan } from '../auth/session';
import { EmptyMessage, ErrorMessage, errorMessage, LoadingRows } from '../ui/states';
// Issue 13: follow-ups.
import { FollowUpButton } from '../waitlist/FollowUpButton';
import { AppointmentDialog, PatientPicker } from './AppointmentDialog';
import {
  useAvailability,
  useBook,
  useBookableServices,
  useCalendar,
  useChangeAppointment,
  usePractitioners,
  useScheduleLocations,
} from './api';
import { addDays, dayKey, dayTitle, timeOf, windowOf } from './dates';
// Issue 13 (h13r): the "Pre-registered" badge.
import { PreRegisteredBadge, usePreRegistrationStates } from './PreRegisteredBadge';

type View = 'day' | 'week' | 'today';

const STATUS_COLOR: Record<string, string> = {
  booked: 'blue',
  arrived: 'green',
  fulfilled: 'gray',
  cancelled: 'red',
  noshow: 'orange',
  proposed: 'blue',
};
const STATUS_LABEL: Record<string, string> = {
  booked: 'Booked',
  arrived: 'Checked in',
  fulfilled: 'Completed',
  cancelled: 'Cancelled',
  noshow: 'No-show',
  proposed: 'Requested',
};

/**
 * The staff calendar: a practitioner's (or a location's) day or week, open slots of a chosen
 * service to book from, and the front desk's "Today" view to check patients in. Times show in
 * the location's zone. `?date=YYYY-MM-DD` opens a given day.
 */
export function SchedulePage() {
  const [params, setParams] = useSearchParams();
  const today = new Date().toISOString().slice(0, 10);
  const date = /^\d{4}-\d{2}-\d{2}$/.test(params.get('date') ?? '')
    ? (params.get('date') ?? today)
    : today;
  const [view, setView] = useState<View>('day');
  const [practitionerId, setPractitionerId] = useState<string | null>(params.get('practitioner'));
  const [locationId, setLocationId] = useState<string | null>(params.get('location'));
  const [serviceId, setServiceId] = useState<string | null>(null);
  const [booking, setBooking] = useState<AvailableSlot | null>(null);
  const [cancelling, setCancelling] = useState<ScheduledAppointment | null>(null);
  const [moving, setMoving] = useState<ScheduledAppointment | null>(null);
  // Issue 13 (h13a): the appointment being dragged (or moved by keyboard) to an open slot.
  const [carried, setCarried] = useState<ScheduledAppointment | null>(null);
  // A pointer drag leaves the slots as they are (their size must not shift under the pointer);
  // a keyboard move relabels them "Move here".
  const [byKeyboard, setByKeyboard] = useState(false);
  const canBook = useCan('appointment:write');
  const practitioners = usePractitioners();
  const locations = useScheduleLocations();
  const services = useBookableServices();
  const practitioner = practitioners.data?.find((p) => p.id === practitionerId);
  const practitionerName = (id: string) =>
    practitioners.data?.find((p) => p.id === id)?.displayName ?? 'a practitioner';
  const location = locations.data?.find(
    (l) => l.id === (locationId ?? practitioner?.locationId ?? null),
  );
  const timeZone = location?.timeZone ?? 'UTC';
  const days = view === 'week' ? 7 : 1;
  const window = windowOf(date, days, timeZone);
  const byLocation = view === 'today';
  const calendar = useCalendar({
    ...window,
    practitioner: byLocation ? undefined : (practitionerId ?? undefined),
    location: byLocation ? (location?.id ?? undefined) : (locationId ?? undefined),
  });
  // Issue 13 (h13r): the "Pre-registered" badge.
  const preRegistered = usePreRegistrationStates((calendar.data ?? []).map((a) => a.id));
  const slots = useAvailability({
    service: canBook && !byLocation ? (serviceId ?? undefined) : undefined,
    practitioner: practitionerId ?? undefined,
    location: locationId ?? undefined,
    ...window,
  });
  const change = useChangeAppointment();
  const setDate = (next: string) => {
    const p = new URLSearchParams(params);
    p.set('date', next);
    setParams(p, { replace: true });
  };

  const dayList = Array.from({ length: days }, (_, i) => addDays(date, i));
  const act = (a: ScheduledAppointment, action: 'check-in' | 'no-show' | 'complete') =>
    change.mutate({ id: a.id, action });
  /**
   * Drops a carried appointment on an open slot: the same PATCH as the reschedule dialog. The
   * card stays where the server has it until the move succeeds, so a refused move (409: the
   * slot was just taken, or outside the hours) leaves it where it was, with the server's reason.
   */
  const moveTo = (a: ScheduledAppointment, slot: AvailableSlot) => {
    setCarried(null);
    change.mutate(
      {
        id: a.id,
        action: 'reschedule',
        start: slot.start,
        practitionerId: slot.practitionerId,
        locationId: slot.locationId,
      },
      {
        onSuccess: () =>
          notifications.show({
            color: 'teal',
            message: `Moved to ${dayTitle(dayKey(slot.start, timeZone))} ${timeOf(slot.start, timeZone)}`,
          }),
        onError: (error) =>
          notifications.show({
            color: 'red',
            title: 'Not moved',
            message: errorMessage(error),
          }),
      },
    );
  };
  const movable = (a: ScheduledAppointment) =>
    canBook && !byLocation && a.status === 'booked' && a.serviceId !== null;

  return (
    <>
      <Group justify="space-between" mb="md">
        <Title order={1} size="h2">
          Schedule
        </Title>
        <SegmentedControl
          aria-label="View"
          value={view}
          onChange={(v) => setView(v === 'week' || v === 'today' ? v : 'day')}
          data={[
            { value: 'day', label: 'Day' },
            { value: 'week', label: 'Week' },
            { value: 'today', label: 'Today (check-in)' },
          ]}
        />
      </Group>
      <Paper withBorder p="sm" mb="md">
        <Group align="flex-end">
          <Select
            label="Practitioner"
            placeholder="Choose a practitioner"
            searchable
            clearable
            value={practitionerId}
            onChange={setPractitionerId}
            data={(practitioners.data ?? []).map((p) => ({ value: p.id, label: p.displayName }))}
          />
          <Select
            label="Location"
            placeholder="Their clinic"
            clearable
            value={locationId}
            onChange={setLocationId}
            data={(locations.data ?? []).map((l) => ({ value: l.id, label: l.name }))}
          />
          {canBook && !byLocation ? (
            <Select
              label="Service to book"
              placeholder="Show open slots of…"
              clearable
              value={serviceId}
              onChange={setServiceId}
              data={(services.data ?? []).map((s) => ({
                value: s.id,
                label: `${s.name} (${s.durationMinutes} min)`,
              }))}
            />
          ) : null}
          <Button
            variant="default"
            onClick={() => setDate(addDays(date, view === 'week' ? -7 : -1))}
          >
            Previous
          </Button>
          <TextInput
            label="Date"
            type="date"
            value={date}
            onChange={(e) => e.currentTarget.value && setDate(e.currentTarget.value)}
          />
          <Button variant="default" onClick={() => setDate(addDays(date, view === 'week' ? 7 : 1))}>
            Next
          </Button>
        </Group>
      </Paper>
      {change.error ? <ErrorMessage error={change.error} title="Could not change it" /> : null}
      {!practitionerId && !locationId && !(byLocation && location) ? (
        <EmptyMessage title="Choose a practitioner or a location" />
      ) : calendar.isPending ? (
        <LoadingRows />
      ) : calendar.error ? (
        <ErrorMessage error={calendar.error} onRetry={() => void calendar.refetch()} />
      ) : (
        <div
          data-testid="calendar"
          style={{
            display: 'grid',
            gridTemplateColumns: `repeat(${days}, minmax(12rem, 1fr))`,
            gap: 'var(--mantine-spacing-sm)',
            overflowX: 'auto',
          }}
        >
          {dayList.map((day) => {
            const appointments = (calendar.data ?? []).filter(
              (a) => dayKey(a.start, timeZone) === day,
            );
            const open = (slots.data ?? []).filter((s) => dayKey(s.start, timeZone) === day);
            const entries = [
              ...appointments.map((a) => ({ at: a.start, appointment: a, slot: null })),
              ...open.map((s) => ({ at: s.start, appointment: null, slot: s })),
            ].sort((x, y) => x.at.localeCompare(y.at));
            return (
              <Paper key={day} withBorder p="xs" component="section" aria-label={dayTitle(day)}>
                <Text fw={600} mb="xs">
                  {dayTitle(day)}
                </Text>
                <Stack gap={6}>
                  {entries.length === 0 ? (
                    <Text c="dimmed" size="sm">
                      Nothing booked
                    </Text>
                  ) : null}
                  {entries.map(({ appointment: a, slot }) =>
                    a ? (
                      <Paper
                        key={a.id}
                        withBorder
                        p={6}
                        data-testid="appointment"
                        bg="var(--mantine-color-blue-light)"
                        draggable={movable(a)}
                        onDragStart={(e) => {
                          e.dataTransfer.effectAllowed = 'move';
                          e.dataTransfer.setData('text/plain', a.id);
                          setByKeyboard(false);
                          setCarried(a);
                        }}
                        onDragEnd={() => setCarried(null)}
                        style={{
                          cursor: movable(a) ? 'grab' : undefined,
                          opacity: carried?.id === a.id ? 0.5 : 1,
                        }}
                      >
                        <Group justify="space-between" gap={4}>
                          <Text size="sm" fw={600}>
                            {timeOf(a.start, timeZone)}–{timeOf(a.end, timeZone)}
                          </Text>
                          <Badge size="xs" color={STATUS_COLOR[a.status] ?? 'gray'}>
                            {STATUS_LABEL[a.status] ?? a.status}
                          </Badge>
                        </Group>
                        {/* Issue 13 (h13r): the "Pre-registered" badge. */}
                        <PreRegisteredBadge state={preRegistered.get(a.id)} />
                        <Text size="sm">{a.patientName ?? 'Patient'}</Text>
                        <Text size="xs" c="dimmed">
                          {[a.serviceName, byLocation ? a.practitionerName : null]
                            .filter(Boolean)
                            .join(' · ')}
                        </Text>
                        {canBook && (a.status === 'booked' || a.status === 'arrived') ? (
                          <Group gap={4} mt={4}>
                            {a.status === 'booked' ? (
                              <>
                                <Button size="compact-xs" onClick={() => act(a, 'check-in')}>
                                  Check in
                                </Button>
                                <Button
                                  size="compact-xs"
                                  variant="default"
                                  onClick={() => act(a, 'no-show')}
                                >
                                  No-show
                                </Button>
                                {a.serviceId ? (
                                  <Button
                                    size="compact-xs"
                                    variant="default"
                                    onClick={() => setMoving(a)}
                                  >
                                    Reschedule
                                  </Button>
                                ) : null}
                                {movable(a) && slots.data ? (
                                  <Button
                                    size="compact-xs"
                                    variant={carried?.id === a.id ? 'filled' : 'default'}
                                    aria-pressed={carried?.id === a.id}
                                    onClick={() => {
                                      setByKeyboard(true);
                                      setCarried(carried?.id === a.id ? null : a);
                                    }}
                                  >
                                    {carried?.id === a.id ? 'Moving: choose a slot' : 'Move'}
                                  </Button>
                                ) : null}
                                <Button
                                  size="compact-xs"
                                  variant="subtle"
                                  color="red"
                                  onClick={() => setCancelling(a)}
                                >
                                  Cancel
                                </Button>
                              </>
                            ) : (
                              <Button
                                size="compact-xs"
                                variant="default"
                                onClick={() => act(a, 'complete')}
                              >
                                Complete
                              </Button>
                            )}
                          </Group>
                        ) : null}
                        {/* Issue 13: a completed visit can set its follow-up. */}
                        {canBook && a.status === 'fulfilled' && a.serviceId ? (
                          <FollowUpButton appointmentId={a.id} />
                        ) : null}
                      </Paper>
                    ) : slot ? (
                      <Button
                        key={`${slot.practitionerId}-${slot.start}`}
                        variant={carried && byKeyboard ? 'outline' : 'light'}
                        size="compact-sm"
                        data-testid="open-slot"
                        data-start={slot.start}
                        onClick={() => (carried ? moveTo(carried, slot) : setBooking(slot))}
                        onDragOver={(e) => {
                          if (!carried) return;
                          e.preventDefault();
                          e.dataTransfer.dropEffect = 'move';
                        }}
                        onDrop={(e) => {
                          e.preventDefault();
                          if (carried) moveTo(carried, slot);
                        }}
                      >
                        {carried && byKeyboard ? 'Move here' : 'Book'}{' '}
                        {timeOf(slot.start, timeZone)}
                        {/* A location's slots belong to several practitioners: say whose. */}
                        {practitionerId ? null : ` · ${practitionerName(slot.practitionerId)}`}
                      </Button>
                    ) : null,
                  )}
                </Stack>
              </Paper>
            );
          })}
        </div>
      )}
      {booking ? (
        <BookDialog slot={booking} timeZone={timeZone} onClose={() => setBooking(null)} />
      ) : null}
      {cancelling ? (
        <CancelDialog appointment={cancelling} onClose={() => setCancelling(null)} />
      ) : null}
      {moving ? (
        <RescheduleDialog
          appointment={moving}
          timeZone={timeZone}
          from={window.from}
          onClose={() => setMoving(null)}
        />
      ) : null}
    </>
  );
}

/** Patient search, then confirm: books the slot, or says it was just taken. */
function BookDialog({
  slot,
  timeZone,
  onClose,
}: {
  slot: AvailableSlot;
  timeZone: string;
  onClose: () => void;
}) {
  const [patientId, setPatientId] = useState<string | null>(null);
  const book = useBook();
  // One key per confirmation of this slot for this patient: a double click or retry books once.
  const idempotencyKey = useMemo(() => (patientId ? newIdempotencyKey() : ''), [patientId]);
  const submit = () => {
    if (!patientId) return;
    book.mutate(
      {
        idempotencyKey,
        patientId,
        serviceId: slot.serviceId,
        practitionerId: slot.practitionerId,
        locationId: slot.locationId,
        start: slot.start,
      },
      { onSuccess: onClose },
    );
  };
  return (
    <AppointmentDialog
      title={`Book ${dayTitle(dayKey(slot.start, timeZone))} at ${timeOf(slot.start, timeZone)}`}
      error={book.error}
      action="Confirm booking"
      ready={patientId !== null}
      pending={book.isPending}
      onAction={submit}
      onClose={onClose}
    >
      <PatientPicker patientId={patientId} onChange={setPatientId} />
    </AppointmentDialog>
  );
}

function CancelDialog({
  appointment,
  onClose,
}: {
  appointment: ScheduledAppointment;
  onClose: () => void;
}) {
  const [reason, setReason] = useState('');
  const change = useChangeAppointment();
  return (
    <AppointmentDialog
      title="Cancel the appointment"
      error={change.error}
      back="Keep it"
      action="Cancel appointment"
      actionColor="red"
      ready={reason.trim() !== ''}
      pending={change.isPending}
      onAction={() =>
        change.mutate(
          { id: appointment.id, action: 'cancel', reason: reason.trim() },
          { onSuccess: onClose },
        )
      }
      onClose={onClose}
    >
      <Textarea
        label="Reason"
        required
        value={reason}
        onChange={(e) => setReason(e.currentTarget.value)}
        data-autofocus
      />
    </AppointmentDialog>
  );
}

/** The service's open slots with the same practitioner over the next two weeks; pick one. */
function RescheduleDialog({
  appointment,
  timeZone,
  from,
  onClose,
}: {
  appointment: ScheduledAppointment;
  timeZone: string;
  from: string;
  onClose: () => void;
}) {
  const [start, setStart] = useState<string | null>(null);
  const slots = useAvailability({
    service: appointment.serviceId ?? undefined,
    practitioner: appointment.practitionerId ?? undefined,
    location: appointment.locationId ?? undefined,
    from,
    to: new Date(Date.parse(from) + 14 * 86_400_000).toISOString(),
  });
  const change = useChangeAppointment();
  return (
    <AppointmentDialog
      title="Reschedule the appointment"
      error={change.error}
      action="Move it"
      ready={start !== null}
      pending={change.isPending}
      onAction={() =>
        start &&
        change.mutate({ id: appointment.id, action: 'reschedule', start }, { onSuccess: onClose })
      }
      onClose={onClose}
    >
      <Select
        label="New time"
        placeholder={slots.isPending ? 'Looking for open slots…' : 'Choose an open slot'}
        value={start}
        onChange={setStart}
        data={(slots.data ?? []).map((s) => ({
          value: s.start,
          label: `${dayTitle(dayKey(s.start, timeZone))} ${timeOf(s.start, timeZone)}`,
        }))}
      />
    </AppointmentDialog>
  );
}
