import { ASSERTION_ALGORITHMS, CLIENT_RESOURCE_TYPES } from '@careloop/core';
import type { App } from '../../../http/types.js';
import type { Services } from '../../../services.js';
import { OAuthError, type TokenRequest } from './service.js';

/**
 * The OAuth 2.0 token endpoint of SMART Backend Services and its discovery document
 * (docs/adr/0029). Outside `/api` and the route table on purpose: OAuth fixes their paths,
 * their form-encoded body and their error shape (`{ error, error_description }`, RFC 6749).
 */
export default async function tokenRoutes(app: App, { apiClients }: Services): Promise<void> {
  app.get(
    '/fhir/R4/.well-known/smart-configuration',
    {
      config: { policy: { public: true } },
      schema: {
        tags: ['integrations'],
        summary: 'SMART configuration (Backend Services)',
        security: [],
      },
    },
    async () => ({
      token_endpoint: apiClients.tokenUrl,
      grant_types_supported: ['client_credentials'],
      token_endpoint_auth_methods_supported: ['private_key_jwt'],
      token_endpoint_auth_signing_alg_values_supported: [...ASSERTION_ALGORITHMS],
      scopes_supported: CLIENT_RESOURCE_TYPES.map((t) => `system/${t}.rs`),
      capabilities: ['client-confidential-asymmetric', 'permission-v2'],
    }),
  );

  await app.register(async (scope) => {
    scope.addContentTypeParser(
      'application/x-www-form-urlencoded',
      { parseAs: 'string', bodyLimit: 32_768 },
      (_request, body, done) => {
        const params: Record<string, string> = {};
        for (const [name, value] of new URLSearchParams(String(body))) params[name] = value;
        done(null, params);
      },
    );
    scope.setErrorHandler((error, request, reply) => {
      if (error instanceof OAuthError) {
        return reply
          .status(error.status)
          .header('cache-control', 'no-store')
          .send({ error: error.error, error_description: error.description });
      }
      const status = (error as { statusCode?: number }).statusCode;
      if (status && status >= 400 && status < 500) {
        return reply.status(400).send({
          error: 'invalid_request',
          error_description: 'Send a form-encoded (application/x-www-form-urlencoded) body',
        });
      }
      request.log.error({ err: error }, 'token endpoint failed');
      return reply.status(500).send({ error: 'server_error' });
    });
    scope.post(
      '/oauth2/token',
      {
        config: { policy: { public: true } },
        schema: {
          tags: ['integrations'],
          summary:
            'OAuth 2.0 client credentials with a private_key_jwt assertion (SMART Backend Services); answers a bearer token for at most five minutes',
          security: [],
        },
      },
      async (request, reply) => {
        const body = (request.body ?? {}) as Record<string, unknown>;
        const field = (name: string) =>
          typeof body[name] === 'string' ? (body[name] as string) : undefined;
        const form: TokenRequest = {
          grant_type: field('grant_type'),
          client_assertion_type: field('client_assertion_type'),
          client_assertion: field('client_assertion'),
          scope: field('scope'),
        };
        const ua = request.headers['user-agent'];
        const answer = await apiClients.issueToken(form, {
          ip: request.ip,
          userAgent: typeof ua === 'string' ? ua.slice(0, 500) : null,
        });
        return reply.header('cache-control', 'no-store').header('pragma', 'no-cache').send(answer);
      },
    );
  });
}
