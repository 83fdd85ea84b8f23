import { type KpiFilters, type KpiGrain, type KpiTile, parseKpiFilters } from '@careloop/core';
import {
  Alert,
  Badge,
  Button,
  Card,
  Drawer,
  Group,
  Paper,
  Select,
  SimpleGrid,
  Stack,
  Text,
  TextInput,
  Title,
  Tooltip,
} from '@mantine/core';
import { IconDownload, IconInfoCircle } from '@tabler/icons-react';
import { type KeyboardEvent, useRef, useState } from 'react';
import { useSearchParams } from 'react-router';
import { ErrorMessage, LoadingRows } from '../ui/states';
import { kpiCsvUrl, useKpiDimensions, useKpiReport } from './api';
import { downloadPng, downloadSvg } from './exports';
import { changeTone, formatChange, formatKpi } from './format';
import { Sparkline, TrendChart } from './TrendChart';

const today = () => new Date().toLocaleDateString('en-CA');

/** Filters from the URL, checked like any input; an invalid link falls back to the defaults. */
function useUrlFilters() {
  const [params, setParams] = useSearchParams();
  const parsed = parseKpiFilters(Object.fromEntries(params), today());
  const fallback = parseKpiFilters({}, today());
  const filters: KpiFilters = parsed.ok
    ? parsed.filters
    : fallback.ok
      ? fallback.filters
      : (() => {
          throw new Error('default KPI filters are invalid');
        })();
  const set = (change: Partial<KpiFilters>) => {
    const next = { ...filters, ...change };
    const search = new URLSearchParams();
    for (const [key, value] of Object.entries(next)) if (value) search.set(key, String(value));
    setParams(search);
  };
  return { filters, set, problem: parsed.ok ? null : parsed };
}

function Change({ tile }: { tile: KpiTile }) {
  const text = formatChange(tile);
  if (!text)
    return (
      <Text size="xs" c="dimmed">
        No comparison
      </Text>
    );
  const tone = changeTone(tile);
  return (
    <Text size="xs" c={tone === 'good' ? 'teal.9' : tone === 'bad' ? 'red.9' : 'dimmed'}>
      {text} vs previous period
    </Text>
  );
}

function Tile({
  tile,
  selected,
  onSelect,
}: {
  tile: KpiTile;
  selected: boolean;
  onSelect: () => void;
}) {
  const value = tile.current.suppressed
    ? 'Suppressed'
    : tile.availability === 'unavailable'
      ? 'Not available'
      : formatKpi(tile.unit, tile.current.value);
  return (
    <Card
      withBorder
      padding="sm"
      data-testid={`kpi-tile-${tile.id}`}
      style={{
        cursor: tile.trend.length ? 'pointer' : 'default',
        borderColor: selected ? 'var(--mantine-color-blue-6)' : undefined,
      }}
      onClick={tile.trend.length ? onSelect : undefined}
      {...(tile.trend.length
        ? {
            role: 'button',
            tabIndex: 0,
            'aria-pressed': selected,
            onKeyDown: (e: KeyboardEvent) => {
              if (e.key === 'Enter' || e.key === ' ') {
                e.preventDefault();
                onSelect();
              }
            },
          }
        : {})}
    >
      <Group justify="space-between" wrap="nowrap" gap={4}>
        <Text size="sm" fw={600}>
          {tile.label}
        </Text>
        <Tooltip label={tile.definition} multiline w={300} withArrow>
          <IconInfoCircle size={16} role="img" aria-label={`Definition of ${tile.label}`} />
        </Tooltip>
      </Group>
      <Text size="xl" fw={700} data-testid="kpi-value">
        {value}
      </Text>
      {tile.current.suppressed ? (
        <Text size="xs" c="dimmed">
          Fewer than the reporting threshold
        </Text>
      ) : tile.needs ? (
        <Text size="xs" c="dimmed">
          Needs {tile.needs}
        </Text>
      ) : (
        <Change tile={tile} />
      )}
      <Sparkline tile={tile} />
    </Card>
  );
}

/**
 * The KPI dashboard (docs/kpis.md): each KPI over the chosen period with its change against the
 * period before and its trend; filters live in the URL, so a link shows the same view.
 */
