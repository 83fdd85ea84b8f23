import {
  fillPath,
  type ProblemBody,
  type ProblemCode,
  type RouteBody,
  type RouteLike,
  type RouteParams,
  type RouteQuery,
  type RouteRef,
  type RouteReply,
  type RouteSpec,
} from '@careloop/core';

/**
 * Codes the web client gives failures the server did not describe: no answer at all, an answer
 * that is not a Problem (a proxy's error page), a reply that does not match the route table.
 */
export type ClientProblemCode = 'network_error' | 'http_error' | 'contract_mismatch';

/** A Problem from the server, or one the client made up for a failure the server did not describe. */
export type ClientProblem = Omit<ProblemBody, 'code'> & { code: ProblemCode | ClientProblemCode };

/** A failed API call, carrying the server's Problem (`{ status, code, message, path?, errors? }`). */
export class ApiError extends Error {
  readonly problem: ClientProblem;

  constructor(problem: ClientProblem) {
    super(problem.message);
    this.name = 'ApiError';
    this.problem = problem;
  }

  get status(): number {
    return this.problem.status;
  }

  get code(): string {
    return this.problem.code;
  }
}

export function isApiError(error: unknown): error is ApiError {
  return error instanceof ApiError;
}

// The CSRF token of the current session; state-changing requests echo it in `x-csrf-token`.
let csrfToken: string | null = null;

export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

type QueryValue = string | number | boolean | null | undefined;
export type QueryParams = Record<string, QueryValue>;

/** Builds `path?query`, leaving out empty values so the server applies its defaults. */
export function withQuery(path: string, params: QueryParams = {}): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value === undefined || value === null || value === '') continue;
    search.set(key, String(value));
  }
  const query = search.toString();
  return query ? `${path}?${query}` : path;
}

function isProblem(value: unknown): value is ClientProblem {
  return (
    typeof value === 'object' &&
    value !== null &&
    'status' in value &&
    'code' in value &&
    'message' in value &&
    typeof value.message === 'string'
  );
}

async function readBody(response: Response): Promise<unknown> {
  const text = await response.text();
  if (!text) return null;
  try {
    return JSON.parse(text);
  } catch {
    // Not JSON (a proxy's HTML error page): the caller turns it into a Problem by status.
    return text;
  }
}

async function request<T>(
  method: string,
  path: string,
  body?: unknown,
  extraHeaders: Record<string, string> = {},
): Promise<T> {
  const init: RequestInit = {
    method,
    credentials: 'same-origin',
    headers: { accept: 'application/json' },
  };
  if (method !== 'GET') {
    init.headers = {
      accept: 'application/json',
      'content-type': 'application/json',
      ...(csrfToken ? { 'x-csrf-token': csrfToken } : {}),
      ...extraHeaders,
    };
    init.body = JSON.stringify(body ?? {});
  }
  let response: Response;
  try {
    response = await fetch(path, init);
  } catch {
    // fetch rejects only when no response arrived (offline, DNS, connection refused).
    throw new ApiError({
      status: 0,
      code: 'network_error',
      message: 'Could not reach Careloop. Check your connection and try again.',
    });
  }
  const payload = await readBody(response);
  if (!response.ok) {
    throw new ApiError(
      isProblem(payload)
        ? payload
        : {
            status: response.status,
            code: 'http_error',
            message: response.statusText || 'Request failed',
          },
    );
  }
  return payload as T;
}

/** A part of a call's input, optional when the route has none or every field in it is optional. */
type Part<K extends string, T> = undefined extends T
  ? { [P in K]?: T }
  : object extends T
    ? { [P in K]?: T }
    : { [P in K]: T };

/** What a call of route S needs: its path parameters, query and body, each typed by the table. */
export type CallInput<S extends RouteSpec> = Part<'params', RouteParams<S>> &
  Part<'query', RouteQuery<S>> &
  Part<'body', RouteBody<S>>;

