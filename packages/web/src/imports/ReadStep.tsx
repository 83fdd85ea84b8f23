import { DATE_ORDERS, type DateOrder, DELIMITERS, type Delimiter } from '@careloop/core';
import {
  Alert,
  Badge,
  Group,
  ScrollArea,
  SegmentedControl,
  Select,
  Stack,
  Table,
  Text,
} from '@mantine/core';
import type { Reading, WizardState } from './wizard';

const DELIMITER_LABELS: Record<Delimiter, string> = {
  ',': 'Comma ( , )',
  ';': 'Semicolon ( ; )',
  '\t': 'Tab',
  '|': 'Pipe ( | )',
};
const DATE_ORDER_LABELS: Record<DateOrder, string> = {
  mdy: 'Month first: 03/04/1980 is March 4',
  dmy: 'Day first: 03/04/1980 is 3 April',
};

const counted = (n: number, noun: string) => `${n.toLocaleString()} ${noun}${n === 1 ? '' : 's'}`;

/** Lines shown to pick the header from. */
const PREVIEW_LINES = 8;

/** Step 2: delimiter, header row and date order, with the file's first lines as read. */
export function ReadStep({
  state,
  onChange,
}: {
  state: WizardState;
  onChange: (reading: Partial<Reading>) => void;
}) {
  const { parsed, reading } = state;
  if (!reading) return null;
  const records = parsed
    ? [...parsed.records, ...parsed.table.rows.slice(0, PREVIEW_LINES)].slice(0, PREVIEW_LINES + 2)
    : [];
  const width = Math.max(0, ...records.map((r) => r.cells.length));
  return (
    <Stack gap="md">
      <Group align="flex-end" gap="md">
        <Select
          label="Delimiter"
          w={180}
          allowDeselect={false}
          value={reading.delimiter}
          data={DELIMITERS.map((d) => ({ value: d, label: DELIMITER_LABELS[d] }))}
          onChange={(value) => {
            const delimiter = DELIMITERS.find((d) => d === value);
            if (delimiter) onChange({ delimiter });
          }}
        />
        <Select
          label="Header row"
          w={200}
          allowDeselect={false}
          value={String(reading.headerLine)}
          data={records.slice(0, 10).map((r) => ({
            value: String(r.line),
            label: `Line ${r.line}: ${r.cells.filter(Boolean).slice(0, 2).join(', ').slice(0, 30)}`,
          }))}
          onChange={(value) => value && onChange({ headerLine: Number(value) })}
        />
        <div>
          <Text size="sm" fw={500} mb={4}>
            Dates like 03/04/1980
          </Text>
          <SegmentedControl
            aria-label="Date order"
            value={reading.dateOrder}
            onChange={(value) => onChange({ dateOrder: value === 'dmy' ? 'dmy' : 'mdy' })}
            data={DATE_ORDERS.map((o) => ({ value: o, label: DATE_ORDER_LABELS[o] }))}
          />
        </div>
      </Group>
      {state.readError ? (
        <Alert color="red" title="The file cannot be read this way">
          {state.readError}
        </Alert>
      ) : null}
      {parsed ? (
        <>
          <Text size="sm" c="dimmed" data-testid="read-summary">
            {counted(parsed.table.columns.length, 'column')},{' '}
            {counted(parsed.table.rows.length, 'data row')}
          </Text>
          <ScrollArea>
            <Table withTableBorder withColumnBorders fz="xs" aria-label="First lines of the file">
              <Table.Tbody>
                {records.map((r) => {
                  const isHeader = r.line === reading.headerLine;
                  return (
                    <Table.Tr
                      key={r.line}
                      bg={isHeader ? 'teal.0' : undefined}
                      c={r.line < reading.headerLine ? 'dimmed' : undefined}
                    >
                      <Table.Td>
                        {isHeader ? (
                          <Badge size="xs">header</Badge>
                        ) : (
                          <Text size="xs">{r.line}</Text>
                        )}
                      </Table.Td>
                      {Array.from({ length: width }, (_, i) => (
                        // biome-ignore lint/suspicious/noArrayIndexKey: cells are positional
                        <Table.Td key={i} fw={isHeader ? 600 : undefined}>
                          {r.cells[i] ?? ''}
                        </Table.Td>
                      ))}
                    </Table.Tr>
                  );
                })}
              </Table.Tbody>
            </Table>
          </ScrollArea>
        </>
      ) : null}
    </Stack>
  );
}
