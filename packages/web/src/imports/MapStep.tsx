import {
  type ColumnMapping,
  checkMapping,
  FIELD_CATALOGS,
  IDENTIFIER_PREFIX,
  type MappingIssue,
} from '@careloop/core';
import { Alert, Group, List, Select, Table, Text, TextInput } from '@mantine/core';
import type { WizardState } from './wizard';

/** The mapping's problems; the Next button stays off while there are any. */
export function mappingIssues(state: WizardState): MappingIssue[] {
  if (!state.parsed || !state.reading) return [];
  return checkMapping(state.reading.type, state.parsed.table.columns, state.mapping);
}

/** Step 3: a field for each column, prefilled from the header names; sample values beside. */
export function MapStep({
  state,
  onChange,
}: {
  state: WizardState;
  onChange: (column: string, field: string | null) => void;
}) {
  const { parsed, reading } = state;
  if (!parsed || !reading) return null;
  const catalog = FIELD_CATALOGS[reading.type];
  const options = [
    ...catalog.map((f) => ({ value: f.key, label: `${f.label}${f.required ? ' *' : ''}` })),
    // Patients may carry identifiers of any system: the system is typed next to the field.
    ...(reading.type === 'patients'
      ? [{ value: IDENTIFIER_PREFIX, label: 'Other identifier…' }]
      : []),
  ];
  const fieldOf = (column: string) =>
    state.mapping.find((m: ColumnMapping) => m.column === column)?.field ?? null;
  const isIdentifier = (field: string | null) => field?.startsWith(IDENTIFIER_PREFIX) ?? false;
  const samples = (at: number) =>
    parsed.table.rows
      .map((r) => r.cells[at]?.trim() ?? '')
      .filter(Boolean)
      .slice(0, 3)
      .join(' · ');
  const issues = mappingIssues(state);
  return (
    <>
      {issues.length > 0 ? (
        <Alert color="orange" title="Finish the mapping" mb="md" data-testid="mapping-issues">
          <List size="sm">
            {issues.map((i) => (
              <List.Item key={`${i.column}-${i.field}-${i.message}`}>{i.message}</List.Item>
            ))}
          </List>
        </Alert>
      ) : null}
      <Table withTableBorder verticalSpacing="xs" aria-label="Column mapping">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Column in the file</Table.Th>
            <Table.Th>Sample values</Table.Th>
            <Table.Th w={420}>Careloop field</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {parsed.table.columns.map((column, at) => (
            <Table.Tr key={column}>
              <Table.Td fw={500}>{column}</Table.Td>
              <Table.Td>
                <Text size="xs" c="dimmed" lineClamp={1}>
                  {samples(at)}
                </Text>
              </Table.Td>
              <Table.Td>
                <Group gap={4} wrap="nowrap">
                  <Select
                    aria-label={`Field for ${column}`}
                    size="xs"
                    placeholder="Don’t import"
                    data={options}
                    value={isIdentifier(fieldOf(column)) ? IDENTIFIER_PREFIX : fieldOf(column)}
                    onChange={(value) => onChange(column, value)}
                    searchable
                    clearable
                  />
                  {isIdentifier(fieldOf(column)) ? (
                    <TextInput
                      aria-label={`Identifier system for ${column}`}
                      size="xs"
                      placeholder="System, e.g. urn:acme:mrn"
                      value={fieldOf(column)?.slice(IDENTIFIER_PREFIX.length) ?? ''}
                      onChange={(e) =>
                        onChange(column, `${IDENTIFIER_PREFIX}${e.currentTarget.value}`)
                      }
                    />
                  ) : null}
                </Group>
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      <Text size="xs" c="dimmed" mt="xs">
        * required. Several columns may feed Address line 1 (joined) or Phone and Email (each kept).
      </Text>
    </>
  );
}
