import { type AvailableSlot, type PortalAppointment, routes } from '@careloop/core';
import {
  Alert,
  Badge,
  Button,
  Card,
  Group,
  Modal,
  Stack,
  Text,
  Textarea,
  Title,
} from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { IconCalendarPlus, IconVideo } from '@tabler/icons-react';
import { useState } from 'react';
import { Link } from 'react-router';
import { urlOf } from '../api/client';
import { EmptyMessage, ErrorMessage, errorMessage, PageLoader } from '../ui/states';
import { formatVisitTime, usePortalText } from './i18n';
import { LanguageSwitch } from './LanguageSwitch';
// Issue 13 (h13r): pre-registration before a visit.
import { VisitPreRegistration } from './PreRegistrationStatus';
import { SlotPicker } from './SlotPicker';
import { useBookingOptions, usePortalAppointments, usePortalChange } from './scheduling-api';

/**
 * The patient's appointments (issue 13): upcoming and past, each with its calendar file and,
 * for a video visit, the join link; reschedule and cancel until the organization's late-cancel
 * window, after which the page says to call.
 */
export function AppointmentsPage() {
  const { t, language } = usePortalText();
  const list = usePortalAppointments();
  const options = useBookingOptions();
  const [cancelling, setCancelling] = useState<PortalAppointment | null>(null);
  const [moving, setMoving] = useState<PortalAppointment | null>(null);
  if (list.isPending) return <PageLoader label={t('myAppointments')} />;
  if (list.isError) {
    return (
      <ErrorMessage error={list.error} onRetry={() => list.refetch()} title={t('loadError')} />
    );
  }
  const zoneOf = (a: PortalAppointment) =>
    options.data?.locations.find((l) => l.id === a.locationId)?.timeZone ??
    Intl.DateTimeFormat().resolvedOptions().timeZone;
  const card = (a: PortalAppointment) => (
    <Card withBorder key={a.id} data-testid="portal-appointment">
      <Group justify="space-between" align="flex-start">
        <div>
          <Text fw={600}>{formatVisitTime(a.start, zoneOf(a), language)}</Text>
          <Text size="sm">{a.serviceName ?? ''}</Text>
          <Text size="sm" c="dimmed">
            {[a.practitionerName, a.telehealth ? t('videoVisit') : a.locationName]
              .filter(Boolean)
              .join(' · ')}
          </Text>
          {a.status === 'booked' || a.status === 'proposed' ? (
            <Text size="xs" c="dimmed" mt={4}>
              {a.changeableUntil
                ? t('changeUntil', {
                    when: formatVisitTime(a.changeableUntil, zoneOf(a), language),
                  })
                : t('tooLate', { hours: list.data.lateCancelHours })}
            </Text>
          ) : null}
        </div>
        <Group gap="xs">
          {/* Issue 13 (h13r): pre-registration before a visit. */}
          <VisitPreRegistration appointmentId={a.id} />
          <Badge variant="light">{t(`status_${a.status}`)}</Badge>
        </Group>
      </Group>
      <Group gap="xs" mt="sm">
        <Button
          component="a"
          href={urlOf(routes.portalScheduling.ics, { params: { id: a.id } })}
          download="appointment.ics"
          variant="default"
          size="compact-sm"
          leftSection={<IconCalendarPlus size={14} aria-hidden />}
        >
          {t('addToCalendar')}
        </Button>
        {a.joinLink && a.status === 'booked' ? (
          <Button
            component="a"
            href={a.joinLink}
            target="_blank"
            rel="noreferrer"
            size="compact-sm"
            leftSection={<IconVideo size={14} aria-hidden />}
          >
            {t('joinVideo')}
          </Button>
        ) : null}
        {a.changeableUntil ? (
          <>
            <Button size="compact-sm" variant="default" onClick={() => setMoving(a)}>
              {t('reschedule')}
            </Button>
            <Button
              size="compact-sm"
              variant="default"
              color="red"
              onClick={() => setCancelling(a)}
            >
              {t('cancel')}
            </Button>
          </>
        ) : null}
      </Group>
    </Card>
  );
  return (
    <Stack gap="lg" lang={language}>
      <Group justify="space-between">
        <Title order={1} size="h2">
          {t('myAppointments')}
        </Title>
        <Group gap="sm">
          <LanguageSwitch />
          <Button component={Link} to="/portal/book">
            {t('bookTitle')}
          </Button>
        </Group>
      </Group>
      <section aria-labelledby="portal-upcoming">
        <Title order={2} size="h3" id="portal-upcoming" mb="sm">
          {t('upcoming')}
        </Title>
        {list.data.upcoming.length === 0 ? (
          <EmptyMessage title={t('noUpcoming')} />
        ) : (
          <Stack gap="sm">{list.data.upcoming.map(card)}</Stack>
        )}
      </section>
      <section aria-labelledby="portal-past">
        <Title order={2} size="h3" id="portal-past" mb="sm">
          {t('past')}
        </Title>
        {list.data.past.length === 0 ? (
          <EmptyMessage title={t('noPast')} />
        ) : (
          <Stack gap="sm">{list.data.past.map(card)}</Stack>
        )}
      </section>
      <Button component={Link} to="/portal" variant="subtle" w="fit-content">
        {t('home')}
      </Button>
      {cancelling ? (
        <CancelDialog appointment={cancelling} onClose={() => setCancelling(null)} />
      ) : null}
      {moving ? (
        <RescheduleDialog
          appointment={moving}
          timeZone={zoneOf(moving)}
          names={new Map((options.data?.practitioners ?? []).map((p) => [p.id, p.name]))}
          onClose={() => setMoving(null)}
        />
      ) : null}
    </Stack>
  );
}

