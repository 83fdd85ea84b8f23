import type { CsvImportResult, CsvRecord, RowOutcome } from '@careloop/core';
import { Anchor, Badge, ScrollArea, SegmentedControl, Stack, Table, Text } from '@mantine/core';
import { useState } from 'react';
import { Link } from 'react-router';

/** Rows shown at most; the counts above cover every row. */
const SHOWN_ROWS = 200;

const OUTCOME_BADGES: Record<
  RowOutcome['outcome'],
  { color: string; label: string; done: string }
> = {
  create: { color: 'teal', label: 'will create', done: 'created' },
  update: { color: 'blue', label: 'will update', done: 'updated' },
  unchanged: { color: 'gray', label: 'unchanged', done: 'unchanged' },
  review: { color: 'orange', label: 'possible duplicate', done: 'to review' },
  rejected: { color: 'red', label: 'error', done: 'rejected' },
};

function details(outcome: RowOutcome, type: CsvImportResult['type']) {
  if (outcome.outcome === 'rejected') return null;
  const what = type === 'patients' ? 'patient' : 'appointment';
  const link = (text: string) =>
    outcome.recordId && type === 'patients' ? (
      <Anchor component={Link} to={`/patients/${outcome.recordId}`} size="xs">
        {text}
      </Anchor>
    ) : (
      <Text size="xs">{text}</Text>
    );
  switch (outcome.outcome) {
    case 'create':
      return outcome.recordId ? link(`New ${what}`) : <Text size="xs">New {what}</Text>;
    case 'update':
      return link(`Existing ${what}`);
    case 'unchanged':
      return link(`Already up to date`);
    case 'review':
      return (
        <Text size="xs">
          Looks like {outcome.candidates.length} existing patient
          {outcome.candidates.length === 1 ? '' : 's'}: created and sent to review
        </Text>
      );
  }
}

/** Each row's outcome, with the file's cells and every error shown next to the cell it is about. */
export function OutcomeTable({
  result,
  rows,
  columns,
  done,
}: {
  result: CsvImportResult;
  rows: readonly CsvRecord[];
  columns: readonly { name: string; at: number }[];
  /** After the import: past-tense labels. */
  done: boolean;
}) {
  const attention = result.counts.rejected + result.counts.review;
  // Before the import the problems come first; after it, every row with its link.
  const [filter, setFilter] = useState<'attention' | 'all'>(
    !done && attention > 0 ? 'attention' : 'all',
  );
  const byLine = new Map(rows.map((r) => [r.line, r]));
  const listed = result.outcomes.filter(
    (o) => filter === 'all' || o.outcome === 'rejected' || o.outcome === 'review',
  );
  return (
    <Stack gap="xs">
      <SegmentedControl
        aria-label="Rows shown"
        size="xs"
        w="fit-content"
        value={filter}
        onChange={(v) => setFilter(v === 'all' ? 'all' : 'attention')}
        data={[
          { value: 'attention', label: `Needing attention (${attention})` },
          { value: 'all', label: 'All rows' },
        ]}
      />
      <ScrollArea>
        <Table withTableBorder fz="xs" verticalSpacing={4} aria-label="Row outcomes">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Line</Table.Th>
              <Table.Th miw={130}>Outcome</Table.Th>
              {columns.map((c) => (
                <Table.Th key={c.name}>{c.name}</Table.Th>
              ))}
              <Table.Th>Details</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {listed.slice(0, SHOWN_ROWS).map((o) => {
              const badge = OUTCOME_BADGES[o.outcome];
              const record = byLine.get(o.row);
              const unplaced = o.errors.filter((e) => !columns.some((c) => c.name === e.column));
              return (
                <Table.Tr key={o.row} data-testid="row-outcome" data-outcome={o.outcome}>
                  <Table.Td>{o.row}</Table.Td>
                  <Table.Td>
                    <Badge size="xs" color={badge.color} variant="light">
                      {done ? badge.done : badge.label}
                    </Badge>
                  </Table.Td>
                  {columns.map((c) => {
                    const errors = o.errors.filter((e) => e.column === c.name);
                    return (
                      <Table.Td key={c.name} bg={errors.length ? 'red.0' : undefined}>
                        <Text size="xs">{record?.cells[c.at] ?? ''}</Text>
                        {errors.map((e) => (
                          <Text key={e.message} size="xs" c="red.8" data-testid="cell-error">
                            {e.message}
                          </Text>
                        ))}
                      </Table.Td>
                    );
                  })}
                  <Table.Td>
                    {unplaced.map((e) => (
                      <Text key={e.message} size="xs" c="red.8" data-testid="row-error">
                        {e.message}
                      </Text>
                    ))}
                    {details(o, result.type)}
                  </Table.Td>
                </Table.Tr>
              );
            })}
          </Table.Tbody>
        </Table>
      </ScrollArea>
      {listed.length > SHOWN_ROWS || result.outcomesTruncated ? (
        <Text size="xs" c="dimmed">
          Showing the first {Math.min(SHOWN_ROWS, listed.length)} rows; the counts cover all{' '}
          {result.rows.toLocaleString()}. The command line (`careloop import csv --json`) lists
          every error.
        </Text>
      ) : null}
    </Stack>
  );
}

export { OUTCOME_BADGES };
