import type { CsvImportResult } from '@careloop/core';
import { Group, Paper, Text } from '@mantine/core';

/** The import's counts as tiles; in a dry run, what would happen. */
export function Counts({ result }: { result: CsvImportResult }) {
  const c = result.counts;
  const tiles: [string, number, string][] = result.dryRun
    ? [
        ['Will create', c.created, 'teal'],
        ['Will update', c.updated, 'blue'],
        ['Unchanged', c.unchanged, 'gray'],
        ['Possible duplicates', c.review, 'orange'],
        ['Errors', c.rejected, 'red'],
      ]
    : [
        ['Created', c.created, 'teal'],
        ['Updated', c.updated, 'blue'],
        ['Unchanged', c.unchanged, 'gray'],
        ['To review', c.review, 'orange'],
        ['Rejected', c.rejected, 'red'],
      ];
  return (
    <Group gap="sm" data-testid="import-counts">
      {tiles.map(([label, n, color]) => (
        <Paper
          key={label}
          withBorder
          p="sm"
          miw={120}
          data-testid={`count-${label.toLowerCase().replace(/ /g, '-')}`}
        >
          <Text size="xl" fw={700} c={n > 0 ? `${color}.7` : 'dimmed'}>
            {n.toLocaleString()}
          </Text>
          <Text size="xs" c="dimmed">
            {label}
          </Text>
        </Paper>
      ))}
    </Group>
  );
}