export function KpiDashboardPage() {
  const { filters, set, problem } = useUrlFilters();
  const report = useKpiReport(filters);
  const dimensions = useKpiDimensions();
  const [selected, setSelected] = useState('no-show-rate');
  const [definitions, setDefinitions] = useState(false);
  const chart = useRef<SVGSVGElement>(null);
  const tiles = report.data?.tiles ?? [];
  const chosen = tiles.find((t) => t.id === selected) ?? tiles[0];
  const fileName = `${chosen?.id ?? 'kpi'}-${filters.from}-${filters.to}`;
  return (
    <>
      <Group justify="space-between" mb="xs">
        <Title order={2}>KPI dashboard</Title>
        <Group gap="xs">
          <Button variant="default" size="xs" onClick={() => setDefinitions(true)}>
            Definitions
          </Button>
          <Button
            component="a"
            href={kpiCsvUrl(filters)}
            variant="default"
            size="xs"
            leftSection={<IconDownload size={14} />}
          >
            CSV
          </Button>
        </Group>
      </Group>
      {problem && (
        <Alert color="yellow" mb="sm" title="Some filters in this link are not valid">
          {problem.message}; showing the last 12 weeks instead.
        </Alert>
      )}
      <Paper withBorder p="sm" mb="md">
        <Group align="end" gap="sm">
          <TextInput
            type="date"
            label="From"
            value={filters.from}
            onChange={(e) => e.currentTarget.value && set({ from: e.currentTarget.value })}
          />
          <TextInput
            type="date"
            label="To"
            value={filters.to}
            onChange={(e) => e.currentTarget.value && set({ to: e.currentTarget.value })}
          />
          <Select
            label="Trend by"
            data={[
              { value: 'day', label: 'Day' },
              { value: 'week', label: 'Week' },
              { value: 'month', label: 'Month' },
            ]}
            value={filters.grain}
            onChange={(v) => v && set({ grain: v as KpiGrain })}
            allowDeselect={false}
            w={110}
          />
          <Select
            label="Location"
            placeholder="All"
            clearable
            data={dimensions.data?.locations ?? []}
            value={filters.location}
            onChange={(v) => set({ location: v })}
          />
          <Select
            label="Practitioner"
            placeholder="All"
            clearable
            searchable
            data={dimensions.data?.practitioners ?? []}
            value={filters.practitioner}
            onChange={(v) => set({ practitioner: v })}
          />
          <Select
            label="Service line"
            placeholder="All"
            clearable
            data={dimensions.data?.serviceLines ?? []}
            value={filters.serviceLine}
            onChange={(v) => set({ serviceLine: v })}
          />
        </Group>
      </Paper>
      {report.isError ? (
        <ErrorMessage error={report.error} onRetry={() => void report.refetch()} />
      ) : !report.data ? (
        <LoadingRows />
      ) : (
        <Stack>
          <Text size="xs" c="dimmed">
            {report.data.filters.from} to {report.data.filters.to}, compared with{' '}
            {report.data.previous.from} to {report.data.previous.to}.{' '}
            {report.data.refreshedAt
              ? `Figures as of ${new Date(report.data.refreshedAt).toLocaleString()}.`
              : 'The figures are being computed for the first time.'}
            {report.data.suppressionThreshold !== null &&
              ` Counts under ${report.data.suppressionThreshold} are suppressed for your role.`}
          </Text>
          <SimpleGrid cols={{ base: 1, sm: 2, md: 3, lg: 4 }} data-testid="kpi-tiles">
            {tiles.map((tile) => (
              <Tile
                key={tile.id}
                tile={tile}
                selected={tile.id === chosen?.id}
                onSelect={() => setSelected(tile.id)}
              />
            ))}
          </SimpleGrid>
          {chosen && chosen.trend.length > 0 && (
            <Paper withBorder p="sm">
              <Group justify="space-between" mb="xs">
                <Text fw={600}>
                  {chosen.label} by {filters.grain}
                </Text>
                <Group gap="xs">
                  <Button
                    size="xs"
                    variant="default"
                    onClick={() => chart.current && downloadSvg(chart.current, fileName)}
                  >
                    SVG
                  </Button>
                  <Button
                    size="xs"
                    variant="default"
                    onClick={() => chart.current && void downloadPng(chart.current, fileName)}
                  >
                    PNG
                  </Button>
                </Group>
              </Group>
              <TrendChart ref={chart} tile={chosen} grain={filters.grain} />
            </Paper>
          )}
        </Stack>
      )}
      <Drawer
        opened={definitions}
        onClose={() => setDefinitions(false)}
        title="KPI definitions"
        position="right"
        size="md"
      >
        <Stack gap="sm">
          {tiles.map((t) => (
            <div key={t.id}>
              <Group gap={6}>
                <Text fw={600} size="sm">
                  {t.label}
                </Text>
                {t.availability !== 'rollup' && (
                  <Badge size="xs" variant="light">
                    {t.availability === 'live' ? 'live' : 'not available'}
                  </Badge>
                )}
              </Group>
              <Text size="sm">{t.definition}</Text>
            </div>
          ))}
          <Text size="xs" c="dimmed">
            The same definitions, with how each count is taken, are in docs/kpis.md.
          </Text>
        </Stack>
      </Drawer>
    </>
  );
}
