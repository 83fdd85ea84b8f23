import { BREAK_GLASS_REASON_MIN } from '@careloop/core';
import { Alert, Button, Group, Modal, Stack, Text, Textarea } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useState } from 'react';
import { formatDateTime } from '../ui/format';
import { errorMessage } from '../ui/states';
import { useBreakGlass } from './api';

/**
 * Breaking the glass on a restricted record: the user states why, and the record opens for a
 * limited time. The dialog says plainly that the access is logged and reviewed.
 */
export function BreakGlassModal({
  patientId,
  patientName,
  opened,
  onClose,
}: {
  patientId: string;
  patientName: string;
  opened: boolean;
  onClose: () => void;
}) {
  const breakGlass = useBreakGlass(patientId);
  const [reason, setReason] = useState('');
  const short = reason.trim().length < BREAK_GLASS_REASON_MIN;
  const submit = () =>
    breakGlass.mutate(reason, {
      onSuccess: (grant) => {
        notifications.show({
          color: 'orange',
          message: `Access granted until ${formatDateTime(grant.expiresAt)}; the privacy officer is told.`,
        });
        setReason('');
        onClose();
      },
    });
  return (
    <Modal opened={opened} onClose={onClose} title="Break the glass" size="lg">
      <Stack>
        <Text size="sm">
          The record of <b>{patientName}</b> is restricted to its care team. You may open it for an
          urgent need: your access is recorded with your reason, the privacy officer reviews it, and
          it ends on its own after a short time.
        </Text>
        <Textarea
          label="Reason"
          description={`Why you need this record now (at least ${BREAK_GLASS_REASON_MIN} characters)`}
          autosize
          minRows={3}
          maxLength={500}
          value={reason}
          onChange={(e) => setReason(e.currentTarget.value)}
          data-autofocus
        />
        {breakGlass.isError ? (
          <Alert color="red" title="Not opened">
            {errorMessage(breakGlass.error)}
          </Alert>
        ) : null}
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            Cancel
          </Button>
          <Button color="red" onClick={submit} disabled={short} loading={breakGlass.isPending}>
            Open the record
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}
