import type { Patient360 } from '@careloop/core';
import { Anchor, Badge, Breadcrumbs, Group, Paper, Skeleton, Stack, Tabs } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { Link, useParams, useSearchParams } from 'react-router';
import { isApiError } from '../api/client';
import { useCan } from '../auth/session';
// Issue 12: the journey map.
import { PatientJourneyTab } from '../journey-map/PatientJourneyTab';
import { MergedBanner } from '../mpi/MergedBanner';
import { PatientActionsMenu } from '../mpi/PatientActionsMenu';
import { PatientSourcesTab } from '../mpi/PatientSourcesTab';
import { RestrictedRecord, RestrictionBar } from '../restricted/RestrictedRecord';
import { EmptyMessage, ErrorMessage } from '../ui/states';
import { usePatient360 } from './api';
import { CareTeamSection, CoverageSection } from './CoverageSection';
import { PatientFormModal } from './PatientFormModal';
import { PatientHeader } from './PatientHeader';
import { AppointmentsTab } from './tabs/AppointmentsTab';
import { ConditionsTab, EncountersTab } from './tabs/ClinicalTabs';
import { ContactTab } from './tabs/DetailTabs';
import { NotesTab } from './tabs/NotesTab';
// Issue 9: questionnaire answers.
import { QuestionnairesTab } from './tabs/QuestionnairesTab';
// Issue 11 (h11v): post-visit survey answers.
import { SurveysTab } from './tabs/SurveysTab';
import { TasksTab } from './tabs/TasksTab';
import { TimelineTab } from './tabs/TimelineTab';

const TABS = [
  'timeline',
  'appointments',
  'encounters',
  'conditions',
  'coverage',
  'tasks',
  'notes',
  'care-team',
  'contact',
  'sources',
  // Issue 12: the journey map.
  'journey',
  // Issue 9: questionnaire answers.
  'questionnaires',
  // Issue 11 (h11v): post-visit survey answers.
  'surveys',
] as const;
type TabId = (typeof TABS)[number];

const TAB_LABELS: Record<TabId, string> = {
  timeline: 'Timeline',
  appointments: 'Appointments',
  encounters: 'Encounters',
  conditions: 'Conditions',
  coverage: 'Coverage',
  tasks: 'Tasks',
  notes: 'Notes',
  'care-team': 'Care team',
  contact: 'Contact',
  sources: 'Sources',
  // Issue 12: the journey map.
  journey: 'Journey',
  // Issue 9: questionnaire answers.
  questionnaires: 'Questionnaires',
  // Issue 11 (h11v): post-visit survey answers.
  surveys: 'Surveys',
};

/**
 * Whether the signed-in role may see a tab at all: a section the server withheld (minimum
 * necessary, docs/adr/0011) comes as null, and its tab is not shown.
 */
function tabShown(record: Patient360, tab: TabId): boolean {
  switch (tab) {
    case 'encounters':
      return record.encounters !== null;
    case 'conditions':
      return record.conditions !== null;
    case 'tasks':
      return record.openTasks !== null;
    case 'notes':
      return record.notes !== null;
    default:
      return true;
  }
}

function tabCount(record: Patient360, tab: TabId): number | null {
  switch (tab) {
    case 'appointments':
      return record.appointments.upcoming.length;
    case 'tasks':
      return record.openTasks?.length ?? null;
    case 'notes':
      return record.notes?.length ?? null;
    case 'conditions':
      return record.conditions?.length ?? null;
    default:
      return null;
  }
}

