import {
  routes,
  SURVEY_COMMENT_MAX,
  SURVEY_FREQUENCIES,
  type SurveyAnswers,
  type SurveyFrequency,
  type SurveyInvitation,
} from '@careloop/core';
import {
  Alert,
  Button,
  Center,
  Chip,
  Group,
  Loader,
  Paper,
  Radio,
  Stack,
  Text,
  Textarea,
  Title,
} from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type ReactNode, useEffect, useState } from 'react';
import { Navigate, useSearchParams } from 'react-router';
import { api, isApiError } from '../api/client';
import { errorMessage } from '../ui/states';
import { type PortalLanguage, setPortalLanguage, usePortalText } from './i18n';
import { LanguageSwitch } from './LanguageSwitch';

/** This page's words, in the portal's two languages. */
const WORDS = {
  title: { en: 'How was your visit?', es: '¿Qué tal fue su visita?' },
  intro: {
    en: 'Your visit to {organization} on {date}. It takes two minutes; your answers help us do better.',
    es: 'Su visita a {organization} el {date}. Son dos minutos; sus respuestas nos ayudan a mejorar.',
  },
  nps: {
    en: 'How likely are you to recommend us to a friend or family member?',
    es: '¿Qué probabilidad hay de que nos recomiende a un amigo o familiar?',
  },
  npsLow: { en: '0 = not at all likely', es: '0 = nada probable' },
  npsHigh: { en: '10 = extremely likely', es: '10 = muy probable' },
  communication: {
    en: 'During this visit, how often did the staff explain things in a way you could understand?',
    es: 'Durante esta visita, ¿con qué frecuencia el personal le explicó las cosas de manera que usted las entendiera?',
  },
  scheduling: {
    en: 'How often was it easy to get an appointment when you needed one?',
    es: '¿Con qué frecuencia le fue fácil conseguir una cita cuando la necesitaba?',
  },
  never: { en: 'Never', es: 'Nunca' },
  sometimes: { en: 'Sometimes', es: 'A veces' },
  usually: { en: 'Usually', es: 'Casi siempre' },
  always: { en: 'Always', es: 'Siempre' },
  comment: { en: 'What could we do better?', es: '¿Qué podríamos hacer mejor?' },
  commentHint: {
    en: 'Optional. Please do not write anything urgent here: call us instead.',
    es: 'Opcional. No escriba aquí nada urgente: llámenos.',
  },
  send: { en: 'Send my answers', es: 'Enviar mis respuestas' },
  pickScore: { en: 'Choose a number from 0 to 10', es: 'Elija un número del 0 al 10' },
  thanks: {
    en: 'Thank you! Your answers reached {organization}.',
    es: '¡Gracias! Sus respuestas llegaron a {organization}.',
  },
  already: {
    en: 'This visit’s survey was already answered. Thank you!',
    es: 'La encuesta de esta visita ya fue respondida. ¡Gracias!',
  },
  noLink: {
    en: 'This survey link is not valid or has expired.',
    es: 'Este enlace de encuesta no es válido o ha caducado.',
  },
  mine: { en: 'Surveys about your visits', es: 'Encuestas sobre sus visitas' },
  none: {
    en: 'No survey to answer right now. Thank you!',
    es: 'No tiene encuestas pendientes. ¡Gracias!',
  },
} as const satisfies Record<string, Record<PortalLanguage, string>>;

function useWords() {
  const { language } = usePortalText();
  const w = (key: keyof typeof WORDS, values: Record<string, string> = {}) =>
    WORDS[key][language].replace(/\{(\w+)\}/g, (_, name: string) => values[name] ?? `{${name}}`);
  return { w, language };
}

/** The visit's day, in the page's language ("December 1, 2026"), from its YYYY-MM-DD. */
function visitDay(date: string, language: PortalLanguage): string {
  return new Intl.DateTimeFormat(language, {
    timeZone: 'UTC',
    year: 'numeric',
    month: 'long',
    day: 'numeric',
  }).format(new Date(`${date}T12:00:00Z`));
}

function Card({ children }: { children: ReactNode }) {
  const { w } = useWords();
  return (
    <Center component="main" mih="100vh" p="md" bg="var(--mantine-color-gray-light)">
      <Paper withBorder shadow="sm" p="xl" radius="md" w={560} maw="100%">
        <Stack>
          <Group justify="flex-end">
            <LanguageSwitch />
          </Group>
          <Title order={1} size="h3" ta="center">
            {w('title')}
          </Title>
          {children}
        </Stack>
      </Paper>
    </Center>
  );
}

const SCORES = Array.from({ length: 11 }, (_, i) => String(i));

/**
 * The survey's questions and its send button; `submit` answers (by link or signed in). A 409
 * (already answered) reads as thanks, as the server means it.
 */
