import { Anchor } from '@mantine/core';
import { Link } from 'react-router';
import { usePatient360 } from '../patients/api';
import { formatDate } from '../ui/format';

/**
 * A link to another patient by name and birth date. Merge summaries carry only ids, so the
 * name is read from that patient's record (shared with its 360 page through the query cache).
 */
export function PatientRef({ id, tab }: { id: string; tab?: string }) {
  const patient = usePatient360(id);
  const p = patient.data?.patient;
  const label = p
    ? `${p.givenName} ${p.familyName} (born ${formatDate(p.birthDate)})`
    : patient.isError
      ? `another record (${id.slice(0, 8)})`
      : 'another record';
  return (
    <Anchor component={Link} to={tab ? `/patients/${id}?tab=${tab}` : `/patients/${id}`} size="sm">
      {label}
    </Anchor>
  );
}
