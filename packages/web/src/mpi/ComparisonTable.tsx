import type { ReviewItem, ReviewPerson } from '@careloop/core';
import { Anchor, Badge, Group, Stack, Table, Text, Tooltip } from '@mantine/core';
import { Link } from 'react-router';
import {
  type ComparisonRow,
  comparisonRows,
  formatWeight,
  LEVEL_COLORS,
  LEVEL_LABELS,
  MATCH_FIELD_LABELS,
} from './comparison';
import { SOURCE_KIND_LABELS } from './labels';

function Values({ values }: { values: string[] }) {
  if (values.length === 0) {
    return (
      <Text size="sm" c="dimmed">
        —
      </Text>
    );
  }
  return (
    <Stack gap={0}>
      {values.map((v) => (
        <Text key={v} size="sm">
          {v}
        </Text>
      ))}
    </Stack>
  );
}

function Agreement({ row }: { row: ComparisonRow }) {
  // The address row shows each compared part; other rows have one field.
  const several = row.fields.length > 1;
  return (
    <Group gap={4}>
      {row.fields.map((f) => (
        <Badge key={f.field} variant="light" color={LEVEL_COLORS[f.level]}>
          {several ? `${MATCH_FIELD_LABELS[f.field] ?? f.field}: ` : ''}
          {LEVEL_LABELS[f.level]}
        </Badge>
      ))}
    </Group>
  );
}

function PersonHeading({ person, label }: { person: ReviewPerson; label: string }) {
  return (
    <Stack gap={0}>
      <Text size="xs" c="dimmed" tt="uppercase" fw={600}>
        {label}
      </Text>
      <Anchor component={Link} to={`/patients/${person.patientId}`} size="sm" fw={600}>
        {person.givenName} {person.familyName}
      </Anchor>
      {person.status !== 'active' ? (
        <Text size="xs" c="dimmed">
          Status: {person.status}
        </Text>
      ) : null}
    </Stack>
  );
}

function SourcesCell({ person }: { person: ReviewPerson }) {
  if (person.sources.length === 0) {
    return (
      <Text size="sm" c="dimmed">
        None recorded
      </Text>
    );
  }
  return (
    <Stack gap={2}>
      {person.sources.map((s) => (
        <Text key={`${s.system}|${s.sourceId}`} size="sm">
          <Badge size="xs" variant="outline" mr={6}>
            {SOURCE_KIND_LABELS[s.kind]}
          </Badge>
          {s.system}{' '}
          <Text span size="xs" c="dimmed" ff="monospace">
            {s.sourceId}
          </Text>
        </Text>
      ))}
    </Stack>
  );
}

/**
 * The two records side by side, one row per compared field, each row tinted by how far the
 * records agree and labelled in words (colour is never the only signal).
 */
export function ComparisonTable({ item }: { item: ReviewItem }) {
  const rows = comparisonRows(item);
  return (
    <Table.ScrollContainer minWidth={760}>
      <Table verticalSpacing="xs" withTableBorder aria-label="Side-by-side comparison">
        <Table.Thead>
          <Table.Tr>
            <Table.Th w={130}>Field</Table.Th>
            <Table.Th>
              <PersonHeading person={item.incoming} label="Incoming record" />
            </Table.Th>
            <Table.Th>
              <PersonHeading person={item.candidate} label="Existing record" />
            </Table.Th>
            <Table.Th>Agreement</Table.Th>
            <Table.Th ta="right">
              <Tooltip
                label="How much this field adds to (or takes from) the match score"
                withArrow
              >
                <span>Weight</span>
              </Tooltip>
            </Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {rows.map((row) => (
            <Table.Tr
              key={row.key}
              data-testid="comparison-row"
              data-level={row.level}
              bg={
                row.level === 'missing'
                  ? undefined
                  : `var(--mantine-color-${LEVEL_COLORS[row.level]}-light)`
              }
            >
              <Table.Th scope="row" fw={500}>
                {row.label}
              </Table.Th>
              <Table.Td>
                <Values values={row.incoming} />
              </Table.Td>
              <Table.Td>
                <Values values={row.candidate} />
              </Table.Td>
              <Table.Td>
                <Agreement row={row} />
              </Table.Td>
              <Table.Td ta="right" ff="monospace">
                {formatWeight(row.weight)}
              </Table.Td>
            </Table.Tr>
          ))}
          <Table.Tr>
            <Table.Th scope="row" fw={500}>
              Sources
            </Table.Th>
            <Table.Td>
              <SourcesCell person={item.incoming} />
            </Table.Td>
            <Table.Td>
              <SourcesCell person={item.candidate} />
            </Table.Td>
            <Table.Td />
            <Table.Td />
          </Table.Tr>
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}
