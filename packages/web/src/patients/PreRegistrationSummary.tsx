import { type CoverageRecord, routes } from '@careloop/core';
import { Alert, Anchor, Group, Text } from '@mantine/core';
import { IconClipboardCheck } from '@tabler/icons-react';
import { useQuery } from '@tanstack/react-query';
import { api, urlOf } from '../api/client';
import { formatDateTime } from '../ui/format';

/**
 * Issue 13 (h13r): the patient's latest pre-registration on the 360 page's coverage section:
 * when, the consents given, and the emergency contact for the roles that may read it.
 */
export function PreRegistrationSummary({ patientId }: { patientId: string }) {
  const latest = useQuery({
    queryKey: ['patients', patientId, 'pre-registration'],
    queryFn: () => api.call(routes.preRegistration.ofPatient, { params: { id: patientId } }),
  });
  const row = latest.data?.latest;
  if (!row) return null;
  const contact = row.emergencyContact;
  return (
    <Alert
      color="teal"
      variant="light"
      icon={<IconClipboardCheck size={18} aria-hidden />}
      title={`Pre-registered in the portal ${formatDateTime(row.submittedAt)}`}
      data-testid="pre-registration-summary"
    >
      <Text size="sm">
        {[
          row.treatmentConsent ? 'Consented to treatment' : null,
          row.privacyNotice ? 'Received the privacy notice' : null,
          row.coverageId ? 'Insurance below' : 'No insurance (self-pay)',
        ]
          .filter(Boolean)
          .join(' · ')}
      </Text>
      {contact ? (
        <Text size="sm">
          Emergency contact: {contact.name} ({contact.relationship}), {contact.phone}
        </Text>
      ) : null}
    </Alert>
  );
}

/** Links to the photographed card sides of a coverage; a dash when none was uploaded. */
export function CoverageCardLinks({
  patientId,
  coverage,
}: {
  patientId: string;
  coverage: CoverageRecord;
}) {
  const sides = coverage.cards ?? [];
  if (sides.length === 0) return <>—</>;
  return (
    <Group gap="xs">
      {sides.map((side) => (
        <Anchor
          key={side}
          size="sm"
          href={urlOf(routes.preRegistration.coverageCard, {
            params: { id: patientId, coverageId: coverage.id, side },
          })}
          target="_blank"
          rel="noreferrer"
          aria-label={`${coverage.payer} card, ${side}`}
        >
          {side === 'front' ? 'Front' : 'Back'}
        </Anchor>
      ))}
    </Group>
  );
}
