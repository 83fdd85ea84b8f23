import {
  allRoutes,
  type RouteBody,
  type RouteHeaders,
  type RouteParams,
  type RouteQuery,
  type RouteReply,
  type RouteSpec,
  type TableRoute,
} from '@careloop/core';
import type {
  FastifyContextConfig,
  FastifyReply,
  FastifyRequest,
  RouteHandlerMethod,
  RouteShorthandOptions,
} from 'fastify';
import type { App } from './types.js';

const problem = { $ref: 'Problem#' } as const;
/** Every failure answers the one Problem shape; described once for all routes. */
const ERRORS = {
  400: problem,
  401: problem,
  403: problem,
  404: problem,
  409: problem,
  413: problem,
  422: problem,
  429: problem,
  503: problem,
};

const TABLE: ReadonlySet<object> = new Set(allRoutes);

/** The request a route's handler receives, typed by its entry in the table. */
export type TableRequest<S extends TableRoute> = FastifyRequest<{
  Params: RouteParams<S>;
  Querystring: RouteQuery<S>;
  Body: RouteBody<S>;
  Headers: RouteHeaders<S>;
}>;

type Answer<S extends TableRoute> = RouteReply<S> | FastifyReply;
export type TableHandler<S extends TableRoute> = (
  request: TableRequest<S>,
  reply: FastifyReply,
) => Answer<S> | Promise<Answer<S>>;

/** What a route may add to its table entry: transport details, never schemas or policy. */
export interface RouteExtras {
  bodyLimit?: number;
  preParsing?: RouteShorthandOptions['preParsing'];
  /** Runs before validation: a webhook's signature is checked over the body as it came. */
  preValidation?: RouteShorthandOptions['preValidation'];
  config?: Omit<FastifyContextConfig, 'policy'>;
}

/**
 * Registers the route the table describes: its method, path, schemas (validation, serialization
 * and the OpenAPI document) and policy (checked by the security hook) all come from the table,
 * so the handler cannot drift from what the web client was built against. A spec that is not in
 * the table is refused at startup.
 */
export function defineRoute<S extends TableRoute>(
  app: App,
  spec: S,
  handler: TableHandler<S>,
  extras: RouteExtras = {},
): void {
  if (!TABLE.has(spec)) throw new Error(`${spec.method} ${spec.path} is not in the route table`);
  const s: RouteSpec = spec;
  const schema = {
    tags: [...s.tags],
    summary: s.summary,
    // A public route or a webhook needs no session cookie: the OpenAPI document says so.
    ...('public' in s.policy || 'webhook' in s.policy ? { security: [] } : {}),
    ...(s.description ? { description: s.description } : {}),
    ...(s.params ? { params: s.params } : {}),
    ...(s.query ? { querystring: s.query } : {}),
    ...(s.body ? { body: s.body } : {}),
    ...(s.headers ? { headers: s.headers } : {}),
    response: {
      ...(s.reply ? { [s.status ?? 200]: s.reply } : {}),
      ...ERRORS,
      ...(s.conflict ? { 409: s.conflict } : {}),
    },
  };
  app.route({
    method: spec.method,
    url: spec.path,
    schema,
    config: { ...extras.config, policy: spec.policy },
    ...(extras.bodyLimit ? { bodyLimit: extras.bodyLimit } : {}),
    ...(extras.preParsing ? { preParsing: extras.preParsing } : {}),
    ...(extras.preValidation ? { preValidation: extras.preValidation } : {}),
    // The table typed the handler; Fastify's own generics cannot follow a spec chosen at run time.
    handler: handler as unknown as RouteHandlerMethod,
  });
}
