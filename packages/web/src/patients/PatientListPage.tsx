import {
  ADMINISTRATIVE_SEXES,
  type AdministrativeSex,
  describePatientTotal,
  PATIENT_SORTS,
} from '@careloop/core';
import { Button, Group, Loader, Paper, Select, Table, Text, TextInput, Title } from '@mantine/core';
import { useDebouncedValue, useDisclosure } from '@mantine/hooks';
import { IconPlus, IconSearch } from '@tabler/icons-react';
import { useEffect, useRef, useState } from 'react';
import { useNavigate, useSearchParams } from 'react-router';
import { useCan } from '../auth/session';
import { LoadMore } from '../ui/LoadMore';
import { languageOptions, optionsOf, SEX_LABELS } from '../ui/labels';
import { EmptyMessage, ErrorMessage, LoadingRows } from '../ui/states';
import { type PatientFilters, useLocations, usePatientList } from './api';
import { PatientFormModal } from './PatientFormModal';
import { ColumnChooser, useVisibleColumns } from './patient-columns';

type PatientSort = (typeof PATIENT_SORTS)[number];

const SORT_LABELS: Record<PatientSort, string> = {
  name: 'Name (A–Z)',
  '-name': 'Name (Z–A)',
  birthDate: 'Oldest first',
  '-birthDate': 'Youngest first',
  createdAt: 'Added (oldest first)',
  '-createdAt': 'Added (newest first)',
};

const isSex = (value: string | null): value is AdministrativeSex =>
  value !== null && (ADMINISTRATIVE_SEXES as readonly string[]).includes(value);
const isSort = (value: string | null): value is PatientSort =>
  value !== null && (PATIENT_SORTS as readonly string[]).includes(value);

/** Filters live in the URL so a search can be shared, reloaded and navigated back to. */
function useListFilters() {
  const [params, setParams] = useSearchParams();
  const sex = params.get('sex');
  const sort = params.get('sort');
  const filters: PatientFilters = {
    q: params.get('q') ?? undefined,
    sex: isSex(sex) ? sex : undefined,
    language: params.get('language') ?? undefined,
    locationId: params.get('locationId') ?? undefined,
    sort: isSort(sort) ? sort : 'name',
    limit: 25,
  };
  const setFilter = (name: string, value: string | null) =>
    setParams(
      (current) => {
        const next = new URLSearchParams(current);
        if (value) next.set(name, value);
        else next.delete(name);
        return next;
      },
      { replace: true },
    );
  return { filters, setFilter };
}

