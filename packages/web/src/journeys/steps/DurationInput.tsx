import { Group, NumberInput, Select } from '@mantine/core';

const UNITS = { minutes: 1, hours: 60, days: 1440 } as const;
type Unit = keyof typeof UNITS;
const isUnit = (value: string | null): value is Unit => value !== null && value in UNITS;

/** The largest unit that divides the minutes: 1440 reads as 1 day. */
export function splitMinutes(minutes: number): { amount: number; unit: Unit } {
  if (minutes % UNITS.days === 0) return { amount: minutes / UNITS.days, unit: 'days' };
  if (minutes % UNITS.hours === 0) return { amount: minutes / UNITS.hours, unit: 'hours' };
  return { amount: minutes, unit: 'minutes' };
}

/** A duration in minutes, entered as an amount and a unit. */
export function DurationInput({
  label,
  minutes,
  onChange,
}: {
  label: string;
  minutes: number;
  onChange: (minutes: number) => void;
}) {
  const { amount, unit } = splitMinutes(minutes);
  return (
    <Group gap="xs" align="flex-end" wrap="nowrap">
      <NumberInput
        label={label}
        min={1}
        allowDecimal={false}
        value={amount}
        onChange={(value) => {
          const n = typeof value === 'number' ? value : Number.parseInt(value, 10);
          if (Number.isInteger(n) && n > 0) onChange(n * UNITS[unit]);
        }}
        style={{ flex: 1 }}
      />
      <Select
        label={`${label}: unit`}
        allowDeselect={false}
        data={Object.keys(UNITS)}
        value={unit}
        onChange={(value) => {
          if (isUnit(value)) onChange(amount * UNITS[value]);
        }}
        w={120}
      />
    </Group>
  );
}
