import type { ScheduleMode, SchedulingSettings } from '@careloop/core';
import { Alert, Radio, Stack, Text, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../api/client';
import { ErrorMessage, PageLoader } from '../ui/states';

const KEY = ['scheduling', 'settings'];

/**
 * Issue 13: who owns the schedule. Careloop (its weekly hours, booked here) or the EHR (its free
 * slots; a booking is Requested until the EHR acknowledges it). Admins only; the change is
 * audited by the server, which refuses the EHR mode when no EHR endpoint is configured.
 */
export function ScheduleModeSection() {
  const client = useQueryClient();
  const settings = useQuery({
    queryKey: KEY,
    queryFn: () => api.get<SchedulingSettings>('/api/scheduling/settings'),
  });
  const update = useMutation({
    mutationFn: (scheduleMode: ScheduleMode) =>
      api.patch<SchedulingSettings>('/api/scheduling/settings', { scheduleMode }),
    onSuccess: (saved) => {
      client.setQueryData(KEY, saved);
      notifications.show({ color: 'teal', message: 'Schedule mode saved' });
    },
  });
  return (
    <Stack gap="sm" maw={520}>
      <Title order={2} size="h4">
        Who owns the schedule
      </Title>
      {settings.isPending ? (
        <PageLoader />
      ) : settings.isError ? (
        <ErrorMessage error={settings.error} />
      ) : (
        <Radio.Group
          value={settings.data.scheduleMode}
          onChange={(value) => update.mutate(value === 'ehr' ? 'ehr' : 'careloop')}
          label="Schedule mode"
        >
          <Stack gap="xs" mt="xs">
            <Radio value="careloop" label="Careloop: its weekly hours; bookings are made here" />
            <Radio
              value="ehr"
              label="The EHR: its free slots; a booking is Requested until the EHR accepts it"
              disabled={update.isPending}
            />
          </Stack>
        </Radio.Group>
      )}
      {update.isError ? (
        <Alert color="red" role="alert">
          {update.error instanceof Error ? update.error.message : 'Not saved'}
        </Alert>
      ) : null}
      <Text size="sm" c="dimmed">
        The EHR mode needs an EHR endpoint: its FHIR server (EHR_FHIR_BASE) or its MLLP listener
        (EHR_MLLP_ENDPOINT). With both, booking requests go to the FHIR server.
      </Text>
    </Stack>
  );
}
