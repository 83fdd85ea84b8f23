import {
  MERGE_FIELDS,
  type MessageTemplate,
  smsSegments,
  type TemplateChannel,
  type TemplateLanguage,
} from '@careloop/core';
import {
  Alert,
  Badge,
  Button,
  Grid,
  Group,
  NavLink,
  Paper,
  SegmentedControl,
  Stack,
  Text,
  Textarea,
  TextInput,
  Title,
} from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { notifications } from '@mantine/notifications';
import { useEffect, useState } from 'react';
import { isApiError } from '../api/client';
import { useCan } from '../auth/session';
import { PatientPicker } from '../patients/PatientPicker';
import { EmptyMessage, ErrorMessage, errorMessage, LoadingRows } from '../ui/states';
import { useSaveTemplateVersion, useTemplatePreview, useTemplates } from './api';

interface Draft {
  subject: string;
  text: string;
  html: string;
}

function draftOf(template: MessageTemplate, channel: TemplateChannel, language: TemplateLanguage) {
  const version = template.versions.find((v) => v.channel === channel && v.language === language);
  return { subject: version?.subject ?? '', text: version?.text ?? '', html: version?.html ?? '' };
}

function bodyOf(channel: TemplateChannel, draft: Draft) {
  return channel === 'email'
    ? { subject: draft.subject, text: draft.text, html: draft.html || null }
    : { text: draft.text };
}

const CHANNEL_NAMES: Record<TemplateChannel, string> = {
  email: 'email',
  sms: 'SMS',
  portal: 'portal',
};

function channelOf(value: string): TemplateChannel {
  return value === 'sms' ? 'sms' : value === 'portal' ? 'portal' : 'email';
}

/** The segment count of what was typed (merge fields unrendered), live as one types. */
function SegmentCount({ text, label }: { text: string; label: string }) {
  const s = smsSegments(text);
  return (
    <Text size="xs" c="dimmed" data-testid={`segments-${label}`}>
      {label}: {s.units} {s.encoding === 'GSM-7' ? 'characters' : 'UCS-2 characters'} · {s.segments}{' '}
      segment{s.segments === 1 ? '' : 's'} ({s.encoding})
    </Text>
  );
}

