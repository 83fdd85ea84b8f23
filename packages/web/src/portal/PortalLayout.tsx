import { Anchor, Button, Container, Group, Text } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { IconHeartHandshake, IconLogout } from '@tabler/icons-react';
import { Link, Outlet, useNavigate } from 'react-router';
import { useCurrentUser, useLogout } from '../auth/session';
import { MAIN_CONTENT_ID, SkipLink } from '../ui/SkipLink';
import { errorMessage } from '../ui/states';

/** The patient's own frame: no staff navigation, just who they are and a way out. */
export function PortalLayout() {
  const user = useCurrentUser();
  const logout = useLogout();
  const navigate = useNavigate();
  const signOut = () =>
    logout.mutate(undefined, {
      onSuccess: () => navigate('/portal/login', { replace: true }),
      onError: (error) =>
        notifications.show({
          color: 'red',
          title: 'Could not sign out',
          message: errorMessage(error),
        }),
    });
  return (
    <>
      <SkipLink />
      <header style={{ borderBottom: '1px solid var(--mantine-color-default-border)' }}>
        <Container size="md" py="sm">
          <Group justify="space-between">
            <Group gap="xs">
              <IconHeartHandshake size={26} color="var(--mantine-color-teal-6)" aria-hidden />
              <Text fw={700}>{user.orgName}</Text>
              <Text c="dimmed" size="sm">
                Patient portal
              </Text>
            </Group>
            <Group gap="sm">
              {/* Issue 11: secure messaging. */}
              <Anchor component={Link} to="/portal/messages" size="sm">
                Messages
              </Anchor>
              <Anchor component={Link} to="/portal" size="sm">
                My profile
              </Anchor>
              <Text size="sm" visibleFrom="xs">
                {user.displayName}
              </Text>
              <Button
                variant="subtle"
                size="compact-sm"
                leftSection={<IconLogout size={16} />}
                onClick={signOut}
                loading={logout.isPending}
              >
                Sign out
              </Button>
            </Group>
          </Group>
        </Container>
      </header>
      <Container size="md" py="lg" component="main" id={MAIN_CONTENT_ID} tabIndex={-1}>
        <Outlet />
      </Container>
    </>
  );
}
