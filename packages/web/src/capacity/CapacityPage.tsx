import {
  type CapacityFigures,
  type CapacityQuery,
  type CapacityReport,
  capacityCsv,
  routes,
} from '@careloop/core';
import {
  Button,
  Group,
  Paper,
  Select,
  SimpleGrid,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useRef } from 'react';
import { useSearchParams } from 'react-router';
import { api } from '../api/client';
import { downloadCsvText, downloadPng, downloadSvg } from '../journey-map/export';
import { useKpiDimensions } from '../kpis/api';
import { ErrorMessage, LoadingRows } from '../ui/states';
import { CapacityChart } from './CapacityChart';

const FILTERS = ['from', 'to', 'location', 'practitioner', 'serviceLine'] as const;
const percent = (v: number | null) => (v === null ? '—' : `${Math.round(v * 1000) / 10} %`);
const count = (v: number | null, suppressed: boolean) =>
  v === null ? (suppressed ? 'suppressed' : '—') : String(v);

function useCapacity(query: CapacityQuery) {
  return useQuery({
    queryKey: ['capacity', query],
    queryFn: () => api.call(routes.capacity.report, { query }),
    placeholderData: keepPreviousData,
  });
}

function FigureCells({ f }: { f: CapacityFigures }) {
  return (
    <>
      <Table.Td>{f.availableHours}</Table.Td>
      <Table.Td>{f.bookedHours}</Table.Td>
      <Table.Td>{percent(f.utilization)}</Table.Td>
      <Table.Td>{count(f.appointments, f.suppressed)}</Table.Td>
      <Table.Td>{f.suppressed ? 'suppressed' : percent(f.noShowRate)}</Table.Td>
      <Table.Td>{f.suppressed ? 'suppressed' : percent(f.cancellationRate)}</Table.Td>
    </>
  );
}

const HEAD = ['Available h', 'Booked h', 'Utilization', 'Appointments', 'No-show', 'Cancelled'];

