import {
  AGE_BANDS,
  can,
  type JourneyMap,
  type JourneyMapFilters,
  journeyMapSearch,
  type PainPoint,
  parseJourneyMapFilters,
} from '@careloop/core';
import {
  Alert,
  Anchor,
  Badge,
  Button,
  Group,
  Paper,
  SegmentedControl,
  Select,
  SimpleGrid,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useRef, useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import { useCurrentUser } from '../auth/session';
import { usePatientLists } from '../lists/api';
import { useLocations } from '../patients/api';
import { usePractitioners } from '../patients/coverage-api';
import { dayjs } from '../ui/format';
import { ErrorMessage, LoadingRows } from '../ui/states';
import { useJourneyMap, useJourneyMapSettings } from './api';
import { DrillDownModal } from './DrillDownModal';
import { downloadCsv, downloadPng, downloadSvg } from './export';
import { FunnelChart } from './FunnelChart';
import { SankeyChart } from './SankeyChart';
import { useServiceLineOptions } from './service-lines';

const days = (v: number | null) => (v === null ? null : Math.round(v * 10) / 10);
const shown = (v: number | null) => (v === null ? 'suppressed' : String(v));

function defaultRange() {
  const to = dayjs().format('YYYY-MM-DD');
  return { from: dayjs().subtract(89, 'day').format('YYYY-MM-DD'), to };
}

/** The same length of time just before the range. */
function previousPeriod(f: JourneyMapFilters): JourneyMapFilters {
  const length = dayjs(f.to).diff(dayjs(f.from), 'day') + 1;
  return {
    ...f,
    from: dayjs(f.from).subtract(length, 'day').format('YYYY-MM-DD'),
    to: dayjs(f.from).subtract(1, 'day').format('YYYY-MM-DD'),
  };
}

function ChartExports({ name, svg }: { name: string; svg: React.RefObject<SVGSVGElement | null> }) {
  return (
    <Group gap="xs">
      <Button
        size="compact-xs"
        variant="subtle"
        onClick={() => svg.current && downloadSvg(name, svg.current)}
      >
        SVG
      </Button>
      <Button
        size="compact-xs"
        variant="subtle"
        onClick={() =>
          svg.current &&
          void downloadPng(name, svg.current).catch((error: unknown) =>
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
  );
}

function CsvButton(props: { name: string; header: string[]; rows: (string | number | null)[][] }) {
  return (
    <Button
      size="compact-xs"
      variant="subtle"
      onClick={() => downloadCsv(props.name, props.header, props.rows)}
    >
      CSV
    </Button>
  );
}

function MapView({
  map,
  filters,
  caption,
}: {
  map: JourneyMap;
  filters: JourneyMapFilters;
  caption: string;
}) {
  const sankey = useRef<SVGSVGElement>(null);
  const funnel = useRef<SVGSVGElement>(null);
  const [drill, setDrill] = useState<PainPoint | null>(null);
  const label = (stage: string) => map.stages.find((s) => s.key === stage)?.label ?? stage;
  const transitions = [...map.transitions].sort((a, b) => (b.patients ?? 0) - (a.patients ?? 0));
  const channels = [...new Set(map.channelMix.flatMap((r) => r.channels.map((c) => c.channel)))];
  return (
    <Stack gap="md">
      <Group gap="xs">
        <Text fw={600}>{caption}</Text>
        <Badge variant="light">{shown(map.patients)} patients</Badge>
        <Badge variant="light" color="gray">
          {shown(map.touchpoints)} touchpoints
        </Badge>
        {map.suppressed ? (
          <Badge variant="light" color="gray">
            Counts under {map.threshold} hidden
          </Badge>
        ) : null}
      </Group>
      <Paper withBorder p="sm">
        <Group justify="space-between">
          <Text fw={600}>Flows between stages</Text>
          <ChartExports name="journey-sankey" svg={sankey} />
        </Group>
        <SankeyChart
          ref={sankey}
          map={map}
          title={`Flows between stages, ${filters.from} to ${filters.to}`}
        />
      </Paper>
      {map.funnel ? (
        <Paper withBorder p="sm">
          <Group justify="space-between">
            <Text fw={600}>
              {map.funnel.name}: {shown(map.funnel.entered)} entered, {shown(map.funnel.completed)}{' '}
              completed, {shown(map.funnel.late)} late, {shown(map.funnel.dropped)} dropped
            </Text>
            <Group gap={0}>
              <ChartExports name="journey-funnel" svg={funnel} />
              <CsvButton
                name="journey-funnel"
                header={[
                  'step',
                  'reached',
                  'stopped here',
                  'drop-off rate',
                  'median days',
                  'p90 days',
                  'late',
                ]}
                rows={map.funnel.steps.map((s) => [
                  s.label,
                  s.reached,
                  s.stoppedHere,
                  s.dropOffRate,
                  days(s.medianDays),
                  days(s.p90Days),
                  s.late,
                ])}
              />
            </Group>
          </Group>
          <FunnelChart ref={funnel} funnel={map.funnel} title={`${map.funnel.name} funnel`} />
        </Paper>
      ) : null}
      <Paper withBorder p="sm">
        <Group justify="space-between">
          <Text fw={600}>Pain points</Text>
          <CsvButton
            name="journey-pain-points"
            header={['pain point', 'patients', 'measure', 'unit']}
            rows={map.painPoints.map((p) => [p.label, p.patients, p.measure, p.unit])}
          />
        </Group>
        <Table.ScrollContainer minWidth={560}>
          <Table striped aria-label="Pain points">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Pain point</Table.Th>
                <Table.Th>Patients</Table.Th>
                <Table.Th>Measure</Table.Th>
                <Table.Th />
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {map.painPoints.map((p) => (
                <Table.Tr key={`${p.kind}:${p.detail ?? ''}`}>
                  <Table.Td>{p.label}</Table.Td>
                  <Table.Td>{shown(p.patients)}</Table.Td>
                  <Table.Td>
                    {p.measure === null
                      ? '—'
                      : p.unit === 'rate'
                        ? `${Math.round(p.measure * 100)} %`
                        : p.unit === 'days'
                          ? `${days(p.measure)} days`
                          : p.measure}
                  </Table.Td>
                  <Table.Td>
                    {map.mayDrillDown && p.patients !== null ? (
                      <Button size="compact-xs" variant="light" onClick={() => setDrill(p)}>
                        Patients
                      </Button>
                    ) : null}
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      </Paper>
      <Paper withBorder p="sm">
        <Group justify="space-between">
          <Text fw={600}>Time between stages</Text>
          <CsvButton
            name="journey-waits"
            header={['from', 'to', 'patients', 'median days', 'p90 days']}
            rows={transitions.map((t) => [
              label(t.from),
              label(t.to),
              t.patients,
              days(t.medianDays),
              days(t.p90Days),
            ])}
          />
        </Group>
        <Table.ScrollContainer minWidth={560}>
          <Table striped aria-label="Time between stages">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>From</Table.Th>
                <Table.Th>To</Table.Th>
                <Table.Th>Patients</Table.Th>
                <Table.Th>Median days</Table.Th>
                <Table.Th>90th percentile</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {transitions.map((t) => (
                <Table.Tr key={`${t.from}>${t.to}`}>
                  <Table.Td>{label(t.from)}</Table.Td>
                  <Table.Td>{label(t.to)}</Table.Td>
                  <Table.Td>{shown(t.patients)}</Table.Td>
                  <Table.Td>{days(t.medianDays) ?? '—'}</Table.Td>
                  <Table.Td>{days(t.p90Days) ?? '—'}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      </Paper>
      <Paper withBorder p="sm">
        <Group justify="space-between">
          <Text fw={600}>Channel mix per stage (touchpoints)</Text>
          <CsvButton
            name="journey-channel-mix"
            header={['stage', 'total', ...channels]}
            rows={map.channelMix.map((r) => [
              label(r.stage),
              r.total,
              ...channels.map((c) => r.channels.find((x) => x.channel === c)?.count ?? 0),
            ])}
          />
        </Group>
        <Table.ScrollContainer minWidth={560}>
          <Table striped aria-label="Channel mix per stage">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Stage</Table.Th>
                <Table.Th>Total</Table.Th>
                {channels.map((c) => (
                  <Table.Th key={c}>{c}</Table.Th>
                ))}
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {map.channelMix.map((r) => (
                <Table.Tr key={r.stage}>
                  <Table.Td>{label(r.stage)}</Table.Td>
                  <Table.Td>{shown(r.total)}</Table.Td>
                  {channels.map((c) => {
                    const cell = r.channels.find((x) => x.channel === c);
                    return <Table.Td key={c}>{cell ? shown(cell.count) : 0}</Table.Td>;
                  })}
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      </Paper>
      <DrillDownModal filters={filters} point={drill} onClose={() => setDrill(null)} />
    </Stack>
  );
}

function MapPanel({ filters, caption }: { filters: JourneyMapFilters; caption: string }) {
  const map = useJourneyMap(filters);
  if (map.isPending) return <LoadingRows label="Loading the journey map" />;
  if (map.isError) return <ErrorMessage error={map.error} onRetry={() => void map.refetch()} />;
  return <MapView map={map.data} filters={filters} caption={caption} />;
}

type Compare = 'none' | 'previous' | 'location';

/** The aggregate journey map of a cohort, with its filters in the URL (shareable). */
export function JourneyMapPage() {
  const [params, setParams] = useSearchParams();
  const user = useCurrentUser();
  const clinical = can(user.role, 'clinical:read');
  const mayReadLists = can(user.role, 'list:read');
  const parsed = parseJourneyMapFilters(params, defaultRange());
  const filters: JourneyMapFilters = parsed.ok ? parsed.filters : defaultRange();
  const [draft, setDraft] = useState<JourneyMapFilters>(filters);
  const [compare, setCompare] = useState<Compare>('none');
  const [otherLocation, setOtherLocation] = useState<string | null>(null);
  const locations = useLocations();
  const practitioners = usePractitioners();
  const serviceLines = useServiceLineOptions();
  const settings = useJourneyMapSettings();
  const lists = usePatientLists({ enabled: mayReadLists });
  const set = (patch: Partial<JourneyMapFilters>) => setDraft((d) => ({ ...d, ...patch }));
  const apply = () => setParams(new URLSearchParams(journeyMapSearch(draft)));
  const locationOptions = (locations.data ?? []).map((l) => ({ value: l.id, label: l.name }));
  const other: JourneyMapFilters | null =
    compare === 'previous'
      ? previousPeriod(filters)
      : compare === 'location' && otherLocation
        ? { ...filters, locationId: otherLocation }
        : null;

  return (
    <Stack gap="md">
      <Group justify="space-between">
        <Title order={2}>Journey map</Title>
        <Group gap="xs">
          {can(user.role, 'journey-map:configure') ? (
            <Anchor component={Link} to="/journey-map/settings" size="sm">
              Stages and definitions
            </Anchor>
          ) : null}
          <Button
            size="xs"
            variant="default"
            onClick={() =>
              void navigator.clipboard
                ?.writeText(`${window.location.origin}/journey-map?${journeyMapSearch(filters)}`)
                .then(() => notifications.show({ message: 'Link copied' }))
            }
          >
            Copy link
          </Button>
        </Group>
      </Group>
      {parsed.ok ? null : (
        <Alert color="orange" role="alert">
          The link's filter "{parsed.field}" was not understood ({parsed.message}); the last 90 days
          are shown.
        </Alert>
      )}
      <Paper withBorder p="sm">
        <form
          onSubmit={(e) => {
            e.preventDefault();
            apply();
          }}
        >
          <Group align="end" gap="sm" wrap="wrap">
            <TextInput
              label="From"
              type="date"
              value={draft.from}
              onChange={(e) => set({ from: e.currentTarget.value })}
            />
            <TextInput
              label="To"
              type="date"
              value={draft.to}
              onChange={(e) => set({ to: e.currentTarget.value })}
            />
            <Select
              label="Location"
              clearable
              data={locationOptions}
              value={draft.locationId ?? null}
              onChange={(v) => set({ locationId: v ?? undefined })}
            />
            <Select
              label="Practitioner"
              clearable
              searchable
              data={(practitioners.data ?? []).map((p) => ({
                value: p.id,
                label: `${p.givenName} ${p.familyName}`,
              }))}
              value={draft.practitionerId ?? null}
              onChange={(v) => set({ practitionerId: v ?? undefined })}
            />
            <Select
              label="Service line"
              clearable
              data={serviceLines.data ?? []}
              value={draft.serviceLineId ?? null}
              onChange={(v) => set({ serviceLineId: v ?? undefined })}
            />
            <Select
              label="Age band"
              clearable
              data={[...AGE_BANDS]}
              value={draft.ageBand ?? null}
              onChange={(v) => set({ ageBand: AGE_BANDS.find((b) => b === v) })}
            />
            <TextInput
              label="Payer"
              value={draft.payer ?? ''}
              onChange={(e) => set({ payer: e.currentTarget.value || undefined })}
            />
            {clinical ? (
              <TextInput
                label="Condition code"
                value={draft.condition ?? ''}
                onChange={(e) => set({ condition: e.currentTarget.value || undefined })}
              />
            ) : null}
            {mayReadLists ? (
              <Select
                label="Saved list"
                clearable
                searchable
                data={(lists.data ?? []).map((l) => ({ value: l.id, label: l.name }))}
                value={draft.listId ?? null}
                onChange={(v) => set({ listId: v ?? undefined })}
              />
            ) : null}
            <Select
              label="Journey definition"
              data={(settings.data?.definitions ?? []).map((d) => ({
                value: d.key,
                label: d.name,
              }))}
              value={draft.definition ?? settings.data?.definitions[0]?.key ?? null}
              onChange={(v) => set({ definition: v ?? undefined })}
            />
            <Button type="submit">Apply</Button>
          </Group>
        </form>
        <Group mt="sm" gap="sm" align="end">
          <SegmentedControl
            aria-label="Compare with"
            value={compare}
            onChange={(v) => setCompare(v === 'previous' || v === 'location' ? v : 'none')}
            data={[
              { value: 'none', label: 'No comparison' },
              { value: 'previous', label: 'Previous period' },
              { value: 'location', label: 'Another location' },
            ]}
          />
          {compare === 'location' ? (
            <Select
              aria-label="Location to compare with"
              placeholder="Location to compare with"
              data={locationOptions}
              value={otherLocation}
              onChange={setOtherLocation}
            />
          ) : null}
        </Group>
      </Paper>
      {other ? (
        <SimpleGrid cols={{ base: 1, lg: 2 }}>
          <MapPanel filters={filters} caption={`${filters.from} to ${filters.to}`} />
          <MapPanel
            filters={other}
            caption={`${other.from} to ${other.to}${other.locationId !== filters.locationId ? ' (other location)' : ''}`}
          />
        </SimpleGrid>
      ) : (
        <MapPanel filters={filters} caption={`${filters.from} to ${filters.to}`} />
      )}
    </Stack>
  );
}
