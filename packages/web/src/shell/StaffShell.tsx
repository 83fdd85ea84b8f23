import type { Permission } from '@careloop/core';
import { can } from '@careloop/core';
import {
  ActionIcon,
  AppShell,
  Badge,
  Burger,
  Button,
  Group,
  NavLink,
  Stack,
  Text,
} from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { notifications } from '@mantine/notifications';
import {
  IconArrowMerge,
  IconBuilding,
  IconCalendar,
  IconChartBar,
  IconChartLine,
  IconChecklist,
  IconClockHour4,
  IconDeviceMobileMessage,
  IconFileImport,
  IconHeartHandshake,
  IconInbox,
  IconListDetails,
  IconLock,
  IconLogout,
  IconMail,
  IconMailOff,
  IconPlugConnected,
  IconRoute,
  IconShieldCheck,
  IconTemplate,
  IconUsers,
  IconUsersGroup,
} from '@tabler/icons-react';
import type { ReactNode } from 'react';
import { Outlet, NavLink as RouterNavLink, useLocation, useNavigate } from 'react-router';
import { useCurrentUser, useLogout } from '../auth/session';
import { useOpenReviewCount } from '../mpi/api';
import { ROLE_LABELS } from '../ui/labels';
import { MAIN_CONTENT_ID, SkipLink } from '../ui/SkipLink';
import { errorMessage } from '../ui/states';

/**
 * The navigation's groups, in the order they are shown: a role sees a group only when it may
 * use one of its pages, so the front desk's list starts with its day's work.
 */
const SECTIONS = [
  'Patients',
  'Front desk',
  'Outreach',
  'Analytics',
  'Messaging',
  'Data and interfaces',
  'Administration',
  'Account',
] as const;
type NavSection = (typeof SECTIONS)[number];

interface NavItem {
  to: string;
  section: NavSection;
  label: string;
  icon: ReactNode;
  permission: Permission;
  /** Paths that also light this item (the patient list lives at `/` and `/patients`). */
  match: (path: string) => boolean;
}

