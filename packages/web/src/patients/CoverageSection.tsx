import {
  type CoverageInput,
  type CoverageRecord,
  type Patient360,
  SUBSCRIBER_RELATIONSHIPS,
  type SubscriberRelationship,
} from '@careloop/core';
import {
  Alert,
  Badge,
  Button,
  Group,
  Modal,
  Select,
  SimpleGrid,
  Stack,
  Table,
  TextInput,
} from '@mantine/core';
import { useForm } from '@mantine/form';
import { notifications } from '@mantine/notifications';
import { IconPlus } from '@tabler/icons-react';
import { useState } from 'react';
import { useCan } from '../auth/session';
import { formatDate } from '../ui/format';
import { showServerError } from '../ui/server-errors';
import { EmptyMessage, ErrorMessage, LoadingRows } from '../ui/states';
import {
  useAddCareTeamMember,
  useCoverages,
  usePractitioners,
  useRemoveCareTeamMember,
  useSaveCoverage,
} from './coverage-api';
// Issue 13 (h13r): pre-registration before a visit.
import { CoverageCardLinks, PreRegistrationSummary } from './PreRegistrationSummary';

const RELATIONSHIP_LABELS: Record<SubscriberRelationship, string> = {
  self: 'Self (the patient)',
  spouse: 'Spouse',
  child: 'Child of the subscriber',
  other: 'Other',
};
const PRIORITIES = [
  { value: '1', label: 'Primary' },
  { value: '2', label: 'Secondary' },
  { value: '3', label: 'Tertiary' },
];
const priorityLabel = (p: number) => PRIORITIES.find((o) => o.value === String(p))?.label ?? p;

const COVERAGE_FIELDS = [
  'payer',
  'plan',
  'memberId',
  'groupNumber',
  'subscriberName',
  'subscriberRelationship',
  'priority',
  'status',
  'startDate',
  'endDate',
] as const;