export function PatientListPage() {
  const { filters, setFilter } = useListFilters();
  const [search, setSearch] = useState(filters.q ?? '');
  const [debounced] = useDebouncedValue(search.trim(), 300);
  const list = usePatientList(filters);
  const locations = useLocations();
  const { ids, setIds, columns } = useVisibleColumns();
  const canCreate = useCan('patient:write');
  const [creating, createModal] = useDisclosure(false);
  const navigate = useNavigate();

  // Only the debounced text reaches the URL (and the server), not every keystroke. The URL
  // also changes on its own (back button, the Patients link): then the box follows it.
  const urlQuery = filters.q ?? '';
  const synced = useRef(urlQuery);
  useEffect(() => {
    if (debounced === synced.current) return;
    synced.current = debounced;
    setFilter('q', debounced || null);
  }, [debounced, setFilter]);
  useEffect(() => {
    if (urlQuery === synced.current) return;
    synced.current = urlQuery;
    setSearch(urlQuery);
  }, [urlQuery]);

  return (
    <>
      <Group justify="space-between" mb="md">
        <Title order={1} size="h2">
          Patients
        </Title>
        {canCreate ? (
          <Button leftSection={<IconPlus size={16} />} onClick={createModal.open}>
            New patient
          </Button>
        ) : null}
      </Group>

      <Paper withBorder p="sm" mb="md">
        <Group align="flex-end" gap="sm">
          <TextInput
            label="Search patients"
            placeholder="Name, birth date, phone, email or MRN"
            leftSection={<IconSearch size={16} />}
            rightSection={list.isFetching && !list.isFetchingNextPage ? <Loader size="xs" /> : null}
            value={search}
            onChange={(event) => setSearch(event.currentTarget.value)}
            // Wide enough for the whole placeholder; on a narrow screen it takes its own row.
            style={{ flex: '1 1 360px', minWidth: 'min(360px, 100%)' }}
            type="search"
          />
          <Select
            label="Sex"
            placeholder="Any"
            clearable
            data={optionsOf(ADMINISTRATIVE_SEXES, SEX_LABELS)}
            value={filters.sex ?? null}
            onChange={(value) => setFilter('sex', value)}
            w={130}
          />
          <Select
            label="Language"
            placeholder="Any"
            clearable
            searchable
            data={languageOptions(filters.language)}
            value={filters.language ?? null}
            onChange={(value) => setFilter('language', value)}
            w={160}
          />
          <Select
            label="Location"
            placeholder={locations.isError ? 'Unavailable' : 'Any'}
            clearable
            searchable
            data={(locations.data ?? []).map((l) => ({ value: l.id, label: l.name }))}
            value={filters.locationId ?? null}
            onChange={(value) => setFilter('locationId', value)}
            w={200}
          />
          <Select
            label="Sort by"
            data={optionsOf(PATIENT_SORTS, SORT_LABELS)}
            value={filters.sort ?? 'name'}
            onChange={(value) => setFilter('sort', value === 'name' ? null : value)}
            allowDeselect={false}
            w={190}
          />
          <ColumnChooser ids={ids} onChange={setIds} />
        </Group>
      </Paper>

      {list.isPending ? (
        <LoadingRows label="Loading patients" />
      ) : list.isError && list.items.length === 0 ? (
        <ErrorMessage
          error={list.error}
          onRetry={() => list.refetch()}
          title="Could not load patients"
        />
      ) : list.items.length === 0 ? (
        <EmptyMessage
          title="No patients match"
          description="Try a shorter search, another spelling, or clear the filters."
        />
      ) : (
        <>
          {list.firstPage?.fuzzy ? (
            <Text size="sm" mb="xs" data-testid="fuzzy-notice">
              No name begins with “{filters.q}”; these are the closest spellings.
            </Text>
          ) : null}
          <Table.ScrollContainer minWidth={700}>
            <Table
              striped
              highlightOnHover
              verticalSpacing="xs"
              aria-label="Patients"
              aria-busy={list.isFetching}
            >
              <Table.Thead>
                <Table.Tr>
                  {columns.map((column) => (
                    <Table.Th key={column.id}>{column.header}</Table.Th>
                  ))}
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody style={{ opacity: list.isPlaceholderData ? 0.6 : 1 }}>
                {list.items.map((patient) => (
                  <Table.Tr key={patient.id} data-testid="patient-row">
                    {columns.map((column) => (
                      <Table.Td key={column.id}>{column.cell(patient)}</Table.Td>
                    ))}
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
          {list.isFetchNextPageError ? (
            <ErrorMessage
              error={list.error}
              onRetry={() => list.fetchNextPage()}
              title="Could not load more"
            />
          ) : null}
          <Group justify="space-between" mt="xs">
            <Text size="sm" c="dimmed" data-testid="patient-total">
              {list.firstPage?.total
                ? `${describePatientTotal(list.firstPage.total)}${
                    list.items.length < list.firstPage.total.count
                      ? ` · showing ${list.items.length.toLocaleString('en-US')}`
                      : ''
                  }`
                : `Showing ${list.items.length} patient${list.items.length === 1 ? '' : 's'}`}
            </Text>
          </Group>
          <LoadMore
            hasNextPage={list.hasNextPage}
            isFetchingNextPage={list.isFetchingNextPage}
            fetchNextPage={list.fetchNextPage}
          />
        </>
      )}

      {canCreate ? (
        <PatientFormModal
          opened={creating}
          onClose={createModal.close}
          onSaved={(patient) => {
            createModal.close();
            navigate(`/patients/${patient.patient.id}`);
          }}
        />
      ) : null}
    </>
  );
}
