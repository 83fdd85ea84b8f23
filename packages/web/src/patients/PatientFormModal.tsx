import { ADMINISTRATIVE_SEXES, CHANNELS, type Patient360 } from '@careloop/core';
import {
  Alert,
  Button,
  Fieldset,
  Group,
  Modal,
  Select,
  SimpleGrid,
  Stack,
  TagsInput,
  TextInput,
} from '@mantine/core';
import { DateInput } from '@mantine/dates';
import { useForm } from '@mantine/form';
import { notifications } from '@mantine/notifications';
import { useState } from 'react';
import { parseCalendarDate } from '../ui/format';
import { CHANNEL_LABELS, languageOptions, optionsOf, SEX_LABELS } from '../ui/labels';
import { showServerError } from '../ui/server-errors';
import { useCreatePatient, useLocations, useUpdatePatient } from './api';
import { AddressFields, ContactPointFields, IdentifierFields } from './PatientContactFields';
import {
  emptyPatientForm,
  FORM_FIELDS,
  formFrom360,
  type PatientFormValues,
  toCreateBody,
  toUpdateBody,
} from './patient-form';

const TIME_ZONES = Intl.supportedValuesOf('timeZone');
// A stored zone the browser does not list (e.g. an alias) is still shown, not blanked.
const timeZoneOptions = (current: string | null) =>
  current && !TIME_ZONES.includes(current) ? [current, ...TIME_ZONES] : TIME_ZONES;

interface PatientFormModalProps {
  opened: boolean;
  onClose: () => void;
  onSaved: (patient: Patient360) => void;
  /** The record to edit; without it the form creates a patient. */
  existing?: Patient360;
}

export function PatientFormModal(props: PatientFormModalProps) {
  return (
    <Modal
      opened={props.opened}
      onClose={props.onClose}
      title={props.existing ? 'Edit patient' : 'New patient'}
      size="xl"
    >
      {/* Mounted only while open, so each opening starts from the current record. */}
      {props.opened ? <PatientForm {...props} /> : null}
    </Modal>
  );
}

function PatientForm({ onClose, onSaved, existing }: PatientFormModalProps) {
  const create = useCreatePatient();
  const update = useUpdatePatient(existing?.patient.id ?? '');
  const locations = useLocations();
  const [formError, setFormError] = useState<string | null>(null);
  const form = useForm<PatientFormValues>({
    initialValues: existing ? formFrom360(existing) : emptyPatientForm(),
    validate: {
      givenName: (v) => (v.trim() ? null : 'Enter the given name'),
      familyName: (v) => (v.trim() ? null : 'Enter the family name'),
      birthDate: (v) => (v ? null : 'Enter the birth date'),
      administrativeSex: (v) => (v ? null : 'Choose one'),
      contactPoints: {
        value: (v) => (v.trim().length >= 3 ? null : 'Enter a phone number or email'),
      },
      addresses: {
        line1: (v) => (v.trim() ? null : 'Enter the street'),
        city: (v) => (v.trim() ? null : 'Enter the city'),
      },
      identifiers: {
        system: (v) => (v.trim() ? null : 'Enter the issuer'),
        value: (v) => (v.trim() ? null : 'Enter the value'),
      },
    },
  });
  const saving = create.isPending || update.isPending;

  const onError = (error: unknown) => setFormError(showServerError(form, error, FORM_FIELDS));
  const onSuccess = (patient: Patient360) => {
    notifications.show({
      color: 'teal',
      message: existing
        ? 'Patient updated'
        : `${patient.patient.givenName} ${patient.patient.familyName} added`,
    });
    onSaved(patient);
  };

  const submit = form.onSubmit((values) => {
    setFormError(null);
    if (existing) {
      const body = toUpdateBody(values, (field) => form.isDirty(field));
      if (Object.keys(body).length === 0) return onClose();
      update.mutate(body, { onSuccess, onError });
    } else {
      create.mutate(toCreateBody(values), { onSuccess, onError });
    }
  });

  return (
    <form onSubmit={submit} noValidate>
      <Stack>
        {formError ? (
          <Alert color="red" role="alert">
            {formError}
          </Alert>
        ) : null}
        <Fieldset legend="Name and demographics">
          <SimpleGrid cols={{ base: 1, sm: 2 }}>
            <TextInput label="Given name" required {...form.getInputProps('givenName')} />
            <TextInput label="Family name" required {...form.getInputProps('familyName')} />
            <TextInput label="Middle name" {...form.getInputProps('middleName')} />
            <TextInput label="Preferred name" {...form.getInputProps('preferredName')} />
            <DateInput
              label="Birth date"
              required
              placeholder="YYYY-MM-DD or MM/DD/YYYY"
              valueFormat="YYYY-MM-DD"
              dateParser={parseCalendarDate}
              maxDate={new Date()}
              defaultLevel="decade"
              {...form.getInputProps('birthDate')}
            />
            <Select
              label="Sex"
              required
              data={optionsOf(ADMINISTRATIVE_SEXES, SEX_LABELS)}
              {...form.getInputProps('administrativeSex')}
            />
            <TextInput label="Gender identity" {...form.getInputProps('genderIdentity')} />
            <TagsInput
              label="Flags"
              placeholder="e.g. interpreter, VIP"
              {...form.getInputProps('flags')}
            />
          </SimpleGrid>
        </Fieldset>

        <Fieldset legend="Preferences">
          <SimpleGrid cols={{ base: 1, sm: 2 }}>
            <Select
              label="Preferred language"
              searchable
              allowDeselect={false}
              data={languageOptions(form.values.preferredLanguage)}
              {...form.getInputProps('preferredLanguage')}
            />
            <Select
              label="Preferred channel"
              placeholder="Not set"
              data={optionsOf(CHANNELS, CHANNEL_LABELS)}
              clearable={!existing}
              {...form.getInputProps('preferredChannel')}
            />
            <Select
              label="Time zone"
              placeholder="The location's time zone"
              searchable
              clearable={!existing}
              data={timeZoneOptions(form.values.timeZone)}
              {...form.getInputProps('timeZone')}
            />
            <Select
              label="Primary location"
              placeholder={locations.isError ? 'Locations unavailable' : 'None'}
              clearable
              searchable
              data={(locations.data ?? []).map((l) => ({ value: l.id, label: l.name }))}
              {...form.getInputProps('primaryLocationId')}
            />
          </SimpleGrid>
        </Fieldset>

        <ContactPointFields form={form} />
        <AddressFields form={form} />
        <IdentifierFields form={form} />

        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            Cancel
          </Button>
          <Button type="submit" loading={saving}>
            {existing ? 'Save changes' : 'Create patient'}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
