import type { FieldSource, MergeSummary, PatientSources, SourceRecord } from '@careloop/core';
import { Badge, Button, Stack, Table, Text, Title } from '@mantine/core';
import type { ReactNode } from 'react';
import { useCan } from '../auth/session';
import { formatDate, formatDateTime } from '../ui/format';
import { languageLabel, SEX_LABELS } from '../ui/labels';
import { EmptyMessage, ErrorMessage, LoadingRows } from '../ui/states';
import { usePatientSources } from './api';
import { formatScore } from './comparison';
import {
  describeMoved,
  LINK_METHOD_LABELS,
  MERGE_ORIGIN_LABELS,
  otherParty,
  SOURCE_KIND_LABELS,
  SURVIVING_FIELD_LABELS,
  sortMerges,
} from './labels';
import { PatientRef } from './PatientRef';
import { UnmergeModal } from './UnmergeModal';
import { useDialog } from './use-dialog';

function fieldValue(f: FieldSource): string {
  if (f.value === null) return '—';
  switch (f.field) {
    case 'birthDate':
      return formatDate(f.value);
    case 'administrativeSex':
      return Object.entries(SEX_LABELS).find(([sex]) => sex === f.value)?.[1] ?? f.value;
    case 'preferredLanguage':
      return languageLabel(f.value);
    case 'deceasedAt':
      return formatDateTime(f.value);
    default:
      return f.value;
  }
}

