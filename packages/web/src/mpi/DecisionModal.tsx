import type { ReviewItem, ReviewPerson } from '@careloop/core';
import { Button, Group, Modal, Radio, Stack, Text } from '@mantine/core';
import { useState } from 'react';
import { dayjs, formatDate } from '../ui/format';
import { useDecideReview } from './api';
import { DecisionError, ReasonField } from './DecisionFields';
import { MERGE_KEEPS_TEXT } from './labels';

export type Decision = 'merge' | 'distinct';

function SurvivorOption({ person, label }: { person: ReviewPerson; label: string }) {
  const sources = person.sources.length;
  const facts = [
    `Born ${formatDate(person.birthDate)}`,
    `registered ${dayjs(person.createdAt).format('MMM D, YYYY')}`,
    `${sources} source record${sources === 1 ? '' : 's'}`,
  ];
  return (
    <Radio
      value={person.patientId}
      label={`${label}: ${person.givenName} ${person.familyName}`}
      description={facts.join(' · ')}
    />
  );
}

/** Confirms a review decision: merge (choosing the surviving record) or different people. */
export function DecisionModal({
  item,
  decision,
  opened,
  session,
  onClose,
}: {
  item: ReviewItem;
  decision: Decision | null;
  opened: boolean;
  session: number;
  onClose: () => void;
}) {
  return (
    <Modal
      opened={opened}
      onClose={onClose}
      title={decision === 'merge' ? 'Merge these records?' : 'Mark as different people?'}
      size="lg"
    >
      {/* Keyed so each opening starts from the defaults. */}
      {decision ? (
        <DecisionForm key={session} item={item} decision={decision} onClose={onClose} />
      ) : null}
    </Modal>
  );
}

function DecisionForm({
  item,
  decision,
  onClose,
}: {
  item: ReviewItem;
  decision: Decision;
  onClose: () => void;
}) {
  const decide = useDecideReview(item.id);
  const [survivorId, setSurvivorId] = useState(item.candidate.patientId);
  const [reason, setReason] = useState('');
  const submit = () =>
    decide.mutate(
      {
        decision,
        ...(decision === 'merge' ? { survivorId } : {}),
        ...(reason.trim() ? { reason: reason.trim() } : {}),
      },
      { onSuccess: onClose },
    );

  return (
    <Stack>
      {decision === 'merge' ? (
        <>
          <Text size="sm">
            Both records become one patient: the other record keeps its id and points to the one you
            keep.
          </Text>
          <Text size="sm" data-testid="merge-keeps">
            {MERGE_KEEPS_TEXT}
          </Text>
          <Radio.Group
            label="Which record do you keep?"
            value={survivorId}
            onChange={setSurvivorId}
          >
            <Stack gap="sm" mt="xs">
              <SurvivorOption person={item.candidate} label="Existing record" />
              <SurvivorOption person={item.incoming} label="Incoming record" />
            </Stack>
          </Radio.Group>
        </>
      ) : (
        <Text size="sm">
          Both records stay separate patients. The decision is kept in the audit trail.
        </Text>
      )}
      <ReasonField value={reason} onChange={setReason} />
      <DecisionError error={decide.isError ? decide.error : null} />
      <Group justify="flex-end">
        <Button variant="default" onClick={onClose}>
          Cancel
        </Button>
        <Button
          color={decision === 'merge' ? 'teal' : 'gray'}
          onClick={submit}
          loading={decide.isPending}
        >
          {decision === 'merge' ? 'Merge records' : 'Mark as different people'}
        </Button>
      </Group>
    </Stack>
  );
}
