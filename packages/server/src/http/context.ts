import type { Role, RoutePolicy, SessionStage } from '@careloop/core';
import type { AuditActor } from '../modules/audit/service.js';

/** The signed-in user a request acts for. */
export interface Actor {
  userId: string;
  orgId: string;
  orgName: string;
  email: string;
  displayName: string;
  role: Role;
  /** Set for patient accounts: the one record they may reach. */
  patientId: string | null;
  sessionId: string;
  csrfToken: string;
  /** `active`, or a sign-in half done: only `session:self` routes are open until it is done. */
  stage: SessionStage;
  /**
   * Issue 11: set when a system acts through a bearer token (SMART Backend Services,
   * docs/adr/0029): `userId` is then the client's id, `role` the staff role whose field-level
   * access its reads follow, and every request is also held to the token's scopes.
   */
  client?: ClientGrant;
}

/** An API client's grant: its id (`client_id`), name, and the scopes of its token. */
export interface ClientGrant {
  clientId: string;
  name: string;
  scopes: readonly string[];
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Who may call this route. Routes without one are refused (deny by default). */
    policy?: RoutePolicy;
    /**
     * The route checks the text of its body itself (a FHIR bundle entry by entry, a CSV file
     * with advice on its encoding), instead of `installTextGuard`'s answer for the request.
     */
    checksBodyText?: boolean;
  }
  interface FastifyRequest {
    actor: Actor | null;
    /** `performance.now()` when the request reached the security hook, before any lookup. */
    receivedAt: number;
    /** The session cookie sent named a session that timed out (a public route may say so). */
    sessionExpired: boolean;
  }
}

/** The audit actor of a request: who, and from where. */
export function auditActorOf(
  actor: Actor,
  request: { ip: string; headers: Record<string, string | string[] | undefined> },
): AuditActor {
  const ua = request.headers['user-agent'];
  return {
    orgId: actor.orgId,
    userId: actor.userId,
    email: actor.email,
    // Issue 11: a client is audited as a client (actor type), whatever role it reads as.
    role: actor.client ? 'client' : actor.role,
    ip: request.ip,
    userAgent: typeof ua === 'string' ? ua.slice(0, 500) : null,
  };
}
