import type { PortalProfile } from '@careloop/core';
import { Badge, Button, Card, Group, Paper, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import { IconVideo } from '@tabler/icons-react';
import { Link } from 'react-router';
import { AppointmentStatusBadge } from '../patients/tabs/AppointmentsTab';
import { formatDate, formatDateTime, formatTime } from '../ui/format';
import { EmptyMessage, ErrorMessage, PageLoader } from '../ui/states';
import { WaitlistLink } from '../waitlist/WaitlistLink';
import { usePortalProfile } from './api';
import { PreferencesForm } from './PreferencesForm';
// Issue 13 (h13r): pre-registration before a visit.
import { PreRegistrationCard } from './PreRegistrationStatus';

function Profile({ profile }: { profile: PortalProfile }) {
  const p = profile.patient;
  return (
    <Paper withBorder p="lg" component="section" aria-labelledby="my-profile">
      {/* The name sits inside the heading so "My profile" always names whose profile it is. */}
      <Title order={1} size="h2" id="my-profile" mb="md">
        My profile{' '}
        <Text span inherit c="dimmed" fw={400} data-testid="portal-name">
          · {p.givenName} {p.familyName}
        </Text>
      </Title>
      <SimpleGrid cols={{ base: 1, sm: 3 }}>
        <div>
          <Text size="xs" c="dimmed" tt="uppercase" fw={600}>
            Birth date
          </Text>
          <Text size="sm">{formatDate(p.birthDate)}</Text>
        </div>
        <div>
          <Text size="xs" c="dimmed" tt="uppercase" fw={600}>
            Phone and email
          </Text>
          {profile.contactPoints.length === 0 ? (
            <Text size="sm" c="dimmed">
              None on file
            </Text>
          ) : (
            profile.contactPoints.map((c) => (
              <Text size="sm" key={c.id}>
                {c.display || c.value}{' '}
                <Text span size="xs" c="dimmed">
                  ({c.use})
                </Text>
              </Text>
            ))
          )}
        </div>
        <div>
          <Text size="xs" c="dimmed" tt="uppercase" fw={600}>
            Address
          </Text>
          {profile.addresses.length === 0 ? (
            <Text size="sm" c="dimmed">
              None on file
            </Text>
          ) : (
            profile.addresses.map((a) => (
              <Text size="sm" key={a.id}>
                {a.line1}
                {a.line2 ? `, ${a.line2}` : ''}, {a.city}, {a.state} {a.postalCode}
              </Text>
            ))
          )}
        </div>
      </SimpleGrid>
      <Text size="xs" c="dimmed" mt="md">
        Something wrong? Call the front desk and we will correct it.
      </Text>
    </Paper>
  );
}

function UpcomingAppointments({
  appointments,
}: {
  appointments: PortalProfile['upcomingAppointments'];
}) {
  return (
    <section aria-labelledby="upcoming-appointments">
      <Group justify="space-between" mb="sm">
        <Title order={2} size="h3" id="upcoming-appointments">
          Upcoming appointments
        </Title>
        {/* Issue 13 (h13a): the portal books. */}
        <Group gap="xs">
          <Button component={Link} to="/portal/appointments" variant="default" size="compact-md">
            My appointments
          </Button>
          <Button component={Link} to="/portal/book" size="compact-md">
            Book a visit
          </Button>
        </Group>
      </Group>
      {appointments.length === 0 ? (
        <Paper withBorder>
          <EmptyMessage
            title="No upcoming appointments"
            description="Book a visit here, or call us."
          />
        </Paper>
      ) : (
        <Stack gap="sm">
          {appointments.map((a) => (
            <Card withBorder key={a.id} data-testid="appointment">
              <Group justify="space-between" align="flex-start">
                <div>
                  <Text fw={600}>
                    {formatDateTime(a.startAt)} – {formatTime(a.endAt)}
                  </Text>
                  <Text size="sm">{a.service ?? 'Appointment'}</Text>
                  <Text size="sm" c="dimmed">
                    {[a.practitioner, a.telehealth ? null : a.location].filter(Boolean).join(' · ')}
                  </Text>
                </div>
                <Group gap="xs">
                  {a.telehealth ? (
                    <Badge variant="outline" leftSection={<IconVideo size={12} />}>
                      Video visit
                    </Badge>
                  ) : null}
                  <AppointmentStatusBadge status={a.status} />
                </Group>
              </Group>
            </Card>
          ))}
        </Stack>
      )}
    </section>
  );
}

export function PortalHome() {
  const profile = usePortalProfile();
  if (profile.isPending) return <PageLoader label="Loading your profile" />;
  if (profile.isError) {
    return (
      <ErrorMessage
        error={profile.error}
        onRetry={() => profile.refetch()}
        title="Could not load your profile"
      />
    );
  }
  return (
    <Stack gap="xl">
      <Profile profile={profile.data} />
      <UpcomingAppointments appointments={profile.data.upcomingAppointments} />
      {/* Issue 13 (h13r): pre-registration before a visit. */}
      <PreRegistrationCard />
      {/* Issue 13: the waitlist, offers and follow-ups. */}
      <WaitlistLink />
      <PreferencesForm profile={profile.data} />
    </Stack>
  );
}
