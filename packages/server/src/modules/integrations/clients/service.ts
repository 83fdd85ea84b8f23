import { createHash, randomBytes } from 'node:crypto';
import {
  ACCESS_TOKEN_SECONDS,
  type ApiClient,
  type ApiClientCreate,
  ASSERTION_ALGORITHMS,
  assertionRefusal,
  badRequest,
  CLIENT_ASSERTION_TYPE,
  CLIENT_ROLES,
  type ClientRole,
  grantedScopes,
  notFound,
  scopeRefusal,
} from '@careloop/core';
import { and, desc, eq, lt, sql } from 'drizzle-orm';
import {
  createLocalJWKSet,
  decodeJwt,
  type JSONWebKeySet,
  type JWTVerifyGetKey,
  jwtVerify,
} from 'jose';
import type { Database } from '../../../db/client.js';
import { rowsOf } from '../../../db/rows.js';
import type { RequestContext } from '../../../http/actor.js';
import type { Actor } from '../../../http/context.js';
import type { AuditActor, AuditLog } from '../../audit/service.js';
import { requestResolved } from '../http-request.js';
import { checkOutboundUrl } from '../outbound-url.js';
import { apiClientAssertions, apiClients, apiClientTokens } from '../schema.js';

/** An OAuth 2.0 error answer of the token endpoint (RFC 6749 §5.2). */
export class OAuthError extends Error {
  constructor(
    readonly status: 400 | 401,
    readonly error:
      | 'invalid_request'
      | 'invalid_client'
      | 'invalid_scope'
      | 'unsupported_grant_type',
    readonly description: string,
  ) {
    super(description);
    this.name = 'OAuthError';
  }
}

export interface TokenAnswer {
  access_token: string;
  token_type: 'bearer';
  expires_in: number;
  scope: string;
}

/** The form of a client-credentials token request. */
export interface TokenRequest {
  grant_type?: string;
  client_assertion_type?: string;
  client_assertion?: string;
  scope?: string;
}

interface ClientLookupRow {
  org_id: string;
  name: string;
  jwks: unknown;
  jwks_url: string | null;
  scopes: string[];
  revoked: boolean;
}

interface TokenLookupRow {
  org_id: string;
  org_name: string;
  client_id: string;
  client_name: string;
  role: string;
  scopes: string[];
  expires_at: string | Date;
  revoked: boolean;
}

const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k'];
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');

function isClientRole(value: string): value is ClientRole {
  return (CLIENT_ROLES as readonly string[]).includes(value);
}

/**
 * API clients for systems (SMART Backend Services, docs/adr/0029): registration and revocation
 * by admins, the client-credentials grant with a `private_key_jwt` assertion, and the bearer
 * tokens it issues (opaque, five minutes, stored as hashes).
 */
export class ApiClientService {
  constructor(
    private readonly database: Database,
    private readonly audit: AuditLog,
    private readonly options: {
      clock: () => Date;
      /** The token endpoint's URL: what an assertion's `aud` must name. */
      tokenUrl: string;
      allowedHosts: readonly string[];
    },
  ) {}

  get tokenUrl(): string {
    return this.options.tokenUrl;
  }

  async list(ctx: RequestContext): Promise<ApiClient[]> {
    const rows = await this.database.withTenant(ctx.actor.orgId, (tx) =>
      tx.select().from(apiClients).orderBy(desc(apiClients.createdAt), desc(apiClients.id)),
    );
    return rows.map(toApiClient);
  }

  async register(ctx: RequestContext, input: ApiClientCreate): Promise<ApiClient> {
    input.scopes.forEach((scope, i) => {
      const why = scopeRefusal(scope);
      if (why) throw badRequest(why, `/body/scopes/${i}`);
    });
    if ((input.jwks === undefined) === (input.jwksUrl === undefined)) {
      throw badRequest('Give either jwks (inline public keys) or jwksUrl', '/body/jwks');
    }
    if (input.jwks) checkPublicJwks(input.jwks);
    if (input.jwksUrl) {
      await checkOutboundUrl(input.jwksUrl, this.options.allowedHosts, '/body/jwksUrl', {
        onlyListed: true,
      });
    }
    const now = this.options.clock();
    return this.database.withTenant(ctx.actor.orgId, async (tx) => {
      const [row] = await tx
        .insert(apiClients)
        .values({
          orgId: ctx.actor.orgId,
          name: input.name.trim(),
          jwks: input.jwks ?? null,
          jwksUrl: input.jwksUrl ?? null,
          scopes: [...new Set(input.scopes)],
          role: input.role ?? 'front-desk',
          createdBy: ctx.actor.userId,
          createdAt: now,
        })
        .returning();
      if (!row) throw new Error('api client not created');
      await this.audit.inTransaction(tx, ctx.audit, {
        action: 'create',
        recordType: 'api-client',
        recordId: row.id,
        reason: `scopes: ${row.scopes.join(' ')}`,
      });
      return toApiClient(row);
    });
  }

