import type { MessagePolicySettings } from '@careloop/core';
import {
  Alert,
  Button,
  Group,
  NumberInput,
  Select,
  SimpleGrid,
  Stack,
  Switch,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { useForm } from '@mantine/form';
import { notifications } from '@mantine/notifications';
import { useState } from 'react';
import { showServerError } from '../ui/server-errors';
import { ErrorMessage, PageLoader } from '../ui/states';
import { useSendPolicy, useUpdateSendPolicy } from './send-policy-api';

/** The cap buckets: one per purpose, and series patients asked for (docs/adr/0043). */
const BUCKETS = [
  { key: 'treatment', label: 'Care and reminders' },
  { key: 'operations', label: 'Operations' },
  { key: 'marketing', label: 'Marketing' },
  { key: 'requested-series', label: 'Series the patient asked for (medication reminders)' },
] as const;

const FIELDS = ['defaultLanguage', 'quietStartMinute', 'quietEndMinute', 'frequencyCaps'];

interface PolicyValues {
  defaultLanguage: 'en' | 'es';
  anyHour: boolean;
  /** HH:MM in the patient's time zone. */
  from: string;
  until: string;
  caps: Record<(typeof BUCKETS)[number]['key'], { perDay: number; perWeek: number }>;
}

const pad = (n: number) => String(n).padStart(2, '0');
const hhmm = (minute: number) => `${pad(Math.floor(minute / 60) % 24)}:${pad(minute % 60)}`;

/** Minutes after midnight of an HH:MM text, or null when it is not one. */
export function minutesOf(text: string): number | null {
  const match = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(text.trim());
  return match ? Number(match[1]) * 60 + Number(match[2]) : null;
}

function valuesOf(policy: MessagePolicySettings): PolicyValues {
  const anyHour = policy.quietStartMinute === 0 && policy.quietEndMinute === 1440;
  return {
    defaultLanguage: policy.defaultLanguage,
    anyHour,
    from: hhmm(anyHour ? 480 : policy.quietStartMinute),
    until: hhmm(anyHour ? 1260 : policy.quietEndMinute),
    caps: {
      ...policy.frequencyCaps,
      'requested-series': policy.frequencyCaps['requested-series'] ?? { perDay: 1, perWeek: 7 },
    },
  };
}

function PolicyForm({ policy }: { policy: MessagePolicySettings }) {
  const update = useUpdateSendPolicy();
  const [formError, setFormError] = useState<string | null>(null);
  const form = useForm<PolicyValues>({
    initialValues: valuesOf(policy),
    validate: {
      from: (v, all) => (all.anyHour || minutesOf(v) !== null ? null : 'A time such as 08:00'),
      until: (v, all) => {
        if (all.anyHour) return null;
        const until = minutesOf(v);
        const from = minutesOf(all.from);
        if (until === null) return 'A time such as 21:00';
        return from !== null && until <= from ? 'After the start of sending' : null;
      },
    },
  });
  const submit = form.onSubmit((values) => {
    setFormError(null);
    const body: MessagePolicySettings = {
      defaultLanguage: values.defaultLanguage,
      quietStartMinute: values.anyHour ? 0 : (minutesOf(values.from) ?? 480),
      quietEndMinute: values.anyHour ? 1440 : (minutesOf(values.until) ?? 1260),
      frequencyCaps: values.caps,
    };
    update.mutate(body, {
      onSuccess: (saved) => {
        form.setInitialValues(valuesOf(saved));
        form.resetDirty(valuesOf(saved));
        notifications.show({ color: 'teal', message: 'Message settings saved' });
      },
      onError: (error) => setFormError(showServerError(form, error, FIELDS)),
    });
  });
  return (
    <form onSubmit={submit} noValidate aria-label="Patient message settings">
      <Stack gap="md" maw={620}>
        {formError ? (
          <Alert color="red" role="alert">
            {formError}
          </Alert>
        ) : null}
        <Select
          label="Fallback language"
          description="Used when a template has no version in the patient's language"
          data={[
            { value: 'en', label: 'English' },
            { value: 'es', label: 'Spanish' },
          ]}
          allowDeselect={false}
          {...form.getInputProps('defaultLanguage')}
        />
        <Switch
          label="Send at any hour"
          description="Off: messages outside the hours below wait for the next morning in the patient's time zone, never dropped"
          {...form.getInputProps('anyHour', { type: 'checkbox' })}
        />
        {form.values.anyHour ? null : (
          <Group grow>
            <TextInput label="Send from" placeholder="08:00" {...form.getInputProps('from')} />
            <TextInput label="Send until" placeholder="21:00" {...form.getInputProps('until')} />
          </Group>
        )}
        <div>
          <Text fw={500} size="sm">
            Most messages to one patient
          </Text>
          <Text size="xs" c="dimmed" mb="xs">
            Per purpose; a series the patient asked for (a template marked so) counts apart and does
            not use up its purpose's; replies to STOP, START and HELP are never held back
          </Text>
          <Stack gap="xs">
            {BUCKETS.map(({ key, label }) => (
              <SimpleGrid cols={3} key={key} verticalSpacing={0}>
                <Text size="sm" pt={28}>
                  {label}
                </Text>
                <NumberInput
                  label="A day"
                  aria-label={`${label}: most a day`}
                  min={0}
                  max={50}
                  allowDecimal={false}
                  {...form.getInputProps(`caps.${key}.perDay`)}
                />
                <NumberInput
                  label="A week"
                  aria-label={`${label}: most a week`}
                  min={0}
                  max={200}
                  allowDecimal={false}
                  {...form.getInputProps(`caps.${key}.perWeek`)}
                />
              </SimpleGrid>
            ))}
          </Stack>
        </div>
        <Group>
          <Button type="submit" loading={update.isPending} disabled={!form.isDirty()}>
            Save message settings
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

/** When and how often patients may be messaged (consent is per patient, on the 360 page). */
export function SendPolicySection() {
  const policy = useSendPolicy();
  return (
    <>
      <Title order={2} size="h3" mb="sm">
        Patient messages
      </Title>
      {policy.isPending ? (
        <PageLoader />
      ) : policy.isError ? (
        <ErrorMessage error={policy.error} />
      ) : (
        <PolicyForm policy={policy.data} />
      )}
    </>
  );
}