const NAV: NavItem[] = [
  {
    to: '/patients',
    section: 'Patients',
    label: 'Patients',
    icon: <IconUsersGroup size={18} />,
    permission: 'patient:read',
    match: (path) => path === '/' || path.startsWith('/patients'),
  },
  {
    to: '/schedule',
    section: 'Front desk',
    label: 'Schedule',
    icon: <IconCalendar size={18} />,
    permission: 'schedule:read',
    match: (path) => path.startsWith('/schedule'),
  },
  {
    to: '/tasks',
    section: 'Front desk',
    label: 'Tasks',
    icon: <IconChecklist size={18} />,
    permission: 'task:read',
    match: (path) => path.startsWith('/tasks'),
  },
  // Issue 11 (h11l): patient lists.
  {
    to: '/lists',
    section: 'Patients',
    label: 'Lists',
    icon: <IconListDetails size={18} />,
    permission: 'list:read',
    match: (path) => path.startsWith('/lists'),
  },
  {
    to: '/mpi/reviews',
    section: 'Patients',
    label: 'Duplicates',
    icon: <IconArrowMerge size={18} />,
    permission: 'patient:merge',
    match: (path) => path.startsWith('/mpi'),
  },
  {
    to: '/journeys',
    section: 'Outreach',
    label: 'Journeys',
    icon: <IconRoute size={18} />,
    permission: 'journey:read',
    match: (path) => path.startsWith('/journeys'),
  },
  {
    to: '/templates',
    section: 'Outreach',
    label: 'Templates',
    icon: <IconTemplate size={18} />,
    permission: 'template:read',
    match: (path) => path.startsWith('/templates'),
  },
  {
    to: '/journey-map',
    section: 'Analytics',
    label: 'Journey map',
    icon: <IconRoute size={18} />,
    permission: 'journey-map:read',
    match: (path) => path.startsWith('/journey-map'),
  },
  {
    to: '/analytics/kpis',
    section: 'Analytics',
    label: 'KPI dashboard',
    icon: <IconChartLine size={18} />,
    permission: 'analytics:read',
    match: (path) => path.startsWith('/analytics/kpis'),
  },
  // Issue 13: capacity and utilization.
  {
    to: '/analytics/capacity',
    section: 'Analytics',
    label: 'Capacity',
    icon: <IconChartBar size={18} />,
    permission: 'analytics:read',
    match: (path) => path.startsWith('/analytics/capacity'),
  },
  {
    to: '/imports',
    section: 'Data and interfaces',
    label: 'Import',
    icon: <IconFileImport size={18} />,
    permission: 'interop:write',
    match: (path) => path.startsWith('/imports'),
  },
  {
    to: '/admin/interfaces',
    section: 'Data and interfaces',
    label: 'Interfaces',
    icon: <IconPlugConnected size={18} />,
    permission: 'interop:write',
    match: (path) => path.startsWith('/admin/interfaces'),
  },
  {
    to: '/admin/users',
    section: 'Administration',
    label: 'Users',
    icon: <IconUsers size={18} />,
    permission: 'user:read',
    match: (path) => path.startsWith('/admin/users'),
  },
  {
    to: '/admin/organization',
    section: 'Administration',
    label: 'Organization',
    icon: <IconBuilding size={18} />,
    permission: 'directory:write',
    match: (path) => path.startsWith('/admin/organization'),
  },
  {
    to: '/admin/audit',
    section: 'Administration',
    label: 'Audit log',
    icon: <IconShieldCheck size={18} />,
    permission: 'audit:read',
    match: (path) => path.startsWith('/admin/audit'),
  },
  {
    to: '/account/security',
    section: 'Account',
    label: 'Security',
    icon: <IconLock size={18} />,
    permission: 'session:self',
    match: (path) => path.startsWith('/account/security'),
  },
  {
    to: '/admin/break-glass',
    section: 'Administration',
    label: 'Break-glass report',
    icon: <IconLock size={18} />,
    permission: 'restriction:manage',
    match: (path) => path.startsWith('/admin/break-glass'),
  },
  {
    to: '/admin/suppressed',
    section: 'Messaging',
    label: 'Suppressed messages',
    icon: <IconMailOff size={18} />,
    permission: 'suppression:read',
    match: (path) => path.startsWith('/admin/suppressed'),
  },
  {
    to: '/admin/mailbox',
    section: 'Messaging',
    label: 'Test mailbox',
    icon: <IconMail size={18} />,
    permission: 'mailbox:read',
    match: (path) => path.startsWith('/admin/mailbox'),
  },
  {
    to: '/admin/phone',
    section: 'Messaging',
    label: 'Test phone',
    icon: <IconDeviceMobileMessage size={18} />,
    permission: 'sms-gateway:use',
    match: (path) => path.startsWith('/admin/phone'),
  },
  // Issue 11: the shared inbox.
  {
    to: '/inbox',
    section: 'Front desk',
    label: 'Inbox',
    icon: <IconInbox size={18} />,
    permission: 'inbox:read',
    match: (path) => path.startsWith('/inbox'),
  },
  // Issue 11: integrations.
  {
    to: '/admin/integrations',
    section: 'Data and interfaces',
    label: 'Integrations',
    icon: <IconPlugConnected size={18} />,
    permission: 'integration:manage',
    match: (path) => path.startsWith('/admin/integrations'),
  },
  // Issue 13: the waitlist and slot recovery.
  {
    to: '/waitlist',
    section: 'Front desk',
    label: 'Waitlist',
    icon: <IconClockHour4 size={18} />,
    permission: 'waitlist:read',
    match: (path) => path.startsWith('/waitlist'),
  },
];

