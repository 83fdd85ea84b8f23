import { formatMrn, type OrganizationSettings, parseMrnFormat } from '@careloop/core';
import {
  Alert,
  Button,
  Group,
  Paper,
  Select,
  Stack,
  Switch,
  TextInput,
  Title,
} from '@mantine/core';
import { useForm } from '@mantine/form';
import { notifications } from '@mantine/notifications';
import { useState } from 'react';
import { useLocations } from '../patients/api';
import { ScheduleModeSection } from '../scheduling/ScheduleModeSection';
import { showServerError } from '../ui/server-errors';
import { ErrorMessage, PageLoader } from '../ui/states';
import { SendPolicySection } from './SendPolicyForm';
import { useOrganizationSettings, useUpdateOrganizationSettings } from './settings-api';

const FIELDS = ['mrnFormat', 'defaultLocationId', 'portalSignUpListed'];

interface SettingsValues {
  mrnFormat: string;
  defaultLocationId: string | null;
  portalSignUpListed: boolean;
}

/** The MRN a format gives, as an example under the field; nothing while it is not valid. */
function example(format: string): string | null {
  return parseMrnFormat(format.trim())
    ? `Next numbers look like ${formatMrn(format.trim(), 42)}`
    : null;
}

function SettingsForm({ settings }: { settings: OrganizationSettings }) {
  const update = useUpdateOrganizationSettings();
  const locations = useLocations();
  const [formError, setFormError] = useState<string | null>(null);
  const form = useForm<SettingsValues>({
    initialValues: {
      mrnFormat: settings.mrnFormat,
      defaultLocationId: settings.defaultLocationId,
      portalSignUpListed: settings.portalSignUpListed,
    },
    validate: {
      mrnFormat: (v) =>
        parseMrnFormat(v.trim())
          ? null
          : 'Letters, digits and - . _ / around one {seq} or {seq:N}, e.g. CL-{seq:6}',
    },
  });
  const submit = form.onSubmit((values) => {
    setFormError(null);
    update.mutate(
      {
        mrnFormat: values.mrnFormat.trim(),
        defaultLocationId: values.defaultLocationId,
        portalSignUpListed: values.portalSignUpListed,
      },
      {
        onSuccess: (saved) => {
          form.resetDirty({ ...saved });
          notifications.show({ color: 'teal', message: 'Organization settings saved' });
        },
        onError: (error) => setFormError(showServerError(form, error, FIELDS)),
      },
    );
  });
  const locationOptions = (locations.data ?? []).map((l) => ({ value: l.id, label: l.name }));
  return (
    <form onSubmit={submit} noValidate>
      <Stack gap="md" maw={520}>
        {formError ? (
          <Alert color="red" role="alert">
            {formError}
          </Alert>
        ) : null}
        <TextInput
          label="MRN format"
          description={
            example(form.values.mrnFormat) ??
            'The MRN given to each patient registered in the console; {seq:6} is the number padded to 6 digits'
          }
          required
          {...form.getInputProps('mrnFormat')}
        />
        <Select
          label="Default location for new patients"
          description="Used when the person registering does not choose one"
          placeholder="The registrar's own location"
          data={locationOptions}
          clearable
          searchable
          {...form.getInputProps('defaultLocationId')}
        />
        <Switch
          label="List this organization on the portal's sign-up page"
          {...form.getInputProps('portalSignUpListed', { type: 'checkbox' })}
        />
        <Group>
          <Button type="submit" loading={update.isPending} disabled={!form.isDirty()}>
            Save settings
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

/** Admins set how new patients are numbered and placed, and when patients may be messaged. */
export function OrganizationSettingsPage() {
  const settings = useOrganizationSettings();
  return (
    <>
      <Title order={1} size="h2" mb="md">
        Organization settings
      </Title>
      <Paper withBorder p="lg">
        {settings.isPending ? (
          <PageLoader />
        ) : settings.isError ? (
          <ErrorMessage error={settings.error} />
        ) : (
          <SettingsForm settings={settings.data} />
        )}
      </Paper>
      <Paper withBorder p="lg" mt="lg">
        <SendPolicySection />
      </Paper>
      {/* Issue 13 (h13e): who owns the schedule. */}
      <Paper withBorder p="lg" mt="lg">
        <ScheduleModeSection />
      </Paper>
    </>
  );
}
