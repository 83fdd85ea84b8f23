import { Select } from '@mantine/core';
import { useWebhooks } from '../integrations/api';

// Issue 11 (h11w): the journey action "call a signed webhook" names a registered endpoint.

/** The webhook action's endpoint in the node's JSON, or null when the node is no such action. */
function webhookEndpointOf(text: string): { endpoint: string } | null {
  try {
    const node: unknown = JSON.parse(text);
    if (typeof node !== 'object' || node === null || !('action' in node)) return null;
    const action: unknown = node.action;
    if (typeof action !== 'object' || action === null) return null;
    if (!('kind' in action) || action.kind !== 'webhook') return null;
    return {
      endpoint: 'endpoint' in action && typeof action.endpoint === 'string' ? action.endpoint : '',
    };
  } catch {
    return null;
  }
}

/**
 * For a webhook action node: a select of the organization's enabled endpoints (registered and
 * vetted on the Integrations page), written into the node's JSON. A journey never holds a URL.
 */
export function WebhookEndpointField({
  text,
  onChange,
}: {
  text: string;
  onChange: (text: string) => void;
}) {
  const current = webhookEndpointOf(text);
  const webhooks = useWebhooks();
  if (!current) return null;
  const data = (webhooks.data?.items ?? [])
    .filter((w) => w.enabled)
    .map((w) => ({ value: w.id, label: w.url }));
  return (
    <Select
      label="Webhook endpoint"
      description="Endpoints are added by admins on the Integrations page"
      placeholder={webhooks.isError ? 'Endpoints could not be loaded' : 'Choose an endpoint'}
      data={data}
      value={current.endpoint || null}
      onChange={(id) => {
        if (!id) return;
        const node = JSON.parse(text) as { action: Record<string, unknown> };
        onChange(JSON.stringify({ ...node, action: { ...node.action, endpoint: id } }, null, 2));
      }}
    />
  );
}