  /** Revokes a client: no new tokens, and its live ones are deleted (they stop at once). */
  async revoke(ctx: RequestContext, id: string): Promise<ApiClient> {
    const now = this.options.clock();
    return this.database.withTenant(ctx.actor.orgId, async (tx) => {
      const [row] = await tx
        .update(apiClients)
        .set({
          revokedAt: sql`coalesce(${apiClients.revokedAt}, ${now.toISOString()}::timestamptz)`,
        })
        .where(eq(apiClients.id, id))
        .returning();
      if (!row) throw notFound('API client');
      await tx.delete(apiClientTokens).where(eq(apiClientTokens.clientId, id));
      await this.audit.inTransaction(tx, ctx.audit, {
        action: 'update',
        recordType: 'api-client',
        recordId: id,
        reason: 'revoked',
      });
      return toApiClient(row);
    });
  }

  /**
   * The client-credentials grant (SMART Backend Services): checks the assertion's signature
   * against the client's keys, its claims, and that its `jti` was not seen before; issues an
   * opaque token for at most five minutes.
   */
  async issueToken(
    form: TokenRequest,
    from: { ip: string; userAgent: string | null },
  ): Promise<TokenAnswer> {
    if (form.grant_type !== 'client_credentials') {
      throw new OAuthError(400, 'unsupported_grant_type', 'grant_type must be client_credentials');
    }
    if (form.client_assertion_type !== CLIENT_ASSERTION_TYPE) {
      throw new OAuthError(
        400,
        'invalid_request',
        `client_assertion_type must be ${CLIENT_ASSERTION_TYPE}`,
      );
    }
    const assertion = form.client_assertion;
    if (!assertion || assertion.length > 16_384) {
      throw new OAuthError(400, 'invalid_request', 'client_assertion is required');
    }
    // The issuer names the client; nothing of the assertion is trusted before its signature.
    let clientId: unknown;
    try {
      clientId = decodeJwt(assertion).iss;
    } catch {
      throw new OAuthError(400, 'invalid_request', 'client_assertion is not a JWT');
    }
    if (typeof clientId !== 'string' || !UUID.test(clientId)) {
      throw new OAuthError(401, 'invalid_client', 'Unknown client');
    }
    const [client] = rowsOf<ClientLookupRow>(
      await this.database.db.execute(
        sql`select * from careloop_api_client_lookup(${clientId}::uuid)`,
      ),
    );
    if (!client || client.revoked)
      throw new OAuthError(401, 'invalid_client', 'Unknown or revoked client');
    const actor: AuditActor = {
      orgId: client.org_id,
      userId: clientId,
      email: `client:${client.name}`,
      role: 'client',
      ip: from.ip,
      userAgent: from.userAgent,
    };
    const refuse = async (error: OAuthError): Promise<never> => {
      await this.audit.read(actor, {
        action: 'login-failed',
        recordType: 'api-client',
        recordId: clientId as string,
        outcome: 'denied',
        reason: error.description.slice(0, 200),
      });
      throw error;
    };
    const now = this.options.clock();
    let claims: Record<string, unknown>;
    try {
      const keys = await this.keysOf(client);
      ({ payload: claims } = await jwtVerify(assertion, keys, {
        algorithms: [...ASSERTION_ALGORITHMS],
        currentDate: now,
      }));
    } catch (error) {
      return refuse(
        new OAuthError(401, 'invalid_client', `The assertion is not valid: ${reasonOf(error)}`),
      );
    }
    const why = assertionRefusal(claims, { clientId, tokenUrl: this.options.tokenUrl, now });
    if (why) return refuse(new OAuthError(401, 'invalid_client', why));
    const scopes = grantedScopes(client.scopes, form.scope);
    if ('refused' in scopes) {
      return refuse(
        new OAuthError(400, 'invalid_scope', `The client does not hold ${scopes.refused}`),
      );
    }
    const token = randomBytes(32).toString('base64url');
    const expiresAt = new Date(now.getTime() + ACCESS_TOKEN_SECONDS * 1000);
    const issued = await this.database.withTenant(client.org_id, async (tx) => {
      // The jti is recorded before the token is issued: the same assertion twice is refused.
      const seen = await tx
        .insert(apiClientAssertions)
        .values({
          orgId: client.org_id,
          clientId,
          jti: String(claims.jti),
          expiresAt: new Date(Number(claims.exp) * 1000),
        })
        .onConflictDoNothing()
        .returning({ jti: apiClientAssertions.jti });
      if (seen.length === 0) return false;
      await tx
        .delete(apiClientAssertions)
        .where(
          and(eq(apiClientAssertions.clientId, clientId), lt(apiClientAssertions.expiresAt, now)),
        );
      await tx
        .delete(apiClientTokens)
        .where(and(eq(apiClientTokens.clientId, clientId), lt(apiClientTokens.expiresAt, now)));
      await tx.insert(apiClientTokens).values({
        tokenHash: sha256(token),
        orgId: client.org_id,
        clientId,
        scopes: scopes.granted,
        issuedAt: now,
        expiresAt,
      });
      await tx.update(apiClients).set({ lastTokenAt: now }).where(eq(apiClients.id, clientId));
      await this.audit.inTransaction(tx, actor, {
        action: 'login',
        recordType: 'api-client',
        recordId: clientId,
        reason: `scopes: ${scopes.granted.join(' ')}`,
      });
      return true;
    });
    if (!issued)
      return refuse(new OAuthError(401, 'invalid_client', 'The assertion was used before (jti)'));
    return {
      access_token: token,
      token_type: 'bearer',
      expires_in: ACCESS_TOKEN_SECONDS,
      scope: scopes.granted.join(' '),
    };
  }

