import type { Patient360 } from '@careloop/core';
import {
  Alert,
  Button,
  Group,
  Modal,
  Paper,
  SimpleGrid,
  Skeleton,
  Stack,
  Text,
} from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useState } from 'react';
import { usePatient360 } from '../patients/api';
import { medicalRecordNumber } from '../patients/PatientHeader';
import { PatientPicker } from '../patients/PatientPicker';
import { formatDate } from '../ui/format';
import { ErrorMessage } from '../ui/states';
import { useMergePatient } from './api';
import { DecisionError, ReasonField } from './DecisionFields';
import { MERGE_KEEPS_TEXT } from './labels';

/** Folds another patient (a known duplicate) into `record`, after showing both side by side. */
export function MergeDuplicateModal({
  record,
  opened,
  session,
  onClose,
}: {
  record: Patient360;
  opened: boolean;
  /** Changes on every opening, so each starts from the search step. */
  session: number;
  onClose: () => void;
}) {
  return (
    <Modal opened={opened} onClose={onClose} title="Merge a duplicate into this record" size="lg">
      <MergeDuplicateFlow key={session} record={record} onClose={onClose} />
    </Modal>
  );
}

/** What tells the two records apart, in words, for a warning before they become one. */
function differences(a: Patient360['patient'], b: Patient360['patient']): string[] {
  return [
    a.birthDate !== b.birthDate && 'birth dates',
    a.familyName.toLowerCase() !== b.familyName.toLowerCase() && 'family names',
    a.administrativeSex !== b.administrativeSex && 'sexes',
  ].filter((d): d is string => typeof d === 'string');
}

type Step = { kind: 'pick' } | { kind: 'confirm'; duplicateId: string };

function MergeDuplicateFlow({ record, onClose }: { record: Patient360; onClose: () => void }) {
  const [step, setStep] = useState<Step>({ kind: 'pick' });
  const [picked, setPicked] = useState<string | null>(null);
  const self = picked === record.patient.id;

  if (step.kind === 'confirm') {
    return (
      <ConfirmMerge
        record={record}
        duplicateId={step.duplicateId}
        onBack={() => {
          // The picker forgets its search when it unmounts: start the choice again.
          setPicked(null);
          setStep({ kind: 'pick' });
        }}
        onDone={onClose}
      />
    );
  }
  return (
    <Stack>
      <Text size="sm">
        Find the duplicate record of {record.patient.givenName} {record.patient.familyName}. Its
        history moves to this record, which survives.
      </Text>
      <PatientPicker
        label="Duplicate record"
        description="Search by name, birth date, phone, email or MRN"
        value={picked}
        onChange={setPicked}
        error={self ? 'This is the record you are on; choose its duplicate' : undefined}
      />
      <Group justify="flex-end">
        <Button variant="default" onClick={onClose}>
          Cancel
        </Button>
        <Button
          disabled={picked === null || self}
          onClick={() => picked && setStep({ kind: 'confirm', duplicateId: picked })}
        >
          Next
        </Button>
      </Group>
    </Stack>
  );
}

function PatientCard({ record, label }: { record: Patient360; label: string }) {
  const p = record.patient;
  return (
    <Paper withBorder p="sm" data-testid="merge-party">
      <Text size="xs" c="dimmed" tt="uppercase" fw={600}>
        {label}
      </Text>
      <Text fw={600}>
        {p.givenName} {p.middleName ? `${p.middleName} ` : ''}
        {p.familyName}
      </Text>
      <Text size="sm">Born {formatDate(p.birthDate)}</Text>
      <Text size="sm" c="dimmed">
        MRN {medicalRecordNumber(record) ?? '—'}
      </Text>
    </Paper>
  );
}

function ConfirmMerge({
  record,
  duplicateId,
  onBack,
  onDone,
}: {
  record: Patient360;
  duplicateId: string;
  onBack: () => void;
  onDone: () => void;
}) {
  const duplicate = usePatient360(duplicateId);
  const merge = useMergePatient(record.patient.id);
  const [reason, setReason] = useState('');

  if (duplicate.isPending) return <Skeleton height={160} />;
  if (duplicate.isError) {
    return (
      <ErrorMessage
        error={duplicate.error}
        onRetry={() => duplicate.refetch()}
        title="Could not load the duplicate"
      />
    );
  }
  const alreadyMerged = duplicate.data.patient.status === 'merged';
  const differing = differences(record.patient, duplicate.data.patient);
  const submit = () =>
    merge.mutate(
      { mergedId: duplicateId, ...(reason.trim() ? { reason: reason.trim() } : {}) },
      {
        onSuccess: () => {
          notifications.show({ color: 'teal', message: 'Records merged' });
          onDone();
        },
      },
    );

  return (
    <Stack>
      <SimpleGrid cols={{ base: 1, sm: 2 }}>
        <PatientCard record={record} label="Kept (this record)" />
        <PatientCard record={duplicate.data} label="Merged into it" />
      </SimpleGrid>
      {differing.length > 0 ? (
        <Alert color="orange" role="alert">
          The {differing.join(' and ')} differ; this record's are kept. Make sure these are the same
          person, not relatives.
        </Alert>
      ) : null}
      <Text size="sm" data-testid="merge-keeps">
        {MERGE_KEEPS_TEXT}
      </Text>
      {alreadyMerged ? (
        <Alert color="red" role="alert">
          That record was already merged into another one.
        </Alert>
      ) : null}
      <ReasonField value={reason} onChange={setReason} />
      <DecisionError error={merge.isError ? merge.error : null} />
      <Group justify="space-between">
        <Button variant="subtle" onClick={onBack}>
          Back
        </Button>
        <Button onClick={submit} loading={merge.isPending} disabled={alreadyMerged}>
          Merge records
        </Button>
      </Group>
    </Stack>
  );
}
