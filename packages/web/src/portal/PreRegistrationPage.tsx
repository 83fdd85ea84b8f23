import {
  ADMINISTRATIVE_SEXES,
  type AdministrativeSex,
  type AttachmentUpload,
  CHANNELS,
  type Channel,
  MAX_ATTACHMENT_BYTES,
  type PortalProfile,
  type PreRegistrationInput,
  preRegistrationErrors,
  SUBSCRIBER_RELATIONSHIPS,
  type SubscriberRelationship,
} from '@careloop/core';
import {
  Alert,
  Button,
  Checkbox,
  Fieldset,
  Group,
  Paper,
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
import { useNavigate, useSearchParams } from 'react-router';
import { languageOptions } from '../ui/labels';
import { showServerError } from '../ui/server-errors';
import { ErrorMessage, PageLoader } from '../ui/states';
import { usePortalProfile } from './api';
import { fileToBase64, useSubmitPreRegistration } from './pre-registration-api';
import { usePreRegistrationText } from './pre-registration-i18n';

interface Values {
  demographics: {
    givenName: string;
    middleName: string;
    familyName: string;
    preferredName: string;
    birthDate: string;
    administrativeSex: AdministrativeSex;
    genderIdentity: string;
  };
  address: { line1: string; line2: string; city: string; state: string; postalCode: string };
  phone: string;
  emergencyContact: { name: string; relationship: string; phone: string };
  hasInsurance: boolean;
  insurance: {
    payer: string;
    plan: string;
    memberId: string;
    groupNumber: string;
    subscriberRelationship: SubscriberRelationship;
    subscriberName: string;
    subscriberBirthDate: string;
  };
  consents: { treatment: boolean; privacyNotice: boolean };
  preferences: {
    preferredChannel: Channel;
    preferredLanguage: string;
    remindersBySms: boolean;
    remindersByEmail: boolean;
  };
}

/** Form fields the server may name in a refusal (`/body/insurance/memberId`). */
const FIELDS = [
  'demographics',
  'address',
  'phone',
  'emergencyContact',
  'insurance',
  'consents',
  'preferences',
] as const;

function initialValues(profile: PortalProfile): Values {
  const p = profile.patient;
  const home = profile.addresses.find((a) => a.use === 'home') ?? profile.addresses[0];
  const phone = profile.contactPoints.find((c) => c.system === 'phone');
  const allowed = (channel: Channel) =>
    profile.consents.find((c) => c.channel === channel && c.purpose === 'treatment-reminders')
      ?.allowed ?? false;
  return {
    demographics: {
      givenName: p.givenName,
      middleName: p.middleName ?? '',
      familyName: p.familyName,
      preferredName: p.preferredName ?? '',
      birthDate: p.birthDate,
      administrativeSex: p.administrativeSex,
      genderIdentity: p.genderIdentity ?? '',
    },
    address: {
      line1: home?.line1 ?? '',
      line2: home?.line2 ?? '',
      city: home?.city ?? '',
      state: home?.state ?? '',
      postalCode: home?.postalCode ?? '',
    },
    phone: phone?.display ?? phone?.value ?? '',
    emergencyContact: { name: '', relationship: '', phone: '' },
    hasInsurance: true,
    insurance: {
      payer: '',
      plan: '',
      memberId: '',
      groupNumber: '',
      subscriberRelationship: 'self',
      subscriberName: '',
      subscriberBirthDate: '',
    },
    consents: { treatment: false, privacyNotice: false },
    preferences: {
      preferredChannel: p.preferredChannel ?? 'email',
      preferredLanguage: p.preferredLanguage,
      remindersBySms: allowed('sms'),
      remindersByEmail: allowed('email'),
    },
  };
}

const optional = (value: string) => (value.trim() ? value.trim() : undefined);

/** The form as the route's body; card images are added once read. */
function inputOf(
  values: Values,
  appointmentId: string | null,
  cards: { cardFront?: AttachmentUpload; cardBack?: AttachmentUpload } = {},
): PreRegistrationInput {
  const d = values.demographics;
  const i = values.insurance;
  const consent = (channel: Channel, allowed: boolean) => ({
    channel,
    purpose: 'treatment-reminders' as const,
    status: allowed ? ('granted' as const) : ('denied' as const),
  });
  return {
    appointmentId,
    demographics: {
      givenName: d.givenName,
      middleName: optional(d.middleName),
      familyName: d.familyName,
      preferredName: optional(d.preferredName),
      birthDate: d.birthDate,
      administrativeSex: d.administrativeSex,
      genderIdentity: optional(d.genderIdentity),
    },
    address: { ...values.address, line2: optional(values.address.line2) },
    phone: optional(values.phone),
    emergencyContact: values.emergencyContact,
    insurance: values.hasInsurance
      ? {
          payer: i.payer,
          plan: optional(i.plan),
          memberId: i.memberId,
          groupNumber: optional(i.groupNumber),
          subscriberRelationship: i.subscriberRelationship,
          subscriberName:
            i.subscriberRelationship === 'self' ? undefined : optional(i.subscriberName),
          subscriberBirthDate:
            i.subscriberRelationship === 'self' ? undefined : optional(i.subscriberBirthDate),
          ...cards,
        }
      : null,
    consents: values.consents,
    preferences: {
      preferredChannel: values.preferences.preferredChannel,
      preferredLanguage: values.preferences.preferredLanguage,
      communication: [
        consent('sms', values.preferences.remindersBySms),
        consent('email', values.preferences.remindersByEmail),
      ],
    },
  };
}

/** `/body/insurance/memberId` → `insurance.memberId`, the form's path. */
const formPath = (path: string) => path.slice('/body/'.length).split('/').join('.');

function CardInput({
  label,
  hint,
  error,
  onChange,
}: {
  label: string;
  hint: string;
  error: string | null;
  onChange: (file: File | null) => void;
}) {
  const id = `card-${label.replace(/\W+/g, '-').toLowerCase()}`;
  return (
    <Stack gap={4}>
      <Text component="label" htmlFor={id} size="sm" fw={500}>
        {label}
      </Text>
      <input
        id={id}
        type="file"
        accept="image/png,image/jpeg,application/pdf"
        aria-describedby={`${id}-hint`}
        aria-invalid={error ? true : undefined}
        onChange={(e) => onChange(e.currentTarget.files?.[0] ?? null)}
      />
      <Text id={`${id}-hint`} size="xs" c={error ? 'red' : 'dimmed'}>
        {error ?? hint}
      </Text>
    </Stack>
  );
}

function PreRegistrationForm({ profile }: { profile: PortalProfile }) {
  const { t, issue, language } = usePreRegistrationText();
  const [params] = useSearchParams();
  const appointmentId = params.get('appointment');
  const visit = profile.upcomingAppointments.find((a) => a.id === appointmentId);
  const navigate = useNavigate();
  const submit = useSubmitPreRegistration();
  const [cards, setCards] = useState<{ front: File | null; back: File | null }>({
    front: null,
    back: null,
  });
  const [formError, setFormError] = useState<string | null>(null);
  const form = useForm<Values>({
    initialValues: initialValues(profile),
    validate: (values) => {
      const errors: Record<string, string> = {};
      // The same rules the server applies, worded in the patient's language.
      for (const e of preRegistrationErrors(inputOf(values, appointmentId), new Date())) {
        errors[formPath(e.path)] = issue(e.issue);
      }
      return errors;
    },
  });
  const tooLarge = (file: File | null) =>
    file && file.size > MAX_ATTACHMENT_BYTES ? t('cardTooLarge') : null;

  const send = form.onSubmit(
    async (values) => {
      setFormError(null);
      if (tooLarge(cards.front) || tooLarge(cards.back)) return;
      const read = async (file: File | null) =>
        file ? { fileName: file.name, dataBase64: await fileToBase64(file) } : undefined;
      const [cardFront, cardBack] = await Promise.all([read(cards.front), read(cards.back)]);
      const body = inputOf(values, appointmentId, {
        ...(cardFront ? { cardFront } : {}),
        ...(cardBack ? { cardBack } : {}),
      });
      submit.mutate(body, {
        onSuccess: () => {
          notifications.show({ color: 'teal', title: t('done'), message: t('saved') });
          navigate(appointmentId ? '/portal/appointments' : '/portal');
        },
        onError: (error) => setFormError(showServerError(form, error, FIELDS)),
      });
    },
    () => setFormError(t('fixErrors')),
  );

  const sexes = ADMINISTRATIVE_SEXES.map((value) => ({ value, label: t(`sex_${value}`) }));
  const relationships = SUBSCRIBER_RELATIONSHIPS.map((value) => ({
    value,
    label: t(`rel_${value}`),
  }));
  const channels = CHANNELS.map((value) => ({ value, label: t(`ch_${value}`) }));
  const holder = form.values.insurance.subscriberRelationship !== 'self';

  return (
    <Paper withBorder p="lg" component="form" onSubmit={send} noValidate>
      <Stack gap="lg">
        <div>
          <Title order={1} size="h2">
            {t('title')}
          </Title>
          <Text c="dimmed" size="sm" mt={4}>
            {visit
              ? t('forVisit', {
                  when: new Intl.DateTimeFormat(language, {
                    dateStyle: 'full',
                    timeStyle: 'short',
                  }).format(new Date(visit.startAt)),
                })
              : t('intro')}
          </Text>
        </div>
        {formError ? (
          <Alert color="red" role="alert">
            {formError}
          </Alert>
        ) : null}

        <Fieldset legend={t('aboutYou')}>
          <SimpleGrid cols={{ base: 1, sm: 2 }}>
            <TextInput
              label={t('givenName')}
              required
              {...form.getInputProps('demographics.givenName')}
            />
            <TextInput label={t('middleName')} {...form.getInputProps('demographics.middleName')} />
            <TextInput
              label={t('familyName')}
              required
              {...form.getInputProps('demographics.familyName')}
            />
            <TextInput
              label={t('preferredName')}
              {...form.getInputProps('demographics.preferredName')}
            />
            <TextInput
              label={t('birthDate')}
              type="date"
              required
              {...form.getInputProps('demographics.birthDate')}
            />
            <Select
              label={t('sex')}
              data={sexes}
              allowDeselect={false}
              {...form.getInputProps('demographics.administrativeSex')}
            />
            <TextInput
              label={t('genderIdentity')}
              {...form.getInputProps('demographics.genderIdentity')}
            />
            <TextInput label={t('phone')} type="tel" {...form.getInputProps('phone')} />
          </SimpleGrid>
        </Fieldset>

        <Fieldset legend={t('address')}>
          <SimpleGrid cols={{ base: 1, sm: 2 }}>
            <TextInput label={t('line1')} required {...form.getInputProps('address.line1')} />
            <TextInput label={t('line2')} {...form.getInputProps('address.line2')} />
            <TextInput label={t('city')} required {...form.getInputProps('address.city')} />
            <TextInput label={t('state')} required {...form.getInputProps('address.state')} />
            <TextInput
              label={t('postalCode')}
              required
              {...form.getInputProps('address.postalCode')}
            />
          </SimpleGrid>
        </Fieldset>

        <Fieldset legend={t('emergency')}>
          <SimpleGrid cols={{ base: 1, sm: 3 }}>
            <TextInput
              label={t('contactName')}
              required
              {...form.getInputProps('emergencyContact.name')}
            />
            <TextInput
              label={t('relationship')}
              required
              {...form.getInputProps('emergencyContact.relationship')}
            />
            <TextInput
              label={t('contactPhone')}
              type="tel"
              required
              {...form.getInputProps('emergencyContact.phone')}
            />
          </SimpleGrid>
        </Fieldset>

        <Fieldset legend={t('insurance')}>
          <Stack>
            <Switch
              label={t('hasInsurance')}
              {...form.getInputProps('hasInsurance', { type: 'checkbox' })}
            />
            {form.values.hasInsurance ? (
              <>
                <SimpleGrid cols={{ base: 1, sm: 2 }}>
                  <TextInput
                    label={t('payer')}
                    required
                    {...form.getInputProps('insurance.payer')}
                  />
                  <TextInput label={t('plan')} {...form.getInputProps('insurance.plan')} />
                  <TextInput
                    label={t('memberId')}
                    required
                    {...form.getInputProps('insurance.memberId')}
                  />
                  <TextInput
                    label={t('groupNumber')}
                    {...form.getInputProps('insurance.groupNumber')}
                  />
                  <Select
                    label={t('subscriberRelationship')}
                    data={relationships}
                    allowDeselect={false}
                    {...form.getInputProps('insurance.subscriberRelationship')}
                  />
                </SimpleGrid>
                {holder ? (
                  <SimpleGrid cols={{ base: 1, sm: 2 }}>
                    <TextInput
                      label={t('subscriberName')}
                      required
                      {...form.getInputProps('insurance.subscriberName')}
                    />
                    <TextInput
                      label={t('subscriberBirthDate')}
                      type="date"
                      {...form.getInputProps('insurance.subscriberBirthDate')}
                    />
                  </SimpleGrid>
                ) : null}
                <SimpleGrid cols={{ base: 1, sm: 2 }}>
                  <CardInput
                    label={t('cardFront')}
                    hint={t('cardHint')}
                    error={
                      tooLarge(cards.front) ??
                      (form.errors['insurance.cardFront.dataBase64']?.toString() || null)
                    }
                    onChange={(front) => setCards((c) => ({ ...c, front }))}
                  />
                  <CardInput
                    label={t('cardBack')}
                    hint={t('cardHint')}
                    error={
                      tooLarge(cards.back) ??
                      (form.errors['insurance.cardBack.dataBase64']?.toString() || null)
                    }
                    onChange={(back) => setCards((c) => ({ ...c, back }))}
                  />
                </SimpleGrid>
              </>
            ) : (
              <Text size="sm" c="dimmed">
                {t('selfPay')}
              </Text>
            )}
          </Stack>
        </Fieldset>

        <Fieldset legend={t('consents')}>
          <Stack>
            <Checkbox
              label={t('treatment')}
              {...form.getInputProps('consents.treatment', { type: 'checkbox' })}
            />
            <Checkbox
              label={t('privacyNotice')}
              {...form.getInputProps('consents.privacyNotice', { type: 'checkbox' })}
            />
          </Stack>
        </Fieldset>

        <Fieldset legend={t('preferences')}>
          <Stack>
            <SimpleGrid cols={{ base: 1, sm: 2 }}>
              <Select
                label={t('preferredChannel')}
                data={channels}
                allowDeselect={false}
                {...form.getInputProps('preferences.preferredChannel')}
              />
              <Select
                label={t('preferredLanguage')}
                data={languageOptions(form.values.preferences.preferredLanguage)}
                allowDeselect={false}
                {...form.getInputProps('preferences.preferredLanguage')}
              />
            </SimpleGrid>
            <Checkbox
              label={t('remindersByText')}
              {...form.getInputProps('preferences.remindersBySms', { type: 'checkbox' })}
            />
            <Checkbox
              label={t('remindersByEmail')}
              {...form.getInputProps('preferences.remindersByEmail', { type: 'checkbox' })}
            />
          </Stack>
        </Fieldset>

        <Group justify="flex-end">
          <Button type="submit" loading={submit.isPending}>
            {t('submit')}
          </Button>
        </Group>
      </Stack>
    </Paper>
  );
}

/** `/portal/pre-registration[?appointment=<id>]`: the patient pre-registers before a visit. */
export function PreRegistrationPage() {
  const profile = usePortalProfile();
  if (profile.isPending) return <PageLoader label="Loading your profile" />;
  if (profile.isError) {
    return <ErrorMessage error={profile.error} onRetry={() => profile.refetch()} />;
  }
  return <PreRegistrationForm profile={profile.data} />;
}
