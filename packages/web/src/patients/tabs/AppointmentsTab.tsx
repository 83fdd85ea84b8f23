import type { Appointment, Patient360 } from '@careloop/core';
import { Badge, Stack, Table, Text, Title } from '@mantine/core';
import { IconVideo } from '@tabler/icons-react';
import { formatDateTime, formatTime } from '../../ui/format';
import { APPOINTMENT_STATUS_COLORS, APPOINTMENT_STATUS_LABELS } from '../../ui/labels';
import { EmptyMessage } from '../../ui/states';

export function AppointmentStatusBadge({ status }: { status: Appointment['status'] }) {
  return (
    <Badge variant="light" color={APPOINTMENT_STATUS_COLORS[status]}>
      {APPOINTMENT_STATUS_LABELS[status]}
    </Badge>
  );
}

function AppointmentTable({ appointments, label }: { appointments: Appointment[]; label: string }) {
  return (
    <Table.ScrollContainer minWidth={640}>
      <Table striped verticalSpacing="xs" aria-label={label}>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>When</Table.Th>
            <Table.Th>Service</Table.Th>
            <Table.Th>With</Table.Th>
            <Table.Th>Where</Table.Th>
            <Table.Th>Status</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {appointments.map((a) => (
            <Table.Tr key={a.id} data-testid="appointment">
              <Table.Td>
                {formatDateTime(a.startAt)}–{formatTime(a.endAt)}
              </Table.Td>
              <Table.Td>
                {a.service ?? '—'}
                {a.reason ? (
                  <Text size="xs" c="dimmed">
                    {a.reason}
                  </Text>
                ) : null}
              </Table.Td>
              <Table.Td>{a.practitioner ?? '—'}</Table.Td>
              <Table.Td>
                {a.telehealth ? (
                  <Badge variant="outline" leftSection={<IconVideo size={12} />}>
                    Telehealth
                  </Badge>
                ) : (
                  (a.location ?? '—')
                )}
              </Table.Td>
              <Table.Td>
                <AppointmentStatusBadge status={a.status} />
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}

export function AppointmentsTab({ appointments }: { appointments: Patient360['appointments'] }) {
  return (
    <Stack gap="xl">
      <section>
        <Title order={2} size="h4" mb="xs">
          Upcoming
        </Title>
        {appointments.upcoming.length === 0 ? (
          <EmptyMessage title="No upcoming appointments" />
        ) : (
          <AppointmentTable appointments={appointments.upcoming} label="Upcoming appointments" />
        )}
      </section>
      <section>
        <Title order={2} size="h4" mb="xs">
          Past
        </Title>
        {appointments.past.length === 0 ? (
          <EmptyMessage title="No past appointments" />
        ) : (
          <AppointmentTable appointments={appointments.past} label="Past appointments" />
        )}
      </section>
    </Stack>
  );
}
