import type { AvailableSlot } from '@careloop/core';
import { Button, Group, Stack, Text, Title } from '@mantine/core';
import { useState } from 'react';
import { EmptyMessage, ErrorMessage, LoadingRows } from '../ui/states';
import { formatVisitClock, formatVisitDay, usePortalText } from './i18n';
import { usePortalSlots } from './scheduling-api';

const DAY = 86_400_000;
const WINDOW_DAYS = 14;

/** The open times of a service in two-week pages, grouped by day in the clinic's zone. */
export function SlotPicker({
  serviceId,
  locationId,
  practitionerId,
  timeZone,
  practitionerNames,
  selected,
  onSelect,
}: {
  serviceId: string;
  locationId: string;
  practitionerId: string | null;
  timeZone: string;
  practitionerNames: Map<string, string>;
  selected: AvailableSlot | null;
  onSelect: (slot: AvailableSlot) => void;
}) {
  const { t, language } = usePortalText();
  const [page, setPage] = useState(0);
  // The start of this page, on the minute: the server searches from its own clock on.
  const [origin] = useState(() => Math.floor(Date.now() / 60_000) * 60_000);
  const from = new Date(origin + page * WINDOW_DAYS * DAY).toISOString();
  const to = new Date(origin + (page + 1) * WINDOW_DAYS * DAY).toISOString();
  const slots = usePortalSlots({
    service: serviceId,
    location: locationId,
    practitioner: practitionerId,
    from,
    to,
  });
  if (slots.isPending) return <LoadingRows label={t('loadingSlots')} />;
  if (slots.isError) {
    return (
      <ErrorMessage error={slots.error} onRetry={() => slots.refetch()} title={t('loadError')} />
    );
  }
  const days = new Map<string, AvailableSlot[]>();
  for (const s of slots.data) {
    const day = formatVisitDay(s.start, timeZone, language);
    days.set(day, [...(days.get(day) ?? []), s]);
  }
  const key = (s: AvailableSlot) => `${s.start}|${s.practitionerId}`;
  return (
    <Stack gap="md">
      {slots.data.length === 0 ? <EmptyMessage title={t('noSlots')} /> : null}
      {[...days].map(([day, list]) => (
        <section key={day} aria-label={day}>
          <Title order={3} size="h5" mb="xs">
            {day}
          </Title>
          <Group gap="xs">
            {list.map((s) => {
              const chosen = selected !== null && key(selected) === key(s);
              const who = practitionerId ? null : practitionerNames.get(s.practitionerId);
              return (
                <Button
                  key={key(s)}
                  size="compact-md"
                  variant={chosen ? 'filled' : 'default'}
                  aria-pressed={chosen}
                  data-testid="portal-slot"
                  onClick={() => onSelect(s)}
                >
                  {formatVisitClock(s.start, timeZone, language)}
                  {who ? (
                    <Text span size="xs" ml={6}>
                      {who}
                    </Text>
                  ) : null}
                </Button>
              );
            })}
          </Group>
        </section>
      ))}
      <Group justify="space-between">
        <Button variant="subtle" disabled={page === 0} onClick={() => setPage((p) => p - 1)}>
          {t('earlierTimes')}
        </Button>
        <Button variant="subtle" onClick={() => setPage((p) => p + 1)}>
          {t('laterTimes')}
        </Button>
      </Group>
    </Stack>
  );
}