function PatientTabs({ record }: { record: Patient360 }) {
  const [params, setParams] = useSearchParams();
  const requested = params.get('tab');
  const shown = TABS.filter((t) => tabShown(record, t));
  const tab = shown.find((t) => t === requested) ?? 'timeline';
  const id = record.patient.id;

  return (
    <Tabs
      value={tab}
      onChange={(value) =>
        setParams(value && value !== 'timeline' ? { tab: value } : {}, { replace: true })
      }
      keepMounted={false}
    >
      <Tabs.List mb="md">
        {shown.map((t) => {
          const count = tabCount(record, t);
          return (
            <Tabs.Tab
              key={t}
              value={t}
              rightSection={
                count ? (
                  <Badge size="xs" variant="light" circle aria-hidden>
                    {count}
                  </Badge>
                ) : null
              }
            >
              {TAB_LABELS[t]}
            </Tabs.Tab>
          );
        })}
      </Tabs.List>
      <Tabs.Panel value="timeline">
        <TimelineTab patientId={id} />
      </Tabs.Panel>
      <Tabs.Panel value="appointments">
        <AppointmentsTab appointments={record.appointments} />
      </Tabs.Panel>
      <Tabs.Panel value="encounters">
        <EncountersTab encounters={record.encounters} />
      </Tabs.Panel>
      <Tabs.Panel value="conditions">
        <ConditionsTab conditions={record.conditions} />
      </Tabs.Panel>
      <Tabs.Panel value="coverage">
        <CoverageSection patientId={id} />
      </Tabs.Panel>
      <Tabs.Panel value="tasks">
        <TasksTab patientId={id} tasks={record.openTasks} />
      </Tabs.Panel>
      <Tabs.Panel value="notes">
        <NotesTab patientId={id} notes={record.notes} />
      </Tabs.Panel>
      <Tabs.Panel value="care-team">
        <CareTeamSection patientId={id} careTeam={record.careTeam} />
      </Tabs.Panel>
      <Tabs.Panel value="contact">
        <ContactTab record={record} />
      </Tabs.Panel>
      <Tabs.Panel value="sources">
        <PatientSourcesTab patientId={id} />
      </Tabs.Panel>
      {/* Issue 12: the journey map. */}
      <Tabs.Panel value="journey">
        <PatientJourneyTab patientId={id} />
      </Tabs.Panel>
      {/* Issue 9: questionnaire answers. */}
      <Tabs.Panel value="questionnaires">
        <QuestionnairesTab patientId={id} />
      </Tabs.Panel>
      {/* Issue 11 (h11v): post-visit survey answers. */}
      <Tabs.Panel value="surveys">
        <SurveysTab patientId={id} />
      </Tabs.Panel>
    </Tabs>
  );
}

/** Everything about one patient: who they are, what happened, what is next. */
export function Patient360Page() {
  const { id = '' } = useParams();
  const patient = usePatient360(id);
  const canEdit = useCan('patient:write');
  const [editing, editModal] = useDisclosure(false);

  if (patient.isPending) {
    return (
      <Stack role="status" aria-label="Loading patient">
        <Skeleton height={220} />
        <Skeleton height={36} />
        <Skeleton height={300} />
      </Stack>
    );
  }
  if (patient.isError) {
    if (isApiError(patient.error) && patient.error.code === 'restricted') {
      return <RestrictedRecord patientId={id} />;
    }
    const status = isApiError(patient.error) ? patient.error.status : 0;
    if (status === 404 || status === 400) {
      return (
        <EmptyMessage
          title="Patient not found"
          description="The record may have been merged or the link is wrong."
          action={
            <Anchor component={Link} to="/patients">
              Back to patients
            </Anchor>
          }
        />
      );
    }
    return (
      <ErrorMessage
        error={patient.error}
        onRetry={() => patient.refetch()}
        title="Could not load this patient"
      />
    );
  }

  const record = patient.data;
  // A merged record is kept only so old links resolve; changes belong on the survivor.
  const editable = canEdit && record.patient.status !== 'merged';
  return (
    <>
      <Group justify="space-between" mb="sm">
        <Breadcrumbs>
          <Anchor component={Link} to="/patients" size="sm">
            Patients
          </Anchor>
          <span>
            {record.patient.familyName}, {record.patient.givenName}
          </span>
        </Breadcrumbs>
        <PatientActionsMenu record={record} />
      </Group>
      {record.patient.status === 'merged' ? <MergedBanner patientId={record.patient.id} /> : null}
      <RestrictionBar patientId={record.patient.id} />
      <PatientHeader record={record} onEdit={editable ? editModal.open : undefined} />
      <Paper withBorder p="md">
        <PatientTabs record={record} />
      </Paper>
      {editable ? (
        <PatientFormModal
          opened={editing}
          onClose={editModal.close}
          onSaved={editModal.close}
          existing={record}
        />
      ) : null}
    </>
  );
}