function GoldenRecordTable({ fields }: { fields: FieldSource[] }) {
  return (
    <Table.ScrollContainer minWidth={720}>
      <Table striped verticalSpacing="xs" aria-label="Golden record fields">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Field</Table.Th>
            <Table.Th>Value</Table.Th>
            <Table.Th>From</Table.Th>
            <Table.Th>Rule</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {fields.map((f) => (
            <Table.Tr key={f.field} data-testid="golden-field">
              <Table.Th scope="row" fw={500}>
                {SURVIVING_FIELD_LABELS[f.field]}
              </Table.Th>
              <Table.Td>{fieldValue(f)}</Table.Td>
              <Table.Td>
                {f.kind ? (
                  <>
                    <Badge size="sm" variant="light" mr={6}>
                      {SOURCE_KIND_LABELS[f.kind]}
                    </Badge>
                    <Text span size="sm">
                      {f.system}
                    </Text>
                    <Text size="xs" c="dimmed">
                      {formatDateTime(f.receivedAt)}
                    </Text>
                  </>
                ) : (
                  <Text size="sm" c="dimmed">
                    No source gives one
                  </Text>
                )}
              </Table.Td>
              <Table.Td>
                <Text size="sm" c="dimmed">
                  {f.rule}
                </Text>
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}

function SourceRecordsTable({ sources }: { sources: SourceRecord[] }) {
  if (sources.length === 0) return <EmptyMessage title="No linked source records" />;
  return (
    <Table.ScrollContainer minWidth={720}>
      <Table striped verticalSpacing="xs" aria-label="Linked source records">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Kind</Table.Th>
            <Table.Th>System</Table.Th>
            <Table.Th>Source id</Table.Th>
            <Table.Th>Linked by</Table.Th>
            <Table.Th ta="right">Score</Table.Th>
            <Table.Th>Received</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {sources.map((s) => (
            <Table.Tr key={s.id} data-testid="source-record">
              <Table.Td>
                <Badge size="sm" variant="light">
                  {SOURCE_KIND_LABELS[s.kind]}
                </Badge>
              </Table.Td>
              <Table.Td>{s.system}</Table.Td>
              <Table.Td ff="monospace">{s.sourceId}</Table.Td>
              <Table.Td>{LINK_METHOD_LABELS[s.linkMethod]}</Table.Td>
              <Table.Td ta="right" ff="monospace">
                {s.linkScore === null ? '—' : formatScore(s.linkScore)}
              </Table.Td>
              <Table.Td style={{ whiteSpace: 'nowrap' }}>{formatDateTime(s.receivedAt)}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}

function MergeDescription({ merge, patientId }: { merge: MergeSummary; patientId: string }) {
  const other = otherParty(merge, patientId);
  return other.role === 'merged' ? (
    <Text size="sm">
      <PatientRef id={other.id} name={other.name} tab="sources" /> merged into this record
    </Text>
  ) : (
    <Text size="sm">
      This record merged into <PatientRef id={other.id} name={other.name} tab="sources" />
    </Text>
  );
}

function MergeHistory({
  merges,
  patientId,
  onUnmerge,
}: {
  merges: MergeSummary[];
  patientId: string;
  onUnmerge?: (merge: MergeSummary) => void;
}) {
  if (merges.length === 0) return <EmptyMessage title="No merges" />;
  return (
    <Table.ScrollContainer minWidth={860}>
      <Table verticalSpacing="xs" aria-label="Merge history">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>When</Table.Th>
            <Table.Th>What</Table.Th>
            <Table.Th>How</Table.Th>
            <Table.Th>Moved</Table.Th>
            <Table.Th>Status</Table.Th>
            {onUnmerge ? <Table.Th /> : null}
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {sortMerges(merges).map((m) => (
            <Table.Tr key={m.id} data-testid="merge-row">
              <Table.Td style={{ whiteSpace: 'nowrap' }}>{formatDateTime(m.mergedAt)}</Table.Td>
              <Table.Td>
                <MergeDescription merge={m} patientId={patientId} />
                {m.reason ? (
                  <Text size="xs" c="dimmed">
                    Reason: {m.reason}
                  </Text>
                ) : null}
              </Table.Td>
              <Table.Td>
                <Text size="sm">{MERGE_ORIGIN_LABELS[m.origin]}</Text>
                <Text size="xs" c="dimmed">
                  {m.mergedBy ?? 'Automatic'}
                </Text>
              </Table.Td>
              <Table.Td>
                <Text size="sm">{describeMoved(m.moved)}</Text>
              </Table.Td>
              <Table.Td style={{ whiteSpace: 'nowrap' }}>
                {m.unmergedAt ? (
                  <>
                    <Badge variant="light" color="gray">
                      Undone
                    </Badge>
                    <Text size="xs" c="dimmed">
                      {formatDateTime(m.unmergedAt)}
                      {m.unmergedBy ? ` by ${m.unmergedBy}` : ''}
                    </Text>
                  </>
                ) : (
                  <Badge variant="light" color="teal">
                    In force
                  </Badge>
                )}
              </Table.Td>
              {onUnmerge ? (
                <Table.Td>
                  {m.unmergedAt ? null : (
                    <Button
                      size="compact-sm"
                      variant="light"
                      color="orange"
                      onClick={() => onUnmerge(m)}
                    >
                      Unmerge
                    </Button>
                  )}
                </Table.Td>
              ) : null}
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}

function Section({ title, children }: { title: string; children: ReactNode }) {
  return (
    <Stack gap="xs">
      <Title order={2} size="h4">
        {title}
      </Title>
      {children}
    </Stack>
  );
}

function SourcesContent({ data }: { data: PatientSources }) {
  const canMerge = useCan('patient:merge');
  const unmerging = useDialog<MergeSummary>();
  return (
    <Stack gap="lg">
      <Section title="Golden record">
        <Text size="sm" c="dimmed">
          Each field's value is chosen from the linked source records by the rule shown.
        </Text>
        <GoldenRecordTable fields={data.fields} />
      </Section>
      <Section title={`Linked source records (${data.sources.length})`}>
        <SourceRecordsTable sources={data.sources} />
      </Section>
      <Section title="Merge history">
        <MergeHistory
          merges={data.merges}
          patientId={data.patientId}
          onUnmerge={canMerge ? unmerging.open : undefined}
        />
      </Section>
      {canMerge ? (
        <UnmergeModal
          merge={unmerging.subject}
          opened={unmerging.opened}
          session={unmerging.session}
          onClose={unmerging.close}
        />
      ) : null}
    </Stack>
  );
}

/** Where the golden record's fields came from, the source records behind it, and its merges. */
export function PatientSourcesTab({ patientId }: { patientId: string }) {
  const sources = usePatientSources(patientId);
  if (sources.isPending) return <LoadingRows label="Loading sources" />;
  if (sources.isError) {
    return (
      <ErrorMessage
        error={sources.error}
        onRetry={() => sources.refetch()}
        title="Could not load the sources"
      />
    );
  }
  return <SourcesContent data={sources.data} />;
}
