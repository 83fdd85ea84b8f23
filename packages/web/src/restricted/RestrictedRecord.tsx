import {
  Alert,
  Anchor,
  Breadcrumbs,
  Button,
  Group,
  Paper,
  Stack,
  Text,
  Title,
} from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { IconLock } from '@tabler/icons-react';
import { Link } from 'react-router';
import { ErrorMessage, PageLoader } from '../ui/states';
import { usePatientAccess } from './api';
import { BreakGlassModal } from './BreakGlassModal';
import { RestrictedBadge } from './RestrictedBadge';
import { RestrictionPanel } from './RestrictionPanel';

/**
 * What a user outside the care team sees of a restricted record: the name and the way in
 * (break the glass) when their role allows it; admins also manage the restriction here.
 */
export function RestrictedRecord({ patientId }: { patientId: string }) {
  const access = usePatientAccess(patientId);
  const [breaking, dialog] = useDisclosure(false);
  if (access.isPending) return <PageLoader label="Loading patient" />;
  if (access.isError) {
    return <ErrorMessage error={access.error} onRetry={() => access.refetch()} />;
  }
  const a = access.data;
  const name = `${a.givenName} ${a.familyName}`;
  return (
    <Stack>
      <Breadcrumbs>
        <Anchor component={Link} to="/patients" size="sm">
          Patients
        </Anchor>
        <span>
          {a.familyName}, {a.givenName}
        </span>
      </Breadcrumbs>
      <Paper withBorder p="md">
        <Stack>
          <Group>
            <Title order={2}>{name}</Title>
            <RestrictedBadge kind={a.kind} />
          </Group>
          <Alert color="red" icon={<IconLock size={18} />} title="Restricted record">
            Only this patient’s care team sees their record.
            {a.mayBreakGlass
              ? ' If you need it for their care now, break the glass: your access is recorded and reviewed.'
              : ' Your role cannot open it; ask a member of the care team or the privacy officer.'}
          </Alert>
          {a.mayBreakGlass ? (
            <Group>
              <Button color="red" leftSection={<IconLock size={16} />} onClick={dialog.open}>
                Break the glass
              </Button>
            </Group>
          ) : null}
        </Stack>
      </Paper>
      {a.mayManage ? (
        <Paper withBorder p="md">
          <RestrictionPanel patientId={patientId} />
        </Paper>
      ) : null}
      <BreakGlassModal
        patientId={patientId}
        patientName={name}
        opened={breaking}
        onClose={dialog.close}
      />
    </Stack>
  );
}

/** Above an open record: its restriction, a running break-glass grant, and (admins) manage. */
export function RestrictionBar({ patientId }: { patientId: string }) {
  const access = usePatientAccess(patientId);
  const [managing, manage] = useDisclosure(false);
  const a = access.data;
  if (!a || (!a.restricted && !a.mayManage)) return null;
  return (
    <Stack gap="xs" mb="sm">
      <Group gap="sm">
        {a.restricted ? <RestrictedBadge kind={a.kind} /> : null}
        {a.mayManage ? (
          <Button size="xs" variant="subtle" onClick={manage.toggle}>
            {managing ? 'Hide restriction settings' : 'Restriction and care team'}
          </Button>
        ) : null}
      </Group>
      {a.access === 'break-glass' && a.grantExpiresAt ? (
        <Alert color="orange" icon={<IconLock size={18} />} data-testid="break-glass-banner">
          <Text size="sm">
            You opened this restricted record by breaking the glass. Access ends at{' '}
            {new Date(a.grantExpiresAt).toLocaleTimeString()}.
          </Text>
        </Alert>
      ) : null}
      {managing ? (
        <Paper withBorder p="md">
          <RestrictionPanel patientId={patientId} />
        </Paper>
      ) : null}
    </Stack>
  );
}
