import { Alert, Anchor, Text } from '@mantine/core';
import { IconArrowMerge } from '@tabler/icons-react';
import { Link } from 'react-router';
import { usePatientSources } from './api';
import { PatientRef } from './PatientRef';

/** On a record that was merged away: where the patient lives now. */
export function MergedBanner({ patientId }: { patientId: string }) {
  const sources = usePatientSources(patientId);
  const mergedInto = sources.data?.mergedInto ?? null;
  // The merge in force names the survivor: no need to read that patient's record for its name.
  const name =
    sources.data?.merges.find(
      (m) => m.mergedId === patientId && m.survivorId === mergedInto && m.unmergedAt === null,
    )?.survivorName ?? null;
  return (
    <Alert
      color="orange"
      icon={<IconArrowMerge size={18} />}
      title="Merged record"
      mb="md"
      data-testid="merged-banner"
    >
      <Text size="sm">
        This record was merged into{' '}
        {mergedInto && name ? (
          <PatientRef id={mergedInto} name={name} />
        ) : mergedInto ? (
          <Anchor component={Link} to={`/patients/${mergedInto}`} size="sm">
            another record
          </Anchor>
        ) : sources.isError ? (
          'another record (could not load which one)'
        ) : (
          'another record'
        )}
        . Make changes there; this record is kept so that old links still work.
      </Text>
    </Alert>
  );
}
