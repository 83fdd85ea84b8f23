import { ApiClient, ApiClientCreate, ApiClientList } from '../../integrations/api.js';
import { IdParams } from '../common.js';
import { route } from '../contract.js';

export const integrationRoutes = {
  clients: route({
    method: 'GET',
    path: '/api/integrations/clients',
    policy: { permission: 'integration:manage' },
    tags: ['integrations'],
    summary: 'API clients for systems (SMART Backend Services), revoked ones included',
    reply: ApiClientList,
  }),
  registerClient: route({
    method: 'POST',
    path: '/api/integrations/clients',
    policy: { permission: 'integration:manage' },
    tags: ['integrations'],
    summary:
      'Register an API client: its public keys (inline JWKS or a JWKS URL on an allowed host) and system scopes',
    body: ApiClientCreate,
    reply: ApiClient,
  }),
  revokeClient: route({
    method: 'POST',
    path: '/api/integrations/clients/:id/revoke',
    policy: { permission: 'integration:manage' },
    tags: ['integrations'],
    summary: 'Revoke an API client: no new tokens, and its live tokens stop working at once',
    params: IdParams,
    reply: ApiClient,
  }),
};
