import { Anchor } from '@mantine/core';
import { Link } from 'react-router';
import { readableName } from './labels';

/**
 * A link to another patient, named as the merge summary names it (`Given Family (YYYY-MM-DD)`).
 * It reads nothing: opening another patient's record is an audited read, made only when the
 * user follows the link.
 */
export function PatientRef({ id, name, tab }: { id: string; name: string; tab?: string }) {
  return (
    <Anchor component={Link} to={tab ? `/patients/${id}?tab=${tab}` : `/patients/${id}`} size="sm">
      {readableName(name)}
    </Anchor>
  );
}