/** The number of possible duplicates waiting, beside "Duplicates"; nothing when there are none. */
function OpenReviewBadge({ count }: { count: number }) {
  if (count === 0) return null;
  return (
    <Badge
      size="sm"
      variant="filled"
      color="orange"
      aria-label={`${count} waiting for review`}
      data-testid="open-review-count"
    >
      {count > 99 ? '99+' : count}
    </Badge>
  );
}

/** The staff console frame: navigation the role may use, who is signed in, sign out. */
export function StaffShell() {
  const user = useCurrentUser();
  const [opened, { toggle, close }] = useDisclosure();
  const { pathname } = useLocation();
  const navigate = useNavigate();
  const logout = useLogout();
  const items = NAV.filter((item) => can(user.role, item.permission));
  const openReviews = useOpenReviewCount(can(user.role, 'patient:merge')).data?.open ?? 0;

  const signOut = () =>
    logout.mutate(undefined, {
      onSuccess: () => navigate('/login', { replace: true }),
      onError: (error) =>
        notifications.show({
          color: 'red',
          title: 'Could not sign out',
          message: errorMessage(error),
        }),
    });

  return (
    <AppShell
      header={{ height: 60 }}
      navbar={{ width: 220, breakpoint: 'sm', collapsed: { mobile: !opened } }}
      padding="md"
    >
      <SkipLink />
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between" wrap="nowrap">
          <Group gap="sm" wrap="nowrap">
            <Burger
              opened={opened}
              onClick={toggle}
              hiddenFrom="sm"
              size="sm"
              aria-label="Toggle navigation"
            />
            <IconHeartHandshake size={26} color="var(--mantine-color-teal-6)" aria-hidden />
            <Text fw={700} size="lg" visibleFrom="xs">
              Careloop
            </Text>
            <Text c="dimmed" size="sm" visibleFrom="xs" data-testid="org-name">
              {user.orgName}
            </Text>
          </Group>
          <Group gap="sm" wrap="nowrap">
            <Stack gap={0} align="flex-end" visibleFrom="sm">
              <Text size="sm" fw={500} data-testid="user-name">
                {user.displayName}
              </Text>
              <Text size="xs" c="dimmed">
                {user.email}
              </Text>
            </Stack>
            <Badge variant="light" data-testid="user-role">
              {ROLE_LABELS[user.role]}
            </Badge>
            <Button
              variant="subtle"
              size="compact-sm"
              leftSection={<IconLogout size={16} />}
              onClick={signOut}
              loading={logout.isPending}
              visibleFrom="sm"
            >
              Sign out
            </Button>
            <ActionIcon
              variant="subtle"
              aria-label="Sign out"
              onClick={signOut}
              loading={logout.isPending}
              hiddenFrom="sm"
            >
              <IconLogout size={18} />
            </ActionIcon>
          </Group>
        </Group>
      </AppShell.Header>
      {/* The list outgrows a laptop's screen: it scrolls rather than hiding what is below. */}
      <AppShell.Navbar p="xs" aria-label="Main navigation" style={{ overflowY: 'auto' }}>
        {SECTIONS.map((section) => {
          const inSection = items.filter((item) => item.section === section);
          if (inSection.length === 0) return null;
          return (
            <div key={section}>
              <Text size="xs" fw={700} c="dimmed" tt="uppercase" px="sm" pt="sm" pb={4}>
                {section}
              </Text>
              {inSection.map((item) => (
                <NavLink
                  key={item.to}
                  component={RouterNavLink}
                  to={item.to}
                  label={item.label}
                  leftSection={item.icon}
                  rightSection={
                    item.to === '/mpi/reviews' ? <OpenReviewBadge count={openReviews} /> : null
                  }
                  active={item.match(pathname)}
                  onClick={close}
                />
              ))}
            </div>
          );
        })}
      </AppShell.Navbar>
      <AppShell.Main id={MAIN_CONTENT_ID} tabIndex={-1}>
        <Outlet />
      </AppShell.Main>
    </AppShell>
  );
}
