import { badRequest, CareloopError, decodeCursor, encodeCursor, routes } from '@careloop/core';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Bundle, OperationOutcome, Patient } from '@medplum/fhirtypes';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { isDatabaseUnavailable } from '../../db/errors.js';
import { contextOf, type RequestContext } from '../../http/actor.js';
import { DATABASE_UNAVAILABLE, RETRY_AFTER_SECONDS } from '../../http/errors.js';
import { defineRoute } from '../../http/route.js';
import type { App } from '../../http/types.js';
import type { Services } from '../../services.js';
import { capabilityStatement, responseBundle } from './capability.js';
import {
  FhirRequestError,
  type IssueType,
  issue,
  operationOutcome,
  requestError,
} from './outcome.js';
import { MAX_COUNT, type ReadableType, type RequestUrl } from './read/read-service.js';
import { checkSearchParams, searchHandling, withSearchWarnings } from './search/search-handling.js';
import { patientIdParam } from './search/search-params.js';

/** A bundle may be at most 10 MB; larger feeds are split by the sender. */
export const MAX_BUNDLE_BYTES = 10 * 1024 * 1024;
const FHIR_JSON = 'application/fhir+json; charset=utf-8';

const CODES: Record<number, IssueType> = {
  400: 'invalid',
  401: 'login',
  403: 'forbidden',
  404: 'not-found',
  405: 'not-supported',
  409: 'conflict',
  413: 'too-costly',
  415: 'not-supported',
  429: 'throttled',
};

