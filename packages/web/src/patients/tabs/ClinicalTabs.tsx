import type { Condition } from '@careloop/core';
import { Badge, Table } from '@mantine/core';
import type { Encounter } from '../../api/contract';
import { formatDate, formatDateTime } from '../../ui/format';
import { EmptyMessage, HiddenForRole } from '../../ui/states';

/** Conditions are clinical detail: null when the role may not see them. */
export function ConditionsTab({ conditions }: { conditions: Condition[] | null }) {
  if (conditions === null) return <HiddenForRole what="Conditions" />;
  if (conditions.length === 0) return <EmptyMessage title="No conditions recorded" />;
  return (
    <Table.ScrollContainer minWidth={560}>
      <Table striped verticalSpacing="xs" aria-label="Conditions">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Condition</Table.Th>
            <Table.Th>Code</Table.Th>
            <Table.Th>Status</Table.Th>
            <Table.Th>Onset</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {conditions.map((c) => (
            <Table.Tr key={c.id}>
              <Table.Td>{c.display}</Table.Td>
              <Table.Td>
                {c.code}{' '}
                <span style={{ color: 'var(--mantine-color-dimmed)' }}>({c.codeSystem})</span>
              </Table.Td>
              <Table.Td>
                <Badge variant="light" color={c.clinicalStatus === 'active' ? 'orange' : 'gray'}>
                  {c.clinicalStatus}
                </Badge>
              </Table.Td>
              <Table.Td>{formatDate(c.onsetDate)}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}

export function EncountersTab({ encounters }: { encounters: Encounter[] | null }) {
  if (encounters === null) return <HiddenForRole what="Encounters" />;
  if (encounters.length === 0) return <EmptyMessage title="No encounters recorded" />;
  return (
    <Table.ScrollContainer minWidth={640}>
      <Table striped verticalSpacing="xs" aria-label="Encounters">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Start</Table.Th>
            <Table.Th>Type</Table.Th>
            <Table.Th>Class</Table.Th>
            <Table.Th>Practitioner</Table.Th>
            <Table.Th>Location</Table.Th>
            <Table.Th>Status</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {encounters.map((e) => (
            <Table.Tr key={e.id}>
              <Table.Td>{formatDateTime(e.startAt)}</Table.Td>
              <Table.Td>{e.type}</Table.Td>
              <Table.Td>{e.class}</Table.Td>
              <Table.Td>{e.practitioner ?? '—'}</Table.Td>
              <Table.Td>{e.location ?? '—'}</Table.Td>
              <Table.Td>
                <Badge variant="light" color="gray">
                  {e.status}
                </Badge>
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}