  /** The actor of a bearer token, or null for an unknown, expired or revoked one. */
  async resolveBearer(token: string): Promise<Actor | null> {
    if (token.length < 20 || token.length > 200) return null;
    const [row] = rowsOf<TokenLookupRow>(
      await this.database.db.execute(
        sql`select * from careloop_api_token_lookup(${sha256(token)})`,
      ),
    );
    if (!row || row.revoked || !isClientRole(row.role)) return null;
    if (new Date(row.expires_at).getTime() <= this.options.clock().getTime()) return null;
    return {
      userId: row.client_id,
      orgId: row.org_id,
      orgName: row.org_name,
      email: `client:${row.client_name}`,
      displayName: row.client_name,
      role: row.role,
      patientId: null,
      sessionId: `client:${row.client_id}`,
      csrfToken: '',
      stage: 'active',
      client: { clientId: row.client_id, name: row.client_name, scopes: row.scopes },
    };
  }

  private async keysOf(client: ClientLookupRow): Promise<JWTVerifyGetKey> {
    if (client.jwks) return createLocalJWKSet(client.jwks as JSONWebKeySet);
    if (!client.jwks_url) throw new Error('the client has no keys');
    const target = await checkOutboundUrl(client.jwks_url, this.options.allowedHosts, 'jwks_url', {
      onlyListed: true,
    });
    const answer = await requestResolved(target, {
      method: 'GET',
      headers: { accept: 'application/json' },
      timeoutMs: 5_000,
    });
    if (answer.status !== 200) throw new Error(`the JWKS URL answered ${answer.status}`);
    const jwks: unknown = JSON.parse(answer.body);
    checkPublicJwks(jwks);
    return createLocalJWKSet(jwks as JSONWebKeySet);
  }
}

function reasonOf(error: unknown): string {
  const code = typeof error === 'object' && error !== null && 'code' in error ? error.code : null;
  return typeof code === 'string'
    ? code
    : error instanceof Error
      ? error.message.slice(0, 120)
      : 'unknown';
}

/** Public keys only: a JWKS with a private member is refused (its owner leaked it). */
function checkPublicJwks(jwks: unknown): void {
  const keys =
    typeof jwks === 'object' && jwks !== null && 'keys' in jwks && Array.isArray(jwks.keys)
      ? (jwks.keys as unknown[])
      : null;
  if (!keys || keys.length === 0) throw badRequest('jwks must have keys', '/body/jwks');
  keys.forEach((key, i) => {
    if (typeof key !== 'object' || key === null || !('kty' in key)) {
      throw badRequest('Each key needs a kty', `/body/jwks/keys/${i}`);
    }
    if (PRIVATE_MEMBERS.some((m) => m in key)) {
      throw badRequest(
        'A JWKS holds public keys only: this key has a private part',
        `/body/jwks/keys/${i}`,
      );
    }
  });
  try {
    createLocalJWKSet(jwks as JSONWebKeySet);
  } catch (error) {
    throw badRequest(`jwks is not a key set: ${reasonOf(error)}`, '/body/jwks');
  }
}

function toApiClient(row: typeof apiClients.$inferSelect): ApiClient {
  return {
    id: row.id,
    clientId: row.id,
    name: row.name,
    jwksUrl: row.jwksUrl,
    inlineJwks: row.jwks !== null,
    scopes: row.scopes,
    role: isClientRole(row.role) ? row.role : 'front-desk',
    createdAt: row.createdAt.toISOString(),
    revokedAt: row.revokedAt ? row.revokedAt.toISOString() : null,
    lastTokenAt: row.lastTokenAt ? row.lastTokenAt.toISOString() : null,
  };
}
