import { type AuditAction, CareloopError } from '@careloop/core';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { sqlState } from '../db/errors.js';
import { type AuditEntry, type AuditLog, isAuditedRefusal } from '../modules/audit/service.js';
import { auditActorOf } from './context.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function actionOf(method: string): AuditAction {
  switch (method) {
    case 'POST':
      return 'create';
    case 'PUT':
    case 'PATCH':
      return 'update';
    case 'DELETE':
      return 'delete';
    default:
      return 'read';
  }
}

/** The patient a refused request was about, when its route names one. */
function patientOf(request: FastifyRequest, route: string): string | null {
  const params = (request.params ?? {}) as Record<string, unknown>;
  const id =
    params.patientId ??
    (route.startsWith('/api/patients/:id') || route.startsWith('/fhir/R4/Patient/:id')
      ? params.id
      : undefined);
  return typeof id === 'string' && UUID.test(id) ? id.toLowerCase() : null;
}

/** The audit entry of a signed-in user's request refused with 403: who, which route, what. */
export function denialEntry(request: FastifyRequest, error: CareloopError): AuditEntry {
  const route = request.routeOptions.url ?? '';
  const path = request.url.split('?')[0] ?? '';
  return {
    action: actionOf(request.method),
    recordType: 'route',
    // The resource as requested (its ids, never its query string, which can carry PHI).
    recordId: path.slice(0, 300),
    patientId: patientOf(request, route),
    outcome: 'denied',
    reason: `${error.problem.code}: ${request.method} ${route}`.slice(0, 300),
  };
}

/**
 * Audits every 403 a signed-in user meets (the policy hook's refusals, a CSRF failure, a
 * service's own refusal), before the reply goes: a flood of refused requests costs one audit
 * insert each, batched by the group commit, as a flood of reads does. 401s are not audited:
 * they have no organization to chain to, and failed sign-ins have their own event.
 */
export function installDenialAudit(app: FastifyInstance, audit: AuditLog): void {
  app.addHook('onError', async (request, _reply, error) => {
    const actor = request.actor;
    if (!actor || !(error instanceof CareloopError) || error.problem.status !== 403) return;
    if (isAuditedRefusal(error)) return;
    try {
      await audit.read(auditActorOf(actor, request), denialEntry(request, error));
    } catch (failure) {
      // Name and SQLSTATE only: a database error's message can quote the event's values.
      request.log.error(
        {
          error: failure instanceof Error ? failure.name : typeof failure,
          sqlState: sqlState(failure),
        },
        'auditing a refused request failed',
      );
    }
  });
}
