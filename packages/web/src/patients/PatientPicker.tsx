import { routes } from '@careloop/core';
import { Loader, Select } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { api } from '../api/client';
import { formatDate } from '../ui/format';
import { patientDisplayName } from './patient-columns';

/** Choose a patient by searching the server (name, birth date, phone, email, MRN). */
export function PatientPicker({
  label,
  value,
  onChange,
  error,
  description,
}: {
  label: string;
  value: string | null;
  onChange: (id: string | null) => void;
  error?: string;
  description?: string;
}) {
  const [search, setSearch] = useState('');
  const [q] = useDebouncedValue(search.trim(), 300);
  const results = useQuery({
    queryKey: ['patients', 'picker', q],
    queryFn: () => api.call(routes.patients.list, { query: { q, limit: 10 } }),
    enabled: q.length >= 2,
  });
  const [chosen, setChosen] = useState<{ value: string; label: string } | null>(null);
  const options = (results.data?.items ?? []).map((p) => ({
    value: p.id,
    label: `${patientDisplayName(p)} · ${formatDate(p.birthDate)}`,
  }));
  // Keep the chosen patient as an option so the input still shows it after a new search.
  const data =
    chosen && !options.some((o) => o.value === chosen.value) ? [chosen, ...options] : options;

  return (
    <Select
      label={label}
      description={description}
      placeholder="Type at least 2 letters"
      searchable
      clearable
      data={data}
      value={value}
      searchValue={search}
      onSearchChange={setSearch}
      onChange={(id, option) => {
        setChosen(option ? { value: option.value, label: option.label } : null);
        onChange(id);
      }}
      filter={({ options: all }) => all}
      nothingFoundMessage={q.length >= 2 && !results.isFetching ? 'No patients match' : undefined}
      rightSection={results.isFetching ? <Loader size="xs" /> : undefined}
      error={error}
    />
  );
}
