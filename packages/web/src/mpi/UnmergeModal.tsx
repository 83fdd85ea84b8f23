import { Button, Group, Modal, Stack, Text } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useState } from 'react';
import { isApiError } from '../api/client';
import { formatDateTime } from '../ui/format';
import { useUnmerge } from './api';
import { DecisionError, ReasonField } from './DecisionFields';
import type { MergeToUndo } from './labels';
import { PatientRef } from './PatientRef';

/**
 * Confirms undoing a merge: the merged record stands on its own again. When the merge was
 * already undone (409), the server's message is shown and the pages refetch to show it.
 */
export function UnmergeModal({
  merge,
  opened,
  session,
  onClose,
}: {
  merge: MergeToUndo | null;
  opened: boolean;
  session: number;
  onClose: () => void;
}) {
  return (
    <Modal opened={opened} onClose={onClose} title="Undo this merge?" size="lg">
      {merge ? <UnmergeForm key={session} merge={merge} onClose={onClose} /> : null}
    </Modal>
  );
}

function UnmergeForm({ merge, onClose }: { merge: MergeToUndo; onClose: () => void }) {
  const unmerge = useUnmerge();
  const [reason, setReason] = useState('');
  // Undone elsewhere meanwhile: nothing left to undo here.
  const alreadyUndone = isApiError(unmerge.error) && unmerge.error.status === 409;
  const submit = () =>
    unmerge.mutate(
      { mergeId: merge.id, ...(reason.trim() ? { reason: reason.trim() } : {}) },
      {
        onSuccess: () => {
          notifications.show({ color: 'teal', message: 'Merge undone: both records are back' });
          onClose();
        },
      },
    );
  return (
    <Stack>
      <Text size="sm">
        <PatientRef id={merge.mergedId} name={merge.mergedName} /> was merged into{' '}
        <PatientRef id={merge.survivorId} name={merge.survivorName} /> on{' '}
        {formatDateTime(merge.mergedAt)}. Undoing it restores the merged record and moves its source
        records and history back to it.
      </Text>
      <ReasonField value={reason} onChange={setReason} />
      <DecisionError error={unmerge.isError ? unmerge.error : null} />
      <Group justify="flex-end">
        <Button variant="default" onClick={onClose}>
          {alreadyUndone ? 'Close' : 'Cancel'}
        </Button>
        <Button
          color="orange"
          onClick={submit}
          loading={unmerge.isPending}
          disabled={alreadyUndone}
        >
          Undo merge
        </Button>
      </Group>
    </Stack>
  );
}
