import type { PatientJourney, PatientJourneyEvent } from '@careloop/core';
import { Badge, Group, Paper, SegmentedControl, Stack, Table, Text } from '@mantine/core';
import { useMemo, useState } from 'react';
import { formatDate, formatDateTime } from '../ui/format';
import { EmptyMessage, ErrorMessage, LoadingRows } from '../ui/states';
import { usePatientJourney } from './api';

const WIDTH = 960;
const LANE = 34;
const LEFT = 170;
const SENTIMENT_COLORS = { positive: '#2f9e44', neutral: '#f59f00', negative: '#e03131' } as const;
const STATE_COLORS: Record<string, string> = {
  done: 'green',
  late: 'orange',
  waiting: 'blue',
  overdue: 'orange',
  missed: 'red',
  'not-reached': 'gray',
};
const STATUS_COLORS: Record<string, string> = {
  completed: 'green',
  'on-track': 'blue',
  late: 'orange',
  dropped: 'red',
};

const days = (v: number | null) =>
  v === null ? '' : v < 1 ? `${Math.round(v * 24)} h` : `${Math.round(v * 10) / 10} d`;

/** Lanes by stage or by channel; a dot per touchpoint, a ring where the stage changed. */
function Swimlane({ journey, by }: { journey: PatientJourney; by: 'stage' | 'channel' }) {
  const lanes = useMemo(
    () =>
      by === 'stage'
        ? journey.stages
            .filter((s) => journey.events.some((e) => e.stage === s.key))
            .map((s) => ({ key: s.key, label: s.label }))
        : [...new Set(journey.events.map((e) => e.channel))].map((c) => ({ key: c, label: c })),
    [journey, by],
  );
  const times = journey.events.map((e) => Date.parse(e.occurredAt));
  const first = Math.min(...times);
  const last = Math.max(...times);
  const span = Math.max(1, last - first);
  const x = (e: PatientJourneyEvent) =>
    LEFT + ((Date.parse(e.occurredAt) - first) / span) * (WIDTH - LEFT - 20);
  const laneOf = (e: PatientJourneyEvent) =>
    lanes.findIndex((l) => l.key === (by === 'stage' ? e.stage : e.channel));
  const height = 30 + lanes.length * LANE + 20;
  return (
    <svg
      viewBox={`0 0 ${WIDTH} ${height}`}
      width="100%"
      role="img"
      aria-label={`Journey by ${by}`}
      data-testid="patient-swimlane"
    >
      {lanes.map((l, i) => (
        <g key={l.key}>
          <rect
            x={0}
            y={20 + i * LANE}
            width={WIDTH}
            height={LANE}
            fill={i % 2 ? '#f8f9fa' : '#fff'}
          />
          <text x={8} y={20 + i * LANE + LANE / 2} dy="0.35em" fontSize={12} fill="#212529">
            {l.label}
          </text>
        </g>
      ))}
      <text x={LEFT} y={14} fontSize={11} fill="#868e96">
        {formatDate(new Date(first).toISOString().slice(0, 10))}
      </text>
      <text x={WIDTH - 20} y={14} fontSize={11} fill="#868e96" textAnchor="end">
        {formatDate(new Date(last).toISOString().slice(0, 10))}
      </text>
      {journey.events.map((e) => {
        const cy = 20 + laneOf(e) * LANE + LANE / 2;
        return (
          <g key={e.id}>
            <circle
              cx={x(e)}
              cy={cy}
              r={e.stageChange ? 6 : 4}
              fill={e.sentiment ? SENTIMENT_COLORS[e.sentiment] : '#4263eb'}
              stroke={e.stageChange ? '#212529' : 'none'}
              strokeWidth={1.5}
              opacity={0.85}
            >
              <title>{`${formatDateTime(e.occurredAt)}: ${e.summary}${e.outcome ? ` (${e.outcome})` : ''}`}</title>
            </circle>
          </g>
        );
      })}
    </svg>
  );
}

/** The patient's journey: swimlane, stage changes with waits, and standing per definition. */
export function PatientJourneyTab({ patientId }: { patientId: string }) {
  const journey = usePatientJourney(patientId);
  const [by, setBy] = useState<'stage' | 'channel'>('stage');
  if (journey.isPending) return <LoadingRows label="Loading the journey" />;
  if (journey.isError)
    return <ErrorMessage error={journey.error} onRetry={() => void journey.refetch()} />;
  const j = journey.data;
  if (j.events.length === 0) return <EmptyMessage title="No touchpoints yet" />;
  const label = (stage: string) => j.stages.find((s) => s.key === stage)?.label ?? stage;
  const changes = j.events.flatMap((e, i) => {
    const previous = j.events[i - 1];
    return e.stageChange && previous ? [{ e, from: previous.stage }] : [];
  });
  const feedback = j.events.filter((e) => e.sentiment !== null);
  return (
    <Stack gap="md">
      {j.standings.map((s) => (
        <Paper key={s.definition} withBorder p="sm">
          <Group gap="xs" mb="xs">
            <Text fw={600}>{s.name}</Text>
            <Badge color={STATUS_COLORS[s.status] ?? 'gray'}>{s.status}</Badge>
          </Group>
          <Group gap="xs">
            {s.steps.map((step) => (
              <Badge
                key={step.key}
                variant="light"
                color={STATE_COLORS[step.state] ?? 'gray'}
                title={step.at ? formatDateTime(step.at) : undefined}
              >
                {step.label}: {step.state}
                {step.waitDays !== null ? ` (${days(step.waitDays)})` : ''}
              </Badge>
            ))}
          </Group>
        </Paper>
      ))}
      <Paper withBorder p="sm">
        <Group justify="space-between" mb="xs">
          <Text fw={600}>Swimlane{j.truncated ? ' (latest 2,000 touchpoints)' : ''}</Text>
          <SegmentedControl
            size="xs"
            aria-label="Lanes"
            value={by}
            onChange={(v) => setBy(v === 'channel' ? 'channel' : 'stage')}
            data={[
              { value: 'stage', label: 'By stage' },
              { value: 'channel', label: 'By channel' },
            ]}
          />
        </Group>
        <Swimlane journey={j} by={by} />
        {feedback.length > 0 ? (
          <Text size="xs" c="dimmed">
            Coloured dots are feedback: green promoter, amber passive, red detractor.
          </Text>
        ) : null}
      </Paper>
      <Paper withBorder p="sm">
        <Text fw={600} mb="xs">
          Stage changes and waits
        </Text>
        <Table.ScrollContainer minWidth={560}>
          <Table striped aria-label="Stage changes">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>When</Table.Th>
                <Table.Th>From</Table.Th>
                <Table.Th>To</Table.Th>
                <Table.Th>After</Table.Th>
                <Table.Th>What moved the patient</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {changes
                .slice(-50)
                .reverse()
                .map(({ e, from }) => (
                  <Table.Tr key={e.id}>
                    <Table.Td>{formatDateTime(e.occurredAt)}</Table.Td>
                    <Table.Td>{label(from)}</Table.Td>
                    <Table.Td>{label(e.stage)}</Table.Td>
                    <Table.Td>{days(e.waitDays)}</Table.Td>
                    <Table.Td>
                      {e.summary}
                      {e.outcome ? ` (${e.outcome})` : ''}
                    </Table.Td>
                  </Table.Tr>
                ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      </Paper>
    </Stack>
  );
}
