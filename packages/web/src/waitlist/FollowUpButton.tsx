import { Button, Menu } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { errorMessage } from '../ui/states';
import { useFollowUp } from './api';

const MONTHS = [1, 3, 6, 12];

/**
 * On a completed visit: "follow-up due in N months". The patient is asked when they can come,
 * and offered a slot that suits them once that period's schedule is open.
 */
export function FollowUpButton({ appointmentId }: { appointmentId: string }) {
  const followUp = useFollowUp();
  const set = (months: number) =>
    followUp.mutate(
      { appointmentId, months },
      {
        onSuccess: () =>
          notifications.show({
            color: 'teal',
            title: 'Follow-up set',
            message: `Due in ${months} month${months === 1 ? '' : 's'}: the patient is asked when they can come.`,
          }),
        onError: (error) =>
          notifications.show({
            color: 'red',
            title: 'Could not set the follow-up',
            message: errorMessage(error),
          }),
      },
    );
  return (
    <Menu position="bottom-start">
      <Menu.Target>
        <Button size="compact-xs" variant="default" mt={4} loading={followUp.isPending}>
          Follow-up…
        </Button>
      </Menu.Target>
      <Menu.Dropdown>
        <Menu.Label>Follow-up due in</Menu.Label>
        {MONTHS.map((m) => (
          <Menu.Item key={m} onClick={() => set(m)}>
            {m} month{m === 1 ? '' : 's'}
          </Menu.Item>
        ))}
      </Menu.Dropdown>
    </Menu>
  );
}
