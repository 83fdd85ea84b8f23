import type { PatientSummary } from '@careloop/core';
import { Anchor, Button, Checkbox, Group, Popover, Stack } from '@mantine/core';
import { useLocalStorage } from '@mantine/hooks';
import { IconColumns } from '@tabler/icons-react';
import type { ReactNode } from 'react';
import { Link } from 'react-router';
import { RestrictedBadge } from '../restricted/RestrictedBadge';
import { ageInYears, formatDate, formatDateTime } from '../ui/format';
import { channelLabel, languageLabel, SEX_LABELS } from '../ui/labels';

export interface PatientColumn {
  id: string;
  header: string;
  cell: (patient: PatientSummary) => ReactNode;
}

export function patientDisplayName(
  p: Pick<PatientSummary, 'givenName' | 'familyName' | 'preferredName'>,
) {
  const preferred =
    p.preferredName && p.preferredName !== p.givenName ? ` (${p.preferredName})` : '';
  return `${p.familyName}, ${p.givenName}${preferred}`;
}

/** The name column is always shown: it is the link to the patient. */
export const NAME_COLUMN: PatientColumn = {
  id: 'name',
  header: 'Name',
  cell: (p) => (
    <Group gap="xs" wrap="nowrap">
      <Anchor component={Link} to={`/patients/${p.id}`} fw={500}>
        {patientDisplayName(p)}
      </Anchor>
      {p.restricted && <RestrictedBadge />}
    </Group>
  ),
};

export const OPTIONAL_COLUMNS: PatientColumn[] = [
  {
    id: 'birthDate',
    header: 'Birth date',
    cell: (p) => (p.birthDate ? `${formatDate(p.birthDate)} (${ageInYears(p.birthDate)})` : '—'),
  },
  {
    id: 'sex',
    header: 'Sex',
    cell: (p) => (p.administrativeSex ? SEX_LABELS[p.administrativeSex] : '—'),
  },
  { id: 'mrn', header: 'MRN', cell: (p) => p.mrn ?? '—' },
  { id: 'phone', header: 'Phone', cell: (p) => p.phone ?? '—' },
  { id: 'email', header: 'Email', cell: (p) => p.email ?? '—' },
  {
    id: 'language',
    header: 'Language',
    cell: (p) => (p.preferredLanguage ? languageLabel(p.preferredLanguage) : '—'),
  },
  { id: 'channel', header: 'Preferred channel', cell: (p) => channelLabel(p.preferredChannel) },
  { id: 'location', header: 'Location', cell: (p) => p.primaryLocation ?? '—' },
  { id: 'createdAt', header: 'Added', cell: (p) => formatDateTime(p.createdAt) },
];

const DEFAULT_COLUMNS = ['birthDate', 'sex', 'mrn', 'phone', 'location'];

/** Which optional columns the user chose, remembered in this browser. */
export function useVisibleColumns() {
  const [ids, setIds] = useLocalStorage<string[]>({
    key: 'careloop.patients.columns',
    defaultValue: DEFAULT_COLUMNS,
    getInitialValueInEffect: false,
  });
  const columns = [NAME_COLUMN, ...OPTIONAL_COLUMNS.filter((c) => ids.includes(c.id))];
  return { ids, setIds, columns };
}

export function ColumnChooser({
  ids,
  onChange,
}: {
  ids: string[];
  onChange: (ids: string[]) => void;
}) {
  return (
    <Popover position="bottom-end" shadow="md" withinPortal>
      <Popover.Target>
        <Button variant="default" leftSection={<IconColumns size={16} />}>
          Columns
        </Button>
      </Popover.Target>
      <Popover.Dropdown>
        <Checkbox.Group label="Show columns" value={ids} onChange={onChange}>
          <Stack gap="xs" mt="xs">
            {OPTIONAL_COLUMNS.map((column) => (
              <Checkbox key={column.id} value={column.id} label={column.header} />
            ))}
          </Stack>
        </Checkbox.Group>
      </Popover.Dropdown>
    </Popover>
  );
}
