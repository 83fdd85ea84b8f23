import {
  Button,
  Group,
  Modal,
  type ModalProps,
  Select,
  Stack,
  Text,
  TextInput,
} from '@mantine/core';
import { type ReactNode, useState } from 'react';
import { errorMessage } from '../ui/states';
import { usePatientSearch } from './api';

/**
 * The frame of the staff's appointment dialogs (book, cancel, move, add to the waitlist): the
 * fields, the server's refusal in words, and a way back beside the one action, which stays off
 * until the fields allow it and spins while the request runs.
 */
export function AppointmentDialog({
  title,
  size,
  children,
  error,
  back = 'Back',
  action,
  actionColor,
  ready,
  pending,
  onAction,
  onClose,
}: {
  title: string;
  size?: ModalProps['size'];
  children: ReactNode;
  /** The last request's failure, if any. */
  error: unknown;
  back?: string;
  action: string;
  actionColor?: string;
  ready: boolean;
  pending: boolean;
  onAction: () => void;
  onClose: () => void;
}) {
  return (
    <Modal opened onClose={onClose} title={title} size={size}>
      <Stack>
        {children}
        {error ? (
          <Text c="red" role="alert">
            {errorMessage(error)}
          </Text>
        ) : null}
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            {back}
          </Button>
          <Button color={actionColor} onClick={onAction} disabled={!ready} loading={pending}>
            {action}
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}

/** Finds a patient by name or MRN (two letters at least) and picks one of the matches. */
export function PatientPicker({
  patientId,
  onChange,
}: {
  patientId: string | null;
  onChange: (patientId: string | null) => void;
}) {
  const [q, setQ] = useState('');
  const found = usePatientSearch(q);
  return (
    <>
      <TextInput
        label="Find the patient"
        placeholder="Name or MRN"
        value={q}
        onChange={(e) => setQ(e.currentTarget.value)}
        data-autofocus
      />
      <Select
        label="Patient"
        placeholder={q.trim().length < 2 ? 'Type at least two letters above' : 'Choose'}
        value={patientId}
        onChange={onChange}
        data={(found.data ?? []).map((p) => ({
          value: p.id,
          label: `${p.givenName} ${p.familyName}${p.birthDate ? ` · ${p.birthDate}` : ''}`,
        }))}
      />
    </>
  );
}
