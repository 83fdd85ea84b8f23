import { Alert, Text } from '@mantine/core';
import { IconArrowMerge } from '@tabler/icons-react';
import { usePatientSources } from './api';
import { PatientRef } from './PatientRef';

/** On a record that was merged away: where the patient lives now. */
export function MergedBanner({ patientId }: { patientId: string }) {
  const sources = usePatientSources(patientId);
  const mergedInto = sources.data?.mergedInto ?? null;
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
        {mergedInto ? (
          <PatientRef id={mergedInto} />
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