/** Every failure on the FHIR routes as an OperationOutcome, never Careloop's problem shape. */
function outcomeOf(
  error: FastifyError | Error,
  request: FastifyRequest,
): [number, OperationOutcome] {
  if (error instanceof FhirRequestError) return [error.status, error.outcome];
  if (isDatabaseUnavailable(error)) {
    request.log.warn({ err: error }, 'database unavailable');
    return [503, operationOutcome([issue('error', 'transient', DATABASE_UNAVAILABLE.message)])];
  }
  if (error instanceof CareloopError) {
    const { status, message, path } = error.problem;
    return [
      status,
      operationOutcome([issue('error', CODES[status] ?? 'processing', message, path)]),
    ];
  }
  const fastify = error as FastifyError;
  if (fastify.validation) {
    const first = fastify.validation[0];
    const required = first?.params?.requiredProperties;
    const where =
      first?.instancePath.replace(/^\//, '') ||
      first?.params?.missingProperty ||
      (Array.isArray(required) ? required[0] : undefined);
    const message = `${fastify.validationContext ?? 'request'} ${where ? `${String(where)} ` : ''}${first?.message ?? 'is invalid'}`;
    return [400, operationOutcome([issue('error', 'invalid', message)])];
  }
  const status = fastify.statusCode;
  if (status && status >= 400 && status < 500) {
    const message =
      status === 413
        ? `The bundle is larger than ${MAX_BUNDLE_BYTES / 1024 / 1024} MB; split it`
        : fastify.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE'
          ? 'Send application/fhir+json or application/json'
          : `The request body is not valid JSON: ${fastify.message}`;
    return [status, operationOutcome([issue('error', CODES[status] ?? 'invalid', message)])];
  }
  request.log.error({ err: error }, 'unhandled error on the FHIR interface');
  return [500, operationOutcome([issue('error', 'exception', 'Something went wrong on our side')])];
}

function urlOf(request: FastifyRequest): RequestUrl {
  return { base: `${request.protocol}://${request.host}`, self: request.url };
}

const Id = Type.Object({ id: Type.String({ maxLength: 200 }) });
const Paging = {
  _count: Type.Optional(Type.Integer({ minimum: 0, maximum: 10_000 })),
  _cursor: Type.Optional(Type.String({ maxLength: 500 })),
};
const PatientQuery = Type.Object({
  name: Type.Optional(Type.String({ maxLength: 200 })),
  birthdate: Type.Optional(Type.String({ maxLength: 20 })),
  identifier: Type.Optional(Type.String({ maxLength: 300 })),
  telecom: Type.Optional(Type.String({ maxLength: 300 })),
  gender: Type.Optional(Type.String({ maxLength: 20 })),
  ...Paging,
});
const ByPatientQuery = Type.Object({
  patient: Type.Optional(Type.String({ maxLength: 300 })),
  subject: Type.Optional(Type.String({ maxLength: 300 })),
  ...Paging,
});
const ImportQuery = Type.Object({
  source: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
});

/**
 * The search's URL once its parameters are checked against the route's query schema: refused
 * or trimmed of the unsupported ones, as the `Prefer` header asks (search-handling.ts).
 */
function searchUrl(
  request: FastifyRequest,
  query: { properties: Record<string, unknown> },
): RequestUrl & { warnings: ReturnType<typeof checkSearchParams>['warnings'] } {
  const checked = checkSearchParams(
    request.url,
    Object.keys(query.properties),
    searchHandling(request.headers.prefer),
  );
  return { base: urlOf(request).base, self: checked.self, warnings: checked.warnings };
}

const count = (n: number | undefined) =>
  n === undefined ? undefined : Math.max(1, Math.min(n, MAX_COUNT));

/**
 * The FHIR R4 interface at /fhir/R4: `POST /` imports a transaction or batch Bundle; reads
 * and searches serve Careloop's records as R4 resources. Same sessions, policies and audit as
 * the rest of the API; errors are OperationOutcomes.
 */
export default async function fhirRoutes(
  app: App,
  { fhir, restrictions, audit, database }: Services,
): Promise<void> {
  defineRoute(app, routes.fhir.imports, async (request) => {
    const ctx = contextOf(request);
    const { cursor, limit = 25, outcome, from, to } = request.query;
    if (from && to && Date.parse(from) > Date.parse(to)) {
      throw badRequest('from must not be after to', '/query/from');
    }
    const [seq] = cursor === undefined ? [undefined] : decodeCursor(cursor, 1);
    if (
      cursor !== undefined &&
      (typeof seq !== 'number' || !Number.isSafeInteger(seq) || seq < 1)
    ) {
      throw badRequest('The cursor is not valid', '/query/cursor');
    }
    const rows = await database.withTenant(ctx.actor.orgId, (tx) =>
      audit.list(tx, {
        recordType: 'fhir-bundle',
        outcome,
        from,
        to,
        beforeSeq: typeof seq === 'number' ? seq : undefined,
        limit: limit + 1,
      }),
    );
    const page = rows.slice(0, limit);
    const last = page.at(-1);
    return {
      items: page.map((row) => ({
        id: String(row.seq),
        importedAt: row.occurredAt.toISOString(),
        actorEmail: row.actorEmail,
        outcome: row.outcome,
        summary: row.reason,
      })),
      nextCursor: rows.length > limit && last ? encodeCursor([last.seq]) : null,
    };
  });

  await app.register(
    async (plain) => {
      const scope = plain.withTypeProvider<TypeBoxTypeProvider>();
      scope.removeContentTypeParser('application/json');
      scope.addContentTypeParser(
        ['application/json', 'application/fhir+json'],
        { parseAs: 'string', bodyLimit: MAX_BUNDLE_BYTES },
        scope.getDefaultJsonParser('error', 'error'),
      );
      scope.setErrorHandler((error: FastifyError, request, reply) => {
        const [status, outcome] = outcomeOf(error, request);
        if (status === 503) void reply.header('retry-after', String(RETRY_AFTER_SECONDS));
        void reply.status(status).type(FHIR_JSON).send(outcome);
      });
      scope.setNotFoundHandler((request, reply) => {
        void reply
          .status(404)
          .type(FHIR_JSON)
          .send(
            operationOutcome([
              issue(
                'error',
                'not-supported',
                `No FHIR interaction ${request.method} ${request.url.split('?')[0]}`,
              ),
            ]),
          );
      });
      const fhirJson = (reply: FastifyReply) => reply.type(FHIR_JSON);
      /** Restricted patients the caller may not open: id, name and the R security label only. */
      const restrictedEntries = async (ctx: RequestContext, bundle: Bundle): Promise<Bundle> => {
        const ids = (bundle.entry ?? []).flatMap((e) =>
          e.resource?.resourceType === 'Patient' && e.resource.id ? [e.resource.id] : [],
        );
        const hidden = await restrictions.hiddenAmong(ctx.actor, ids);
        if (hidden.size === 0) return bundle;
        return {
          ...bundle,
          entry: (bundle.entry ?? []).map((e) =>
            e.resource?.resourceType === 'Patient' && e.resource.id && hidden.has(e.resource.id)
              ? { ...e, resource: restrictedPatient(e.resource) }
              : e,
          ),
        };
      };

      scope.get(
        '/metadata',
        {
          config: { policy: { public: true } },
          schema: { tags: ['fhir'], summary: 'CapabilityStatement' },
        },
        async (request, reply) => fhirJson(reply).send(capabilityStatement(urlOf(request).base)),
      );

      scope.post(
        '/',
        {
          bodyLimit: MAX_BUNDLE_BYTES,
          // A NUL character rejects its entry, not the bundle (readBundle).
          config: { policy: { permission: 'interop:write' }, checksBodyText: true },
          schema: {
            tags: ['fhir'],
            summary: 'Import a transaction or batch Bundle (at most 5,000 entries, 10 MB)',
            querystring: ImportQuery,
          },
        },
        async (request, reply) => {
          const ctx = contextOf(request);
          const result = await fhir.imports.importBundle(ctx.actor.orgId, ctx.audit, request.body, {
            sourceSystem: request.query.source ?? null,
            asOf: ctx.asOf,
          });
          if (result.failure) {
            return fhirJson(reply).status(result.failure.status).send(result.failure.outcome);
          }
          return fhirJson(reply).status(200).send(responseBundle(result));
        },
      );

      scope.get(
        '/Patient',
        {
          config: { policy: { permission: 'patient:read' } },
          schema: { tags: ['fhir'], summary: 'Search patients', querystring: PatientQuery },
        },
        async (request, reply) => {
          const url = searchUrl(request, PatientQuery);
          const { name, birthdate, identifier, telecom, gender, _count, _cursor } = request.query;
          const ctx = contextOf(request);
          const bundle = await fhir.reads.searchPatients(
            ctx,
            { name, birthdate, identifier, telecom, gender, _cursor, _count: count(_count) },
            url,
            // Only a parameter on a field a masked entry hides needs them (not `name`).
            birthdate || identifier || telecom || gender
              ? await restrictions.hiddenPatients(ctx.actor)
              : new Set<string>(),
          );
          return fhirJson(reply).send(
            withSearchWarnings(await restrictedEntries(ctx, bundle), url.warnings),
          );
        },
      );

      scope.get(
        '/Patient/:id',
        {
          config: { policy: { permission: 'patient:read' } },
          schema: { tags: ['fhir'], summary: 'Read a patient', params: Id },
        },
        async (request, reply) => {
          const ctx = contextOf(request);
          await restrictions.guard(ctx, [request.params.id], 'fhir:Patient');
          return fhirJson(reply).send(await fhir.reads.read(ctx, 'Patient', request.params.id));
        },
      );

      scope.get(
        '/Patient/:id/$everything',
        {
          config: { policy: { permission: 'patient:read' } },
          schema: { tags: ['fhir'], summary: "Everything in a patient's record", params: Id },
        },
        async (request, reply) => {
          const ctx = contextOf(request);
          await restrictions.guard(ctx, [request.params.id], 'fhir:Patient/$everything');
          return fhirJson(reply).send(
            await fhir.reads.everything(ctx, request.params.id, urlOf(request)),
          );
        },
      );

      const byPatient: [Exclude<ReadableType, 'Patient'>, 'patient:read' | 'clinical:read'][] = [
        ['Encounter', 'clinical:read'],
        ['Condition', 'clinical:read'],
        ['Appointment', 'patient:read'],
        ['Communication', 'patient:read'],
      ];
      for (const [type, permission] of byPatient) {
        scope.get(
          `/${type}`,
          {
            config: { policy: { permission } },
            schema: {
              tags: ['fhir'],
              summary: `Search ${type} by patient`,
              querystring: ByPatientQuery,
            },
          },
          async (request, reply) => {
            const url = searchUrl(request, ByPatientQuery);
            const patientId = patientIdParam(request.query.patient ?? request.query.subject);
            if (!patientId) {
              throw requestError(
                400,
                'not-supported',
                `Search ${type} by patient: ?patient=<id> is required`,
                'patient',
              );
            }
            const ctx = contextOf(request);
            await restrictions.guard(ctx, [patientId], `fhir:${type}`);
            const bundle = await fhir.reads.searchByPatient(
              ctx,
              type,
              patientId,
              { _count: count(request.query._count), _cursor: request.query._cursor },
              url,
            );
            return fhirJson(reply).send(withSearchWarnings(bundle, url.warnings));
          },
        );
        scope.get(
          `/${type}/:id`,
          {
            config: { policy: { permission } },
            schema: { tags: ['fhir'], summary: `Read ${type}`, params: Id },
          },
          async (request, reply) => {
            const ctx = contextOf(request);
            const guard = (patientId: string) =>
              restrictions.guard(ctx, [patientId], `fhir:${type}`);
            return fhirJson(reply).send(await fhir.reads.read(ctx, type, request.params.id, guard));
          },
        );
      }
    },
    { prefix: '/fhir/R4' },
  );
}

/** The FHIR confidentiality code for a restricted record (v3 Confidentiality R). */
const RESTRICTED_LABEL = {
  system: 'http://terminology.hl7.org/CodeSystem/v3-Confidentiality',
  code: 'R',
  display: 'restricted',
};

function restrictedPatient(patient: Patient): Patient {
  return {
    resourceType: 'Patient',
    id: patient.id,
    meta: { security: [RESTRICTED_LABEL] },
    name: (patient.name ?? []).slice(0, 1).map((n) => ({ family: n.family, given: n.given })),
  };
}
