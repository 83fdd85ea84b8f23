import {
  CLIENT_ROLES,
  type ClientRole,
  WEBHOOK_EVENT_TYPES,
  type WebhookEventType,
} from '@careloop/core';
import {
  Alert,
  Badge,
  Button,
  Checkbox,
  Code,
  Group,
  MultiSelect,
  Paper,
  Select,
  Stack,
  Table,
  Text,
  Textarea,
  TextInput,
  Title,
} from '@mantine/core';
import { useState } from 'react';
import { ErrorMessage, PageLoader } from '../ui/states';
import {
  useApiClients,
  useCreateWebhook,
  useDeliveries,
  useDisableWebhook,
  useRegisterClient,
  useReplayDelivery,
  useRevokeClient,
  useRotateWebhookSecret,
  useWebhooks,
} from './api';

const SCOPES = ['Patient', 'Appointment', 'Encounter', 'Condition', 'Communication'].map(
  (t) => `system/${t}.rs`,
);

const messageOf = (error: unknown) =>
  error instanceof Error ? error.message : 'Something went wrong';

/** Register an API client: its name, public keys (JWKS) and system scopes. */
function ClientForm() {
  const register = useRegisterClient();
  const [name, setName] = useState('');
  const [jwks, setJwks] = useState('');
  const [scopes, setScopes] = useState<string[]>(['system/Patient.rs']);
  const [role, setRole] = useState<ClientRole>('front-desk');
  const [error, setError] = useState<string | null>(null);
  const submit = () => {
    let keys: unknown;
    try {
      keys = JSON.parse(jwks);
    } catch {
      setError('The JWKS is not JSON');
      return;
    }
    setError(null);
    register.mutate(
      { name, jwks: keys as { keys: Record<string, unknown>[] }, scopes, role },
      {
        onSuccess: () => {
          setName('');
          setJwks('');
        },
        onError: (e) => setError(messageOf(e)),
      },
    );
  };
  return (
    <Paper withBorder p="md">
      <Stack gap="sm">
        <Title order={3}>Register an API client</Title>
        <TextInput
          label="Name"
          required
          value={name}
          onChange={(e) => setName(e.currentTarget.value)}
        />
        <Textarea
          label="Public keys (JWKS)"
          description='{"keys":[{"kty":"EC","crv":"P-384",…}]}: public keys only'
          required
          autosize
          minRows={3}
          value={jwks}
          onChange={(e) => setJwks(e.currentTarget.value)}
        />
        <MultiSelect label="System scopes" data={SCOPES} value={scopes} onChange={setScopes} />
        <Select
          label="Reads as role"
          description="Field-level access follows this role"
          data={[...CLIENT_ROLES]}
          value={role}
          allowDeselect={false}
          onChange={(v) => v && setRole(v as ClientRole)}
        />
        {error && (
          <Alert color="red" role="alert">
            {error}
          </Alert>
        )}
        <Group>
          <Button onClick={submit} loading={register.isPending} disabled={!name || !jwks}>
            Register client
          </Button>
        </Group>
      </Stack>
    </Paper>
  );
}