function TemplateEditor({ template, canEdit }: { template: MessageTemplate; canEdit: boolean }) {
  const [channel, setChannel] = useState<TemplateChannel>(template.versions[0]?.channel ?? 'email');
  const [language, setLanguage] = useState<TemplateLanguage>('en');
  const [draft, setDraft] = useState<Draft>(() => draftOf(template, channel, language));
  const [patientId, setPatientId] = useState<string | null>(null);
  const [fieldError, setFieldError] = useState<{ path: string; message: string } | null>(null);
  const save = useSaveTemplateVersion(template.id);
  // A new template, channel or language loads that version's saved wording.
  // biome-ignore lint/correctness/useExhaustiveDependencies: reload only on a new selection
  useEffect(() => {
    setDraft(draftOf(template, channel, language));
    setFieldError(null);
  }, [template.id, channel, language]);
  const [debounced] = useDebouncedValue(draft, 400);
  const preview = useTemplatePreview(template.id, {
    channel,
    language,
    patientId,
    body: bodyOf(channel, debounced),
  });
  const errorFor = (path: string) =>
    fieldError?.path === `/body/${path}` ? fieldError.message : undefined;
  const set = (key: keyof Draft) => (event: { currentTarget: { value: string } }) => {
    const value = event.currentTarget.value;
    setDraft((d) => ({ ...d, [key]: value }));
  };

  return (
    <Stack>
      <Group justify="space-between">
        <div>
          <Title order={3}>{template.name}</Title>
          <Text size="sm" c="dimmed">
            {template.key}
          </Text>
        </div>
        <Group gap="xs">
          <Badge variant="light">{template.purpose}</Badge>
          {template.capBucket === 'requested-series' ? (
            // docs/adr/0043: counted apart from its purpose's cap (Settings, Patient messages).
            <Badge variant="outline" title="Counted in its own frequency cap, not its purpose's">
              requested series
            </Badge>
          ) : null}
        </Group>
      </Group>
      <Group>
        <SegmentedControl
          aria-label="Channel"
          value={channel}
          onChange={(v) => setChannel(channelOf(v))}
          data={[
            { value: 'email', label: 'Email' },
            { value: 'sms', label: 'SMS' },
            { value: 'portal', label: 'Portal' },
          ]}
        />
        <SegmentedControl
          aria-label="Language"
          value={language}
          onChange={(v) => setLanguage(v === 'es' ? 'es' : 'en')}
          data={[
            { value: 'en', label: 'English' },
            { value: 'es', label: 'Español' },
          ]}
        />
      </Group>
      <Grid>
        <Grid.Col span={{ base: 12, md: 6 }}>
          <Stack gap="sm">
            {channel === 'email' && (
              <TextInput
                label="Subject"
                value={draft.subject}
                onChange={set('subject')}
                readOnly={!canEdit}
                error={errorFor('subject')}
              />
            )}
            {channel === 'portal' && (
              <Text size="sm" c="dimmed" data-testid="portal-version-hint">
                {template.versions.some((v) => v.channel === 'portal' && v.language === language)
                  ? 'Posted in the patient’s portal messages, which they read after signing in: clinical detail may be written here. They are told by text or email only that a message waits.'
                  : 'No portal version yet: the portal posts the email version’s text. Write one here to say it differently (clinical detail may be written here: the patient reads it after signing in).'}
              </Text>
            )}
            <Textarea
              label={channel === 'email' ? 'Text body' : 'Message'}
              value={draft.text}
              onChange={set('text')}
              readOnly={!canEdit}
              autosize
              minRows={4}
              error={errorFor('text')}
            />
            {channel === 'sms' && <SegmentCount text={draft.text} label="Template" />}
            {channel === 'email' && (
              <Textarea
                label="HTML body (optional)"
                value={draft.html}
                onChange={set('html')}
                readOnly={!canEdit}
                autosize
                minRows={3}
                error={errorFor('html')}
              />
            )}
            <Text size="xs" c="dimmed">
              Merge fields:{' '}
              {Object.keys(MERGE_FIELDS)
                .map((f) => `{{${f}}}`)
                .join(' ')}
              . Text between {'{{#location.name}}'} and {'{{/location.name}}'} shows only when the
              appointment has a location ({'{{^…}}'} when it has none).
            </Text>
            {canEdit && (
              <Group>
                <Button
                  loading={save.isPending}
                  onClick={() =>
                    save.mutate(
                      { channel, language, body: bodyOf(channel, draft) },
                      {
                        onSuccess: (saved) => {
                          setFieldError(null);
                          notifications.show({
                            color: 'green',
                            message:
                              saved.warnings.length > 0
                                ? `Saved, with ${saved.warnings.length} warning(s)`
                                : 'Template saved',
                          });
                        },
                        onError: (error) => {
                          if (isApiError(error) && error.problem.path)
                            setFieldError({ path: error.problem.path, message: error.message });
                          else notifications.show({ color: 'red', message: errorMessage(error) });
                        },
                      },
                    )
                  }
                >
                  Save {CHANNEL_NAMES[channel]} ({language})
                </Button>
              </Group>
            )}
          </Stack>
        </Grid.Col>
        <Grid.Col span={{ base: 12, md: 6 }}>
          <Paper withBorder p="md">
            <Stack gap="sm">
              <Title order={4}>Preview</Title>
              <PatientPicker
                label="Preview for patient"
                description="Rendered with this patient's data (the read is audited)"
                value={patientId}
                onChange={setPatientId}
              />
              {patientId === null ? (
                <Text size="sm" c="dimmed">
                  Choose a patient to see the message as they would get it.
                </Text>
              ) : preview.isError ? (
                <Alert color="red">{errorMessage(preview.error)}</Alert>
              ) : preview.data ? (
                <Stack gap="xs" data-testid="template-preview">
                  {preview.data.subject && (
                    <Text fw={600} size="sm">
                      {preview.data.subject}
                    </Text>
                  )}
                  <Text size="sm" style={{ whiteSpace: 'pre-wrap' }}>
                    {preview.data.text}
                  </Text>
                  {preview.data.segments && (
                    <Text size="xs" c="dimmed" data-testid="segments-preview">
                      As sent: {preview.data.segments.units} characters ·{' '}
                      {preview.data.segments.segments} segment
                      {preview.data.segments.segments === 1 ? '' : 's'} (
                      {preview.data.segments.encoding})
                    </Text>
                  )}
                  <Text size="xs" c="dimmed">
                    In {preview.data.language}, times in {preview.data.timeZone}
                  </Text>
                  {preview.data.warnings.map((w) => (
                    <Alert key={`${w.path}-${w.word}`} color="yellow" p="xs">
                      {w.message}
                    </Alert>
                  ))}
                </Stack>
              ) : (
                <LoadingRows />
              )}
            </Stack>
          </Paper>
        </Grid.Col>
      </Grid>
    </Stack>
  );
}

/**
 * Message templates (issue 11): per channel (email, SMS, portal) and language, with merge fields,
 * a lint that refuses clinical fields (and warns of clinical words in email and SMS), and a live
 * preview with a real patient. Admins and marketers edit;
 * the rest of the staff read.
 */
export function TemplatesPage() {
  const templates = useTemplates();
  const canEdit = useCan('template:write');
  const [selected, setSelected] = useState<string | null>(null);
  const items = templates.data?.items ?? [];
  const current = items.find((t) => t.id === selected) ?? items[0];
  return (
    <>
      <Title order={2} mb="md">
        Templates
      </Title>
      {templates.isPending ? (
        <LoadingRows />
      ) : templates.isError ? (
        <ErrorMessage error={templates.error} onRetry={() => templates.refetch()} />
      ) : !current ? (
        <EmptyMessage title="No templates" description="No message templates yet." />
      ) : (
        <Grid>
          <Grid.Col span={{ base: 12, md: 3 }}>
            <Paper withBorder p="xs" component="nav" aria-label="Templates">
              {items.map((t) => (
                <NavLink
                  key={t.id}
                  label={t.name}
                  active={t.id === current.id}
                  onClick={() => setSelected(t.id)}
                />
              ))}
            </Paper>
          </Grid.Col>
          <Grid.Col span={{ base: 12, md: 9 }}>
            <TemplateEditor key={current.id} template={current} canEdit={canEdit} />
          </Grid.Col>
        </Grid>
      )}
    </>
  );
}
