import { type AppointmentPreRegistration, routes } from '@careloop/core';
import { Badge, Tooltip } from '@mantine/core';
import { IconClipboardCheck } from '@tabler/icons-react';
import { useQuery } from '@tanstack/react-query';
import { api } from '../api/client';
import { formatDateTime } from '../ui/format';

/**
 * Issue 13 (h13r): whether each shown appointment is pre-registered, for the calendar's and the
 * check-in view's badge: one request for the appointments on screen.
 */
export function usePreRegistrationStates(
  appointmentIds: readonly string[],
): ReadonlyMap<string, AppointmentPreRegistration> {
  const ids = [...appointmentIds].sort().slice(0, 500);
  const states = useQuery({
    queryKey: ['pre-registrations', ids],
    queryFn: () =>
      api.call(routes.preRegistration.states, { query: { appointmentIds: ids.join(',') } }),
    enabled: ids.length > 0,
  });
  return new Map((states.data?.items ?? []).map((s) => [s.appointmentId, s]));
}

/** "Pre-registered" when the patient pre-registered for this visit; nothing otherwise. */
export function PreRegisteredBadge({ state }: { state: AppointmentPreRegistration | undefined }) {
  if (state?.state !== 'done' || !state.submittedAt) return null;
  return (
    <Tooltip label={`Pre-registered ${formatDateTime(state.submittedAt)}`}>
      <Badge
        size="xs"
        color="teal"
        variant="light"
        leftSection={<IconClipboardCheck size={10} aria-hidden />}
        data-testid="pre-registered"
      >
        Pre-registered
      </Badge>
    </Tooltip>
  );
}