/** The URL of a route with its parameters and query filled in (for links and downloads). */
export function urlOf<S extends RouteSpec>(
  spec: RouteLike<S>,
  input: Pick<CallInput<S>, 'params' | 'query'>,
): string {
  const { params, query } = input as { params?: Record<string, unknown>; query?: QueryParams };
  return withQuery(fillPath(spec.path, params), query);
}

/**
 * Development builds and tests check every reply against the route's schema, so a server that
 * drifted from the table fails loudly where it is built, not in a page far away (ADR 0021).
 * Production trusts the server, which serializes through the same schemas.
 */
async function checkReply(spec: RouteLike<RouteSpec>, payload: unknown): Promise<void> {
  if (!import.meta.env.DEV) return;
  const entry = 'summary' in spec ? spec : await entryOf(spec);
  if (!entry.reply) return;
  const { Value } = await import('typebox/value');
  if (Value.Check(entry.reply, payload)) return;
  const first = Value.Errors(entry.reply, payload)[0];
  const where = first ? `${first.instancePath || '/'} ${first.message}` : 'does not match';
  throw new ApiError({
    status: 0,
    code: 'contract_mismatch',
    message: `${spec.method} ${spec.path}: the reply ${where}`,
  });
}

/**
 * The table's entry a reference stands for, with its schemas: development builds only, so the
 * sign-in page's references are checked like every other call without loading the table into
 * the production first visit.
 */
async function entryOf(ref: RouteRef<RouteSpec>): Promise<RouteSpec> {
  const { allRoutes } = await import('@careloop/core');
  const entry = allRoutes.find((r) => r.method === ref.method && r.path === ref.path);
  if (entry) return entry;
  throw new ApiError({
    status: 0,
    code: 'contract_mismatch',
    message: `${ref.method} ${ref.path} is not in the route table`,
  });
}

/** The input argument of a call, optional when the route needs none. */
export type CallArgs<S extends RouteSpec> =
  object extends CallInput<S> ? [input?: CallInput<S>] : [input: CallInput<S>];

/** Calls a route of the table: the path, the input and the reply are typed by it. */
async function call<S extends RouteSpec>(
  spec: RouteLike<S>,
  ...args: CallArgs<S>
): Promise<RouteReply<S>> {
  const input = (args[0] ?? {}) as CallInput<S>;
  const { body } = input as { body?: unknown };
  const payload = await request<unknown>(spec.method, urlOf(spec, input), body);
  await checkReply(spec, payload);
  return payload as RouteReply<S>;
}

/**
 * Issue 13: a call with an `Idempotency-Key` header (a booking): the caller makes one key per
 * confirmation and sends it again on a retry, so a double click or a timeout books once.
 */
async function callOnce<S extends RouteSpec>(
  spec: S,
  idempotencyKey: string,
  ...args: CallArgs<S>
): Promise<RouteReply<S>> {
  const input = (args[0] ?? {}) as CallInput<S>;
  const { body } = input as { body?: unknown };
  const payload = await request<unknown>(spec.method, urlOf(spec, input), body, {
    'idempotency-key': idempotencyKey,
  });
  await checkReply(spec, payload);
  return payload as RouteReply<S>;
}

/** A new Idempotency-Key: one per confirmation of a booking. */
export function newIdempotencyKey(): string {
  return crypto.randomUUID();
}

/** The one way the web app talks to the Careloop API (same origin, JSON, CSRF header). */
export const api = {
  call,
  callOnce,
  get: <T>(path: string, params?: QueryParams) => request<T>('GET', withQuery(path, params)),
  post: <T>(path: string, body?: unknown) => request<T>('POST', path, body),
  patch: <T>(path: string, body?: unknown) => request<T>('PATCH', path, body),
  put: <T>(path: string, body?: unknown) => request<T>('PUT', path, body),
  delete: <T>(path: string) => request<T>('DELETE', path),
};