function SurveyForm({
  invitation,
  submit,
}: {
  invitation: SurveyInvitation;
  submit: (answers: SurveyAnswers) => Promise<unknown>;
}) {
  const { w, language } = useWords();
  const [nps, setNps] = useState<string | null>(null);
  const [communication, setCommunication] = useState<SurveyFrequency | null>(null);
  const [scheduling, setScheduling] = useState<SurveyFrequency | null>(null);
  const [comment, setComment] = useState('');
  const [missing, setMissing] = useState(false);
  const send = useMutation({ mutationFn: submit });
  const organization = invitation.organization;
  const conflict = isApiError(send.error) && send.error.status === 409;
  if (invitation.answered || conflict)
    return (
      <Alert color="teal" role="status">
        {w('already')}
      </Alert>
    );
  if (send.isSuccess)
    return (
      <Alert color="teal" role="status">
        {w('thanks', { organization })}
      </Alert>
    );
  const frequency = (
    name: 'communication' | 'scheduling',
    value: SurveyFrequency | null,
    set: (v: SurveyFrequency) => void,
  ) => (
    <Radio.Group
      label={w(name)}
      value={value}
      onChange={(v) => {
        const picked = SURVEY_FREQUENCIES.find((f) => f === v);
        if (picked) set(picked);
      }}
    >
      <Group mt="xs">
        {SURVEY_FREQUENCIES.map((f) => (
          <Radio key={f} value={f} label={w(f)} />
        ))}
      </Group>
    </Radio.Group>
  );
  return (
    <form
      onSubmit={(event) => {
        event.preventDefault();
        if (nps === null) {
          setMissing(true);
          return;
        }
        send.mutate({
          nps: Number(nps),
          communication,
          scheduling,
          comment: comment.trim() ? comment : null,
        });
      }}
    >
      <Stack>
        <Text size="sm">
          {w('intro', { organization, date: visitDay(invitation.visitDate, language) })}
        </Text>
        <Stack gap={4} role="group" aria-labelledby="survey-nps">
          <Text id="survey-nps" fw={500} size="sm">
            {w('nps')}
          </Text>
          <Chip.Group
            multiple={false}
            value={nps}
            onChange={(v) => {
              setNps(v);
              setMissing(false);
            }}
          >
            <Group gap={4}>
              {SCORES.map((s) => (
                <Chip key={s} value={s} size="sm" aria-label={s}>
                  {s}
                </Chip>
              ))}
            </Group>
          </Chip.Group>
          <Group justify="space-between">
            <Text size="xs" c="dimmed">
              {w('npsLow')}
            </Text>
            <Text size="xs" c="dimmed">
              {w('npsHigh')}
            </Text>
          </Group>
          {missing ? (
            <Text size="sm" c="red" role="alert">
              {w('pickScore')}
            </Text>
          ) : null}
        </Stack>
        {frequency('communication', communication, setCommunication)}
        {frequency('scheduling', scheduling, setScheduling)}
        <Textarea
          label={w('comment')}
          description={w('commentHint')}
          value={comment}
          onChange={(e) => setComment(e.currentTarget.value)}
          maxLength={SURVEY_COMMENT_MAX}
          autosize
          minRows={3}
        />
        {send.isError ? (
          <Alert color="red" role="alert">
            {errorMessage(send.error)}
          </Alert>
        ) : null}
        <Button type="submit" loading={send.isPending}>
          {w('send')}
        </Button>
      </Stack>
    </form>
  );
}

/**
 * The page a survey invitation's link opens (`/portal/surveys?token=…`): no sign-in, the token
 * is the credential (docs/adr/0042-survey-links.md). Without a token: the signed-in list.
 */
export function SurveyLinkPage() {
  const [params] = useSearchParams();
  const token = params.get('token') ?? '';
  const { w } = useWords();
  const opened = useQuery({
    queryKey: ['survey-link', token],
    queryFn: () => api.call(routes.surveys.open, { body: { token } }),
    enabled: token !== '',
    retry: false,
  });
  const language = opened.data?.language;
  useEffect(() => {
    if (language) setPortalLanguage(language);
  }, [language]);
  if (!token) return <Navigate to="/portal/my-surveys" replace />;
  return (
    <Card>
      {opened.isPending ? (
        <Center>
          <Loader aria-label="Loading" />
        </Center>
      ) : opened.isError ? (
        <Alert color="red" role="alert">
          {isApiError(opened.error) && opened.error.status === 400
            ? w('noLink')
            : errorMessage(opened.error)}
        </Alert>
      ) : (
        <SurveyForm
          invitation={opened.data}
          submit={(answers) => api.call(routes.surveys.answer, { body: { token, ...answers } })}
        />
      )}
    </Card>
  );
}

/** The signed-in portal's surveys: each completed visit of the last 30 days not yet answered. */
export function MySurveysPage() {
  const { w } = useWords();
  const client = useQueryClient();
  const mine = useQuery({
    queryKey: ['portal-surveys'],
    queryFn: () => api.call(routes.surveys.mine),
  });
  return (
    <Stack maw={640}>
      <Title order={1} size="h2">
        {w('mine')}
      </Title>
      {mine.isPending ? <Loader aria-label="Loading" /> : null}
      {mine.isError ? (
        <Alert color="red" role="alert">
          {errorMessage(mine.error)}
        </Alert>
      ) : null}
      {mine.data?.items.length === 0 ? <Text>{w('none')}</Text> : null}
      {mine.data?.items.map((invitation) => (
        <Paper key={invitation.appointmentId} withBorder p="lg" radius="md">
          <SurveyForm
            invitation={invitation}
            submit={async (answers) => {
              const answered = await api.call(routes.surveys.answerMine, {
                params: { id: invitation.appointmentId },
                body: answers,
              });
              await client.invalidateQueries({ queryKey: ['portal-surveys'], refetchType: 'none' });
              return answered;
            }}
          />
        </Paper>
      ))}
    </Stack>
  );
}
