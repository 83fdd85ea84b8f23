import { CareloopError } from '@careloop/core';
import type { FastifyRequest } from 'fastify';
import type { AuditActor } from '../modules/audit/service.js';
import { type Actor, auditActorOf } from './context.js';

/** The request's actor; the security hook guarantees one on every non-public route. */
export function actorOf(request: FastifyRequest): Actor {
  if (!request.actor) throw new CareloopError('unauthenticated', 'Sign in to continue');
  return request.actor;
}

/** Actor plus where the request came from, for services that audit. */
export interface RequestContext {
  actor: Actor;
  audit: AuditActor;
  /**
   * When the request arrived (`performance.now()`): cached reads must reflect every change
   * committed before it (docs/adr/0005). Unset outside HTTP: now.
   */
  receivedAt?: number;
  /** When the request arrived: the today that past-only dates are checked against. Now if unset. */
  asOf?: Date;
}

export function contextOf(request: FastifyRequest): RequestContext {
  const actor = actorOf(request);
  return {
    actor,
    audit: auditActorOf(actor, request),
    receivedAt: request.receivedAt,
    asOf: new Date(),
  };
}