function Tables({ report }: { report: CapacityReport }) {
  const csv = capacityCsv(report);
  const name = `capacity-${report.filters.from}-${report.filters.to}`;
  const csvButton = (which: keyof typeof csv) => (
    <Button
      size="compact-xs"
      variant="subtle"
      onClick={() => downloadCsvText(`${name}-${which}`, csv[which])}
    >
      CSV
    </Button>
  );
  return (
    <>
      <Paper withBorder p="sm">
        <Group justify="space-between">
          <Title order={4}>By week and location</Title>
          {csvButton('weeks')}
        </Group>
        <Table data-testid="capacity-weeks">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Week</Table.Th>
              <Table.Th>Location</Table.Th>
              {HEAD.map((h) => (
                <Table.Th key={h}>{h}</Table.Th>
              ))}
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {report.weeks.map((w) => (
              <Table.Tr key={`${w.week}/${w.locationId}`}>
                <Table.Td>{w.week}</Table.Td>
                <Table.Td>{w.location}</Table.Td>
                <FigureCells f={w} />
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Paper>
      <Paper withBorder p="sm">
        <Group justify="space-between">
          <Title order={4}>By service line</Title>
          {csvButton('serviceLines')}
        </Group>
        <Text size="xs" c="dimmed">
          Hours are kept per practitioner and location; a service line's available hours are its
          practitioners' (filter by it to see them).
        </Text>
        <Table data-testid="capacity-service-lines">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Service line</Table.Th>
              {HEAD.map((h) => (
                <Table.Th key={h}>{h}</Table.Th>
              ))}
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {report.serviceLines.map((s) => (
              <Table.Tr key={s.serviceLineId ?? 'none'}>
                <Table.Td>{s.serviceLine}</Table.Td>
                <FigureCells f={s} />
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Paper>
      <Paper withBorder p="sm">
        <Group justify="space-between">
          <Title order={4}>Next available (third-next-available slot)</Title>
          {csvButton('leadTimes')}
        </Group>
        <Table data-testid="capacity-lead-times">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Service</Table.Th>
              <Table.Th>Days ahead</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {report.leadTimes.map((l) => (
              <Table.Tr key={l.serviceId}>
                <Table.Td>{l.service}</Table.Td>
                <Table.Td>
                  {l.thirdNextAvailableDays ?? `none within ${report.leadTimeHorizonDays} days`}
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Paper>
    </>
  );
}

/** Capacity and utilization (issue 13): booked against available hours, filters in the URL. */
export function CapacityPage() {
  const [params, setParams] = useSearchParams();
  const query: CapacityQuery = {};
  for (const key of FILTERS) {
    const value = params.get(key);
    if (value) query[key] = value;
  }
  const set = (key: (typeof FILTERS)[number], value: string | null) => {
    const next = new URLSearchParams(params);
    if (value) next.set(key, value);
    else next.delete(key);
    setParams(next);
  };
  const report = useCapacity(query);
  const dimensions = useKpiDimensions();
  const chart = useRef<SVGSVGElement>(null);
  const data = report.data;
  return (
    <Stack gap="md">
      <Title order={2}>Capacity</Title>
      <Paper withBorder p="sm">
        <Group align="end" gap="sm">
          <TextInput
            type="date"
            label="From"
            value={query.from ?? data?.filters.from ?? ''}
            onChange={(e) => set('from', e.currentTarget.value)}
          />
          <TextInput
            type="date"
            label="To"
            value={query.to ?? data?.filters.to ?? ''}
            onChange={(e) => set('to', e.currentTarget.value)}
          />
          <Select
            label="Location"
            placeholder="All"
            clearable
            data={dimensions.data?.locations ?? []}
            value={query.location ?? null}
            onChange={(v) => set('location', v)}
          />
          <Select
            label="Practitioner"
            placeholder="All"
            clearable
            searchable
            data={dimensions.data?.practitioners ?? []}
            value={query.practitioner ?? null}
            onChange={(v) => set('practitioner', v)}
          />
          <Select
            label="Service line"
            placeholder="All"
            clearable
            data={dimensions.data?.serviceLines ?? []}
            value={query.serviceLine ?? null}
            onChange={(v) => set('serviceLine', v)}
          />
        </Group>
      </Paper>
      {report.isError ? (
        <ErrorMessage error={report.error} onRetry={() => void report.refetch()} />
      ) : !data ? (
        <LoadingRows />
      ) : (
        <>
          <SimpleGrid cols={{ base: 2, md: 5 }} data-testid="capacity-totals">
            {[
              ['Available hours', String(data.totals.availableHours)],
              ['Booked hours', String(data.totals.bookedHours)],
              ['Utilization', percent(data.totals.utilization)],
              [
                'No-show rate',
                data.totals.suppressed ? 'suppressed' : percent(data.totals.noShowRate),
              ],
              [
                'Cancellation rate',
                data.totals.suppressed ? 'suppressed' : percent(data.totals.cancellationRate),
              ],
            ].map(([label, value]) => (
              <Paper key={label} withBorder p="sm">
                <Text size="xs" c="dimmed">
                  {label}
                </Text>
                <Text fw={600} size="lg">
                  {value}
                </Text>
              </Paper>
            ))}
          </SimpleGrid>
          {data.suppressionThreshold !== null ? (
            <Text size="xs" c="dimmed">
              Counts under {data.suppressionThreshold} and the rates made from them are suppressed
              for your role.
            </Text>
          ) : null}
          <Paper withBorder p="sm">
            <Group justify="space-between">
              <Title order={4}>Hours by week</Title>
              <Group gap="xs">
                <Button
                  size="compact-xs"
                  variant="subtle"
                  onClick={() => chart.current && downloadSvg('capacity-hours', chart.current)}
                >
                  SVG
                </Button>
                <Button
                  size="compact-xs"
                  variant="subtle"
                  onClick={() =>
                    chart.current &&
                    void downloadPng('capacity-hours', chart.current).catch((error: unknown) =>
                      notifications.show({
                        color: 'red',
                        message: error instanceof Error ? error.message : 'PNG failed',
                      }),
                    )
                  }
                >
                  PNG
                </Button>
              </Group>
            </Group>
            <CapacityChart ref={chart} report={data} />
          </Paper>
          <Tables report={data} />
        </>
      )}
    </Stack>
  );
}
