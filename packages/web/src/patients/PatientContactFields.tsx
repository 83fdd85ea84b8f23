import { ActionIcon, Button, Fieldset, Group, Select, Stack, Text, TextInput } from '@mantine/core';
import type { UseFormReturnType } from '@mantine/form';
import { IconPlus, IconTrash } from '@tabler/icons-react';
import { type PatientFormValues, rowKey } from './patient-form';

type PatientForm = UseFormReturnType<PatientFormValues>;

function RemoveButton({ label, onClick }: { label: string; onClick: () => void }) {
  return (
    <ActionIcon variant="subtle" color="red" aria-label={label} onClick={onClick} mb={4}>
      <IconTrash size={16} />
    </ActionIcon>
  );
}

function AddButton({ label, onClick }: { label: string; onClick: () => void }) {
  return (
    <Group>
      <Button variant="light" size="xs" leftSection={<IconPlus size={14} />} onClick={onClick}>
        {label}
      </Button>
    </Group>
  );
}

export function ContactPointFields({ form }: { form: PatientForm }) {
  const rows = form.values.contactPoints;
  return (
    <Fieldset legend="Phone numbers and email">
      <Stack gap="xs">
        {rows.length === 0 ? (
          <Text size="sm" c="dimmed">
            None yet.
          </Text>
        ) : null}
        {rows.map((row, index) => (
          <Group key={row.key} align="flex-end" gap="xs" wrap="nowrap">
            <Select
              label="Type"
              w={110}
              allowDeselect={false}
              data={[
                { value: 'phone', label: 'Phone' },
                { value: 'email', label: 'Email' },
              ]}
              {...form.getInputProps(`contactPoints.${index}.system`)}
            />
            <TextInput
              label={row.system === 'email' ? 'Email address' : 'Phone number'}
              style={{ flex: 1 }}
              {...form.getInputProps(`contactPoints.${index}.value`)}
            />
            <Select
              label="Use"
              w={120}
              clearable
              data={[
                { value: 'mobile', label: 'Mobile' },
                { value: 'home', label: 'Home' },
                { value: 'work', label: 'Work' },
              ]}
              {...form.getInputProps(`contactPoints.${index}.use`)}
            />
            <RemoveButton
              label={`Remove contact ${index + 1}`}
              onClick={() => form.removeListItem('contactPoints', index)}
            />
          </Group>
        ))}
        <AddButton
          label="Add phone or email"
          onClick={() =>
            form.insertListItem('contactPoints', {
              key: rowKey(),
              system: 'phone',
              value: '',
              use: 'mobile',
            })
          }
        />
      </Stack>
    </Fieldset>
  );
}

export function AddressFields({ form }: { form: PatientForm }) {
  const rows = form.values.addresses;
  return (
    <Fieldset legend="Addresses">
      <Stack gap="md">
        {rows.length === 0 ? (
          <Text size="sm" c="dimmed">
            None yet.
          </Text>
        ) : null}
        {rows.map((row, index) => (
          <Stack key={row.key} gap="xs">
            <Group align="flex-end" gap="xs" wrap="nowrap">
              <Select
                label="Use"
                w={120}
                clearable
                data={[
                  { value: 'home', label: 'Home' },
                  { value: 'work', label: 'Work' },
                  { value: 'mailing', label: 'Mailing' },
                ]}
                {...form.getInputProps(`addresses.${index}.use`)}
              />
              <TextInput
                label="Street"
                style={{ flex: 2 }}
                {...form.getInputProps(`addresses.${index}.line1`)}
              />
              <TextInput
                label="Apt, suite"
                style={{ flex: 1 }}
                {...form.getInputProps(`addresses.${index}.line2`)}
              />
              <RemoveButton
                label={`Remove address ${index + 1}`}
                onClick={() => form.removeListItem('addresses', index)}
              />
            </Group>
            <Group gap="xs" wrap="nowrap">
              <TextInput
                label="City"
                style={{ flex: 2 }}
                {...form.getInputProps(`addresses.${index}.city`)}
              />
              <TextInput label="State" w={80} {...form.getInputProps(`addresses.${index}.state`)} />
              <TextInput
                label="Postal code"
                w={120}
                {...form.getInputProps(`addresses.${index}.postalCode`)}
              />
              <TextInput
                label="Country"
                w={80}
                maxLength={2}
                {...form.getInputProps(`addresses.${index}.country`)}
              />
            </Group>
          </Stack>
        ))}
        <AddButton
          label="Add address"
          onClick={() =>
            form.insertListItem('addresses', {
              key: rowKey(),
              use: 'home',
              line1: '',
              line2: '',
              city: '',
              state: '',
              postalCode: '',
              country: 'US',
            })
          }
        />
      </Stack>
    </Fieldset>
  );
}

export function IdentifierFields({ form }: { form: PatientForm }) {
  const rows = form.values.identifiers;
  return (
    <Fieldset legend="Identifiers">
      <Stack gap="xs">
        {rows.length === 0 ? (
          <Text size="sm" c="dimmed">
            None yet. The MRN is usually assigned by the EHR.
          </Text>
        ) : null}
        {rows.map((row, index) => (
          <Group key={row.key} align="flex-end" gap="xs" wrap="nowrap">
            <TextInput
              label="Type"
              w={90}
              placeholder="MR"
              {...form.getInputProps(`identifiers.${index}.type`)}
            />
            <TextInput
              label="Issuer (system)"
              style={{ flex: 1 }}
              {...form.getInputProps(`identifiers.${index}.system`)}
            />
            <TextInput
              label="Value"
              style={{ flex: 1 }}
              {...form.getInputProps(`identifiers.${index}.value`)}
            />
            <RemoveButton
              label={`Remove identifier ${index + 1}`}
              onClick={() => form.removeListItem('identifiers', index)}
            />
          </Group>
        ))}
        <AddButton
          label="Add identifier"
          onClick={() =>
            form.insertListItem('identifiers', {
              key: rowKey(),
              system: '',
              value: '',
              type: 'MR',
              source: null,
            })
          }
        />
      </Stack>
    </Fieldset>
  );
}