function ClientTable() {
  const clients = useApiClients();
  const revoke = useRevokeClient();
  if (clients.isPending) return <PageLoader />;
  if (clients.isError)
    return <ErrorMessage error={clients.error} onRetry={() => clients.refetch()} />;
  if (clients.data.items.length === 0) return <Text c="dimmed">No API clients yet.</Text>;
  return (
    <Table striped aria-label="API clients">
      <Table.Thead>
        <Table.Tr>
          <Table.Th>Name</Table.Th>
          <Table.Th>client_id</Table.Th>
          <Table.Th>Scopes</Table.Th>
          <Table.Th>Status</Table.Th>
          <Table.Th>Actions</Table.Th>
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {clients.data.items.map((c) => (
          <Table.Tr key={c.id}>
            <Table.Td>{c.name}</Table.Td>
            <Table.Td>
              <Code>{c.clientId}</Code>
            </Table.Td>
            <Table.Td>{c.scopes.join(' ')}</Table.Td>
            <Table.Td>
              {c.revokedAt ? <Badge color="gray">revoked</Badge> : <Badge>active</Badge>}
            </Table.Td>
            <Table.Td>
              {!c.revokedAt && (
                <Button size="xs" color="red" variant="light" onClick={() => revoke.mutate(c.id)}>
                  Revoke {c.name}
                </Button>
              )}
            </Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}

/** Add a webhook endpoint; its secret is shown once. */
function WebhookForm({ onSecret }: { onSecret: (secret: string) => void }) {
  const create = useCreateWebhook();
  const [url, setUrl] = useState('');
  const [types, setTypes] = useState<string[]>(['appointment.booked']);
  // Issue 11 (h11w): the endpoint's policy for journey webhook actions.
  const [includesPatientId, setIncludesPatientId] = useState(false);
  const [error, setError] = useState<string | null>(null);
  return (
    <Paper withBorder p="md">
      <Stack gap="sm">
        <Title order={3}>Add a webhook endpoint</Title>
        <TextInput
          label="URL"
          required
          value={url}
          onChange={(e) => setUrl(e.currentTarget.value)}
        />
        <MultiSelect
          label="Events"
          data={[...WEBHOOK_EVENT_TYPES]}
          value={types}
          onChange={setTypes}
        />
        <Checkbox
          label="Journey steps may send the patient's id (otherwise only the journey, step and enrolment ids)"
          checked={includesPatientId}
          onChange={(e) => setIncludesPatientId(e.currentTarget.checked)}
        />
        {error && (
          <Alert color="red" role="alert">
            {error}
          </Alert>
        )}
        <Group>
          <Button
            disabled={!url}
            loading={create.isPending}
            onClick={() =>
              create.mutate(
                { url, eventTypes: types as WebhookEventType[], includesPatientId },
                {
                  onSuccess: (answer) => {
                    setError(null);
                    setUrl('');
                    onSecret(answer.secret);
                  },
                  onError: (e) => setError(messageOf(e)),
                },
              )
            }
          >
            Add endpoint
          </Button>
        </Group>
      </Stack>
    </Paper>
  );
}

function WebhookTable({ onSecret }: { onSecret: (secret: string) => void }) {
  const webhooks = useWebhooks();
  const rotate = useRotateWebhookSecret();
  const disable = useDisableWebhook();
  if (webhooks.isPending) return <PageLoader />;
  if (webhooks.isError)
    return <ErrorMessage error={webhooks.error} onRetry={() => webhooks.refetch()} />;
  if (webhooks.data.items.length === 0) return <Text c="dimmed">No webhook endpoints yet.</Text>;
  return (
    <Table striped aria-label="Webhook endpoints">
      <Table.Thead>
        <Table.Tr>
          <Table.Th>URL</Table.Th>
          <Table.Th>Events</Table.Th>
          <Table.Th>Status</Table.Th>
          <Table.Th>Actions</Table.Th>
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {webhooks.data.items.map((w) => (
          <Table.Tr key={w.id}>
            <Table.Td>{w.url}</Table.Td>
            <Table.Td>
              {w.eventTypes.join(', ') || 'journey steps only'}
              {w.includesPatientId ? ' · patient id' : ''}
            </Table.Td>
            <Table.Td>
              {w.enabled ? <Badge>enabled</Badge> : <Badge color="gray">disabled</Badge>}
            </Table.Td>
            <Table.Td>
              {w.enabled && (
                <Group gap="xs">
                  <Button
                    size="xs"
                    variant="light"
                    onClick={() => rotate.mutate(w.id, { onSuccess: (a) => onSecret(a.secret) })}
                  >
                    Rotate secret
                  </Button>
                  <Button
                    size="xs"
                    color="red"
                    variant="light"
                    onClick={() => disable.mutate(w.id)}
                  >
                    Disable
                  </Button>
                </Group>
              )}
            </Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}

function DeliveryLog() {
  const deliveries = useDeliveries();
  const replay = useReplayDelivery();
  if (deliveries.isPending) return <PageLoader />;
  if (deliveries.isError) {
    return <ErrorMessage error={deliveries.error} onRetry={() => deliveries.refetch()} />;
  }
  if (deliveries.data.items.length === 0) return <Text c="dimmed">Nothing delivered yet.</Text>;
  return (
    <Table striped aria-label="Webhook deliveries">
      <Table.Thead>
        <Table.Tr>
          <Table.Th>Event</Table.Th>
          <Table.Th>Status</Table.Th>
          <Table.Th>Attempts</Table.Th>
          <Table.Th>Response</Table.Th>
          <Table.Th>Queued</Table.Th>
          <Table.Th>Actions</Table.Th>
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {deliveries.data.items.map((d) => (
          <Table.Tr key={d.id}>
            <Table.Td>
              {d.eventType}
              {d.replayOf ? ' (replay)' : ''}
            </Table.Td>
            <Table.Td>{d.status}</Table.Td>
            <Table.Td>{d.attempts}</Table.Td>
            <Table.Td>{d.responseCode ?? d.lastError ?? '—'}</Table.Td>
            <Table.Td>{new Date(d.createdAt).toLocaleString()}</Table.Td>
            <Table.Td>
              <Button size="xs" variant="light" onClick={() => replay.mutate(d.id)}>
                Replay
              </Button>
            </Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}

/** Integrations: API clients for systems, webhook endpoints and their delivery log (admins). */
export function IntegrationsPage() {
  const [secret, setSecret] = useState<string | null>(null);
  return (
    <Stack gap="lg">
      <Title order={1}>Integrations</Title>
      <Title order={2}>API clients</Title>
      <ClientTable />
      <ClientForm />
      <Title order={2}>Webhooks</Title>
      {secret && (
        <Alert
          color="teal"
          title="Signing secret (shown once)"
          withCloseButton
          closeButtonLabel="Hide the secret"
          onClose={() => setSecret(null)}
        >
          <Code data-testid="webhook-secret">{secret}</Code>
        </Alert>
      )}
      <WebhookTable onSecret={setSecret} />
      <WebhookForm onSecret={setSecret} />
      <Title order={2}>Delivery log</Title>
      <DeliveryLog />
    </Stack>
  );
}