function CancelDialog({
  appointment,
  onClose,
}: {
  appointment: PortalAppointment;
  onClose: () => void;
}) {
  const { t } = usePortalText();
  const [reason, setReason] = useState('');
  const change = usePortalChange();
  const submit = () =>
    change.mutate(
      {
        id: appointment.id,
        body: { action: 'cancel', ...(reason.trim() ? { reason: reason.trim() } : {}) },
      },
      {
        onSuccess: () => {
          notifications.show({ color: 'teal', message: t('cancelled') });
          onClose();
        },
      },
    );
  return (
    <Modal opened onClose={onClose} title={t('cancelTitle')}>
      <Stack>
        <Textarea
          label={t('cancelReason')}
          value={reason}
          maxLength={500}
          onChange={(e) => setReason(e.currentTarget.value)}
          data-autofocus
        />
        {change.error ? (
          <Alert color="red" role="alert">
            {errorMessage(change.error)}
          </Alert>
        ) : null}
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            {t('keep')}
          </Button>
          <Button color="red" onClick={submit} loading={change.isPending}>
            {t('cancelIt')}
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}

function RescheduleDialog({
  appointment,
  timeZone,
  names,
  onClose,
}: {
  appointment: PortalAppointment;
  timeZone: string;
  names: Map<string, string>;
  onClose: () => void;
}) {
  const { t } = usePortalText();
  const [slot, setSlot] = useState<AvailableSlot | null>(null);
  const change = usePortalChange();
  const { serviceId, locationId } = appointment;
  const submit = () => {
    if (!slot) return;
    change.mutate(
      {
        id: appointment.id,
        body: { action: 'reschedule', start: slot.start, practitionerId: slot.practitionerId },
      },
      {
        onSuccess: () => {
          notifications.show({ color: 'teal', message: t('moved') });
          onClose();
        },
      },
    );
  };
  return (
    <Modal opened onClose={onClose} title={t('rescheduleTitle')} size="lg">
      <Stack>
        {serviceId && locationId ? (
          <SlotPicker
            serviceId={serviceId}
            locationId={locationId}
            practitionerId={appointment.practitionerId}
            timeZone={timeZone}
            practitionerNames={names}
            selected={slot}
            onSelect={setSlot}
          />
        ) : null}
        {change.error ? (
          <Alert color="red" role="alert">
            {errorMessage(change.error)}
          </Alert>
        ) : null}
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            {t('back')}
          </Button>
          <Button onClick={submit} disabled={!slot} loading={change.isPending}>
            {t('reschedule')}
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}
