import type { WaitlistAvailability } from '@careloop/core';
import { Checkbox, Group, Stack, Text, TextInput } from '@mantine/core';

const DAYS = [
  { weekday: 1, label: 'Monday' },
  { weekday: 2, label: 'Tuesday' },
  { weekday: 3, label: 'Wednesday' },
  { weekday: 4, label: 'Thursday' },
  { weekday: 5, label: 'Friday' },
  { weekday: 6, label: 'Saturday' },
  { weekday: 0, label: 'Sunday' },
] as const;

export const DAY_NAMES = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

/** The weekdays and one time range a patient can come, as the form edits it. */
export interface AvailabilityDraft {
  weekdays: number[];
  from: string;
  to: string;
}

export const EMPTY_AVAILABILITY: AvailabilityDraft = { weekdays: [], from: '08:00', to: '17:00' };

/** The draft as the API takes it: no weekday chosen means any time. */
export function availabilityOf(draft: AvailabilityDraft): WaitlistAvailability {
  return {
    weekly: draft.weekdays.map((weekday) => ({ weekday, start: draft.from, end: draft.to })),
    dates: [],
  };
}

/** "Tue, Thu 08:00–12:00", "Any time", or "Not said yet". */
export function describeAvailability(a: WaitlistAvailability | null): string {
  if (!a) return 'Not said yet';
  if (a.weekly.length === 0 && a.dates.length === 0) return 'Any time';
  const byRange = new Map<string, number[]>();
  for (const w of a.weekly) {
    const key = `${w.start}–${w.end}`;
    byRange.set(key, [...(byRange.get(key) ?? []), w.weekday]);
  }
  const weekly = [...byRange].map(
    ([range, days]) => `${days.map((d) => DAY_NAMES[d] ?? d).join(', ')} ${range}`,
  );
  return [...weekly, ...a.dates].join('; ');
}

/** Weekday checkboxes and a time range, in the clinic's time. */
export function AvailabilityInput({
  value,
  onChange,
  label = 'When can the patient come?',
}: {
  value: AvailabilityDraft;
  onChange: (next: AvailabilityDraft) => void;
  label?: string;
}) {
  return (
    <Stack gap="xs">
      <Checkbox.Group
        label={label}
        description="No day chosen: any day"
        value={value.weekdays.map(String)}
        onChange={(days) => onChange({ ...value, weekdays: days.map(Number) })}
      >
        <Group gap="sm" mt={4}>
          {DAYS.map((d) => (
            <Checkbox key={d.weekday} value={String(d.weekday)} label={d.label} />
          ))}
        </Group>
      </Checkbox.Group>
      <Group grow>
        <TextInput
          label="From"
          type="time"
          value={value.from}
          onChange={(e) => onChange({ ...value, from: e.currentTarget.value })}
        />
        <TextInput
          label="Until"
          type="time"
          value={value.to}
          onChange={(e) => onChange({ ...value, to: e.currentTarget.value })}
        />
      </Group>
      <Text size="xs" c="dimmed">
        Times are the clinic’s local time.
      </Text>
    </Stack>
  );
}
