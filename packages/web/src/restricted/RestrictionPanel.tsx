import { RESTRICTION_KINDS, type RestrictionKind } from '@careloop/core';
import { Alert, Button, Group, Select, Stack, Table, Text, Title } from '@mantine/core';
import { useState } from 'react';
import { ROLE_LABELS } from '../ui/labels';
import { errorMessage } from '../ui/states';
import {
  useCareTeamAccess,
  useChangeCareTeam,
  usePatientAccess,
  useSetRestriction,
  useStaffOptions,
} from './api';

export const RESTRICTION_LABELS: Record<RestrictionKind, string> = {
  confidential: 'Confidential',
  vip: 'VIP',
  employee: 'Employee',
};

/** For admins: mark or clear a patient's restriction, and choose who is on the care team. */
export function RestrictionPanel({ patientId }: { patientId: string }) {
  const access = usePatientAccess(patientId);
  const setRestriction = useSetRestriction(patientId);
  const team = useCareTeamAccess(patientId, true);
  const staff = useStaffOptions(true);
  const change = useChangeCareTeam(patientId);
  const [adding, setAdding] = useState<string | null>(null);
  const members = team.data ?? [];
  const candidates = (staff.data ?? []).filter((s) => !members.some((m) => m.userId === s.id));
  const error = setRestriction.error ?? change.error;

  return (
    <Stack>
      <Select
        label="Restriction"
        description="A restricted record opens only to its care team; others must break the glass"
        data={[
          { value: 'none', label: 'Not restricted' },
          ...RESTRICTION_KINDS.map((k) => ({ value: k, label: RESTRICTION_LABELS[k] })),
        ]}
        value={access.data?.kind ?? 'none'}
        allowDeselect={false}
        disabled={!access.data || setRestriction.isPending}
        onChange={(value) => {
          const kind = RESTRICTION_KINDS.find((k) => k === value) ?? null;
          setRestriction.mutate(kind);
        }}
      />
      <Title order={5}>Care team</Title>
      {members.length === 0 ? (
        <Text size="sm" c="dimmed">
          No one yet: while restricted, only break-glass access opens this record.
        </Text>
      ) : (
        <Table aria-label="Care team with access">
          <Table.Tbody>
            {members.map((m) => (
              <Table.Tr key={m.userId}>
                <Table.Td>{m.displayName}</Table.Td>
                <Table.Td>{ROLE_LABELS[m.role]}</Table.Td>
                <Table.Td ta="right">
                  <Button
                    size="xs"
                    variant="subtle"
                    color="red"
                    onClick={() => change.mutate({ userId: m.userId, add: false })}
                  >
                    Remove
                  </Button>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
      <Group align="flex-end">
        <Select
          label="Add to the care team"
          placeholder="Staff member"
          searchable
          data={candidates.map((s) => ({
            value: s.id,
            label: `${s.displayName} (${ROLE_LABELS[s.role]})`,
          }))}
          value={adding}
          onChange={setAdding}
          style={{ flex: 1 }}
        />
        <Button
          disabled={!adding}
          loading={change.isPending}
          onClick={() => {
            if (adding)
              change.mutate({ userId: adding, add: true }, { onSuccess: () => setAdding(null) });
          }}
        >
          Add
        </Button>
      </Group>
      {error ? <Alert color="red">{errorMessage(error)}</Alert> : null}
    </Stack>
  );
}
