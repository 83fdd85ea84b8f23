import { Badge, Button, Group, Paper, Text, Title } from '@mantine/core';
import { IconClipboardCheck } from '@tabler/icons-react';
import { Link } from 'react-router';
import { useMyPreRegistration } from './pre-registration-api';
import { usePreRegistrationText } from './pre-registration-i18n';

const dateOf = (instant: string, language: string) =>
  new Intl.DateTimeFormat(language, { dateStyle: 'medium' }).format(new Date(instant));

/**
 * An upcoming visit's pre-registration in the portal's list: done (with when) or a link to do it.
 * Visits the list does not know (past ones) show nothing.
 */
export function VisitPreRegistration({ appointmentId }: { appointmentId: string }) {
  const { t, language } = usePreRegistrationText();
  const mine = useMyPreRegistration();
  const state = mine.data?.appointments.find((a) => a.appointmentId === appointmentId);
  if (!state) return null;
  return state.state === 'done' && state.submittedAt ? (
    <Badge
      color="teal"
      variant="light"
      leftSection={<IconClipboardCheck size={12} aria-hidden />}
      data-testid="portal-pre-registered"
    >
      {t('doneOn', { when: dateOf(state.submittedAt, language) })}
    </Badge>
  ) : (
    <Button
      component={Link}
      to={`/portal/pre-registration?appointment=${appointmentId}`}
      size="compact-sm"
      variant="light"
    >
      {t('start')}
    </Button>
  );
}

/** The portal home's pre-registration card: when it was last done, and a link to do it. */
export function PreRegistrationCard() {
  const { t, language } = usePreRegistrationText();
  const mine = useMyPreRegistration();
  const latest = mine.data?.latest ?? null;
  return (
    <Paper withBorder p="lg" component="section" aria-labelledby="portal-pre-registration">
      <Group justify="space-between" align="flex-start">
        <div>
          <Title order={2} size="h3" id="portal-pre-registration">
            {t('title')}
          </Title>
          <Text size="sm" c="dimmed" mt={4}>
            {latest ? t('doneOn', { when: dateOf(latest.submittedAt, language) }) : t('homeIntro')}
          </Text>
        </div>
        <Button
          component={Link}
          to="/portal/pre-registration"
          variant={latest ? 'default' : 'filled'}
        >
          {latest ? t('update') : t('start')}
        </Button>
      </Group>
    </Paper>
  );
}