function CoverageForm({
  patientId,
  coverage,
  onDone,
}: {
  patientId: string;
  coverage: CoverageRecord | null;
  onDone: () => void;
}) {
  const save = useSaveCoverage(patientId);
  const [formError, setFormError] = useState<string | null>(null);
  const form = useForm({
    initialValues: {
      payer: coverage?.payer ?? '',
      plan: coverage?.plan ?? '',
      memberId: coverage?.memberId ?? '',
      groupNumber: coverage?.groupNumber ?? '',
      subscriberName: coverage?.subscriberName ?? '',
      subscriberRelationship: coverage?.subscriberRelationship ?? 'self',
      priority: String(coverage?.priority ?? 1),
      status: coverage?.status ?? 'active',
      startDate: coverage?.startDate ?? '',
      endDate: coverage?.endDate ?? '',
    },
    validate: {
      payer: (v) => (v.trim() ? null : 'Enter the payer'),
      memberId: (v) => (v.trim() ? null : 'Enter the member id'),
    },
  });
  const submit = form.onSubmit((values) => {
    setFormError(null);
    const body: CoverageInput = {
      payer: values.payer.trim(),
      plan: values.plan.trim() || null,
      memberId: values.memberId.trim(),
      groupNumber: values.groupNumber.trim() || null,
      subscriberName: values.subscriberName.trim() || null,
      subscriberRelationship: values.subscriberRelationship as SubscriberRelationship,
      priority: Number(values.priority),
      status: values.status === 'inactive' ? 'inactive' : 'active',
      startDate: values.startDate || null,
      endDate: values.endDate || null,
    };
    save.mutate(
      { id: coverage?.id ?? null, body },
      {
        onSuccess: () => {
          notifications.show({
            color: 'teal',
            message: coverage ? 'Coverage saved' : 'Coverage added',
          });
          onDone();
        },
        onError: (error) => setFormError(showServerError(form, error, COVERAGE_FIELDS)),
      },
    );
  });
  return (
    <form onSubmit={submit} noValidate>
      <Stack gap="sm">
        {formError ? (
          <Alert color="red" role="alert">
            {formError}
          </Alert>
        ) : null}
        <SimpleGrid cols={{ base: 1, sm: 2 }}>
          <TextInput label="Payer" required {...form.getInputProps('payer')} />
          <TextInput label="Plan" {...form.getInputProps('plan')} />
          <TextInput label="Member ID" required {...form.getInputProps('memberId')} />
          <TextInput label="Group number" {...form.getInputProps('groupNumber')} />
          <TextInput
            label="Subscriber"
            description="The policy holder, when not the patient"
            {...form.getInputProps('subscriberName')}
          />
          <Select
            label="Relationship to subscriber"
            allowDeselect={false}
            data={SUBSCRIBER_RELATIONSHIPS.map((r) => ({
              value: r,
              label: RELATIONSHIP_LABELS[r],
            }))}
            {...form.getInputProps('subscriberRelationship')}
          />
          <Select
            label="Priority"
            allowDeselect={false}
            data={PRIORITIES}
            {...form.getInputProps('priority')}
          />
          <Select
            label="Status"
            allowDeselect={false}
            data={[
              { value: 'active', label: 'Active' },
              { value: 'inactive', label: 'Inactive' },
            ]}
            {...form.getInputProps('status')}
          />
          <TextInput label="Start date" type="date" {...form.getInputProps('startDate')} />
          <TextInput label="End date" type="date" {...form.getInputProps('endDate')} />
        </SimpleGrid>
        <Group justify="flex-end">
          <Button variant="default" onClick={onDone}>
            Cancel
          </Button>
          <Button type="submit" loading={save.isPending}>
            {coverage ? 'Save coverage' : 'Add coverage'}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

/** The Coverage tab: coverage with subscribers, added and changed by registration staff. */
export function CoverageSection({ patientId }: { patientId: string }) {
  const list = useCoverages(patientId);
  const canEdit = useCan('patient:write');
  const [editing, setEditing] = useState<CoverageRecord | 'new' | null>(null);
  const coverage = list.data ?? [];
  // Issue 13 (h13r): the server lists card sides only to roles that may see the images.
  const showCards = coverage.some((c) => c.cards !== undefined);
  return (
    <Stack gap="sm">
      {/* Issue 13 (h13r): what the patient submitted before a visit. */}
      <PreRegistrationSummary patientId={patientId} />
      {canEdit ? (
        <Group justify="flex-end">
          <Button size="xs" leftSection={<IconPlus size={14} />} onClick={() => setEditing('new')}>
            Add coverage
          </Button>
        </Group>
      ) : null}
      {list.isPending ? (
        <LoadingRows label="Loading coverage" />
      ) : list.isError ? (
        <ErrorMessage
          error={list.error}
          onRetry={() => list.refetch()}
          title="Could not load coverage"
        />
      ) : coverage.length === 0 ? (
        <EmptyMessage
          title="No coverage on file"
          description="Self-pay, or insurance not recorded yet."
        />
      ) : (
        <Table.ScrollContainer minWidth={760}>
          <Table striped verticalSpacing="xs" aria-label="Coverage">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Priority</Table.Th>
                <Table.Th>Payer</Table.Th>
                <Table.Th>Plan</Table.Th>
                <Table.Th>Member ID</Table.Th>
                <Table.Th>Group</Table.Th>
                <Table.Th>Subscriber</Table.Th>
                <Table.Th>Period</Table.Th>
                <Table.Th>Status</Table.Th>
                {/* Issue 13 (h13r): card images, for the roles that may see them. */}
                {showCards ? <Table.Th>Card</Table.Th> : null}
                {canEdit ? <Table.Th aria-label="Actions" /> : null}
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {coverage.map((c) => (
                <Table.Tr key={c.id}>
                  <Table.Td>{priorityLabel(c.priority)}</Table.Td>
                  <Table.Td>{c.payer}</Table.Td>
                  <Table.Td>{c.plan ?? '—'}</Table.Td>
                  <Table.Td>{c.memberId ?? '—'}</Table.Td>
                  <Table.Td>{c.groupNumber ?? '—'}</Table.Td>
                  <Table.Td>
                    {c.subscriberRelationship === null
                      ? '—'
                      : c.subscriberRelationship === 'self'
                        ? 'Patient'
                        : `${c.subscriberName ?? '—'} (${RELATIONSHIP_LABELS[c.subscriberRelationship]})`}
                  </Table.Td>
                  <Table.Td>
                    {formatDate(c.startDate)} – {c.endDate ? formatDate(c.endDate) : 'ongoing'}
                  </Table.Td>
                  <Table.Td>
                    <Badge variant="light" color={c.status === 'active' ? 'teal' : 'gray'}>
                      {c.status}
                    </Badge>
                  </Table.Td>
                  {showCards ? (
                    <Table.Td>
                      <CoverageCardLinks patientId={patientId} coverage={c} />
                    </Table.Td>
                  ) : null}
                  {canEdit ? (
                    <Table.Td>
                      <Button
                        size="compact-sm"
                        variant="subtle"
                        onClick={() => setEditing(c)}
                        aria-label={`Edit coverage ${c.payer}`}
                      >
                        Edit
                      </Button>
                    </Table.Td>
                  ) : null}
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
      <Modal
        opened={editing !== null}
        onClose={() => setEditing(null)}
        title={editing === 'new' ? 'Add coverage' : 'Edit coverage'}
        size="lg"
      >
        {editing !== null ? (
          <CoverageForm
            patientId={patientId}
            coverage={editing === 'new' ? null : editing}
            onDone={() => setEditing(null)}
          />
        ) : null}
      </Modal>
    </Stack>
  );
}

function CareTeamForm({ patientId }: { patientId: string }) {
  const add = useAddCareTeamMember(patientId);
  const practitioners = usePractitioners();
  const [formError, setFormError] = useState<string | null>(null);
  const form = useForm({
    initialValues: { practitionerId: '', name: '', role: '' },
    validate: {
      role: (v) => (v.trim() ? null : 'Enter the role on the care team'),
      name: (v, values) =>
        values.practitionerId || v.trim() ? null : 'Choose a practitioner or enter a name',
    },
  });
  const submit = form.onSubmit((values) => {
    setFormError(null);
    add.mutate(
      values.practitionerId
        ? { practitionerId: values.practitionerId, role: values.role.trim() }
        : { name: values.name.trim(), role: values.role.trim() },
      {
        onSuccess: () => {
          notifications.show({ color: 'teal', message: 'Added to the care team' });
          form.reset();
        },
        onError: (error) =>
          setFormError(showServerError(form, error, ['practitionerId', 'name', 'role'])),
      },
    );
  });
  return (
    <form onSubmit={submit} noValidate aria-label="Add to the care team">
      <Stack gap="xs">
        {formError ? (
          <Alert color="red" role="alert">
            {formError}
          </Alert>
        ) : null}
        <Group align="flex-start" grow>
          <Select
            label="Practitioner"
            placeholder="Choose, or enter a name"
            clearable
            searchable
            data={(practitioners.data ?? []).map((p) => ({ value: p.id, label: p.displayName }))}
            {...form.getInputProps('practitionerId')}
            onChange={(value) => form.setFieldValue('practitionerId', value ?? '')}
          />
          <TextInput
            label="Or name"
            disabled={Boolean(form.values.practitionerId)}
            {...form.getInputProps('name')}
          />
          <TextInput label="Role" required {...form.getInputProps('role')} />
        </Group>
        <Group justify="flex-end">
          <Button type="submit" size="xs" loading={add.isPending}>
            Add to care team
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

/** The Care team tab: the practitioners and people caring for the patient. */
export function CareTeamSection({
  patientId,
  careTeam,
}: {
  patientId: string;
  careTeam: Patient360['careTeam'];
}) {
  const canEdit = useCan('patient:write');
  const remove = useRemoveCareTeamMember(patientId);
  return (
    <Stack gap="md">
      {careTeam.length === 0 ? (
        <EmptyMessage title="No care team assigned" />
      ) : (
        <Table verticalSpacing="xs" aria-label="Care team">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Name</Table.Th>
              <Table.Th>Role</Table.Th>
              <Table.Th>Since</Table.Th>
              {canEdit ? <Table.Th aria-label="Actions" /> : null}
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {careTeam.map((m) => (
              <Table.Tr key={m.id}>
                <Table.Td>{m.name}</Table.Td>
                <Table.Td>{m.role}</Table.Td>
                <Table.Td>{formatDate(m.since)}</Table.Td>
                {canEdit ? (
                  <Table.Td>
                    <Button
                      size="compact-sm"
                      variant="subtle"
                      color="red"
                      loading={remove.isPending && remove.variables === m.id}
                      onClick={() => remove.mutate(m.id)}
                      aria-label={`Remove ${m.name} from the care team`}
                    >
                      Remove
                    </Button>
                  </Table.Td>
                ) : null}
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
      {canEdit ? <CareTeamForm patientId={patientId} /> : null}
    </Stack>
  );
}
