import type { AvailableSlot } from '@careloop/core';
import { Alert, Button, Group, Paper, Select, Stack, Text, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useMemo, useState } from 'react';
import { Link, useNavigate } from 'react-router';
import { isApiError, newIdempotencyKey } from '../api/client';
import { ErrorMessage, errorMessage, PageLoader } from '../ui/states';
import { formatVisitTime, usePortalText } from './i18n';
import { LanguageSwitch } from './LanguageSwitch';
import { SlotPicker } from './SlotPicker';
import { useBookingOptions, usePortalBook } from './scheduling-api';

const FIRST_AVAILABLE = 'first';

/**
 * Self-scheduling (issue 13): service → place → practitioner or "first available" → time →
 * confirm. Each confirmation gets one Idempotency-Key, sent again on a retry or a double
 * click, so the visit is booked once; a time taken meanwhile says so and the list refreshes.
 */
export function BookPage() {
  const { t, language } = usePortalText();
  const navigate = useNavigate();
  const options = useBookingOptions();
  const book = usePortalBook();
  const [serviceId, setServiceId] = useState<string | null>(null);
  const [locationId, setLocationId] = useState<string | null>(null);
  const [practitioner, setPractitioner] = useState<string>(FIRST_AVAILABLE);
  const [slot, setSlot] = useState<AvailableSlot | null>(null);
  // A new key for each slot chosen: the same confirmation retried keeps its key.
  const key = useMemo(() => (slot ? newIdempotencyKey() : ''), [slot]);

  if (options.isPending) return <PageLoader label={t('bookTitle')} />;
  if (options.isError) {
    return (
      <ErrorMessage
        error={options.error}
        onRetry={() => options.refetch()}
        title={t('loadError')}
      />
    );
  }
  const { services, locations, practitioners } = options.data;
  const service = services.find((s) => s.id === serviceId) ?? null;
  const places = locations.filter(
    (l) => !service || service.locationIds.length === 0 || service.locationIds.includes(l.id),
  );
  const people = practitioners.filter(
    (p) =>
      !service || service.practitionerIds.length === 0 || service.practitionerIds.includes(p.id),
  );
  const place = places.find((l) => l.id === locationId) ?? null;
  const names = new Map(practitioners.map((p) => [p.id, p.name]));
  const choose = (next: () => void) => {
    next();
    setSlot(null);
    book.reset();
  };
  const confirm = () => {
    if (!slot) return;
    book.mutate(
      {
        key,
        body: {
          serviceId: slot.serviceId,
          practitionerId: slot.practitionerId,
          locationId: slot.locationId,
          start: slot.start,
        },
      },
      {
        onSuccess: () => {
          notifications.show({ color: 'teal', message: t('booked') });
          navigate('/portal/appointments');
        },
      },
    );
  };
  const taken = isApiError(book.error) && book.error.problem.code === 'slot_taken';

  return (
    <Stack gap="lg" lang={language}>
      <Group justify="space-between">
        <Title order={1} size="h2">
          {t('bookTitle')}
        </Title>
        <LanguageSwitch />
      </Group>
      <Text c="dimmed">{t('bookIntro')}</Text>
      <Paper withBorder p="lg">
        <Stack>
          <Select
            label={t('service')}
            value={serviceId}
            onChange={(v) => choose(() => setServiceId(v))}
            data={services.map((s) => ({
              value: s.id,
              label: `${s.name} · ${t('minutes', { n: s.durationMinutes })} · ${
                s.modality === 'telehealth' ? t('videoVisit') : t('inPerson')
              }`,
            }))}
          />
          <Select
            label={t('location')}
            value={locationId}
            disabled={!service}
            onChange={(v) => choose(() => setLocationId(v))}
            data={places.map((l) => ({ value: l.id, label: l.name }))}
          />
          <Select
            label={t('practitioner')}
            value={practitioner}
            disabled={!service}
            allowDeselect={false}
            onChange={(v) => choose(() => setPractitioner(v ?? FIRST_AVAILABLE))}
            data={[
              { value: FIRST_AVAILABLE, label: t('firstAvailable') },
              ...people.map((p) => ({ value: p.id, label: p.name })),
            ]}
          />
        </Stack>
      </Paper>
      {service && place ? (
        <Paper withBorder p="lg" component="section" aria-labelledby="choose-time">
          <Title order={2} size="h4" id="choose-time" mb="sm">
            {t('chooseTime')}
          </Title>
          <SlotPicker
            serviceId={service.id}
            locationId={place.id}
            practitionerId={practitioner === FIRST_AVAILABLE ? null : practitioner}
            timeZone={place.timeZone}
            practitionerNames={names}
            selected={slot}
            onSelect={(s) => {
              setSlot(s);
              book.reset();
            }}
          />
        </Paper>
      ) : null}
      {slot && service && place ? (
        <Paper withBorder p="lg" component="section" aria-labelledby="confirm-visit">
          <Title order={2} size="h4" id="confirm-visit" mb="sm">
            {t('confirmTitle')}
          </Title>
          <Text fw={600} data-testid="portal-confirm-time">
            {formatVisitTime(slot.start, place.timeZone, language)}
          </Text>
          <Text size="sm">
            {service.name} · {names.get(slot.practitionerId) ?? ''} ·{' '}
            {service.modality === 'telehealth' ? t('videoVisit') : place.name}
          </Text>
          {book.error ? (
            <Alert color="red" mt="sm" role="alert">
              {taken ? t('slotTaken') : errorMessage(book.error)}
            </Alert>
          ) : null}
          <Group justify="flex-end" mt="md">
            <Button variant="default" onClick={() => setSlot(null)}>
              {t('back')}
            </Button>
            <Button onClick={confirm} loading={book.isPending} disabled={taken}>
              {t('confirm')}
            </Button>
          </Group>
        </Paper>
      ) : null}
      <Group>
        <Button component={Link} to="/portal/appointments" variant="subtle">
          {t('myAppointments')}
        </Button>
        <Button component={Link} to="/portal" variant="subtle">
          {t('home')}
        </Button>
      </Group>
    </Stack>
  );
}
