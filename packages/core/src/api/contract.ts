import type { Static, TSchema } from 'typebox';
import type { RoutePolicy } from '../auth/permissions.js';

export type HttpMethod = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';

/**
 * One route of the API as both sides see it: the server registers its Fastify route from it
 * (path, schemas, permission) and the web client calls it (path, types, reply check). A route
 * changed here breaks the build of whichever side no longer matches.
 */
export interface RouteSpec {
  method: HttpMethod;
  /** Fastify's syntax: `/api/patients/:id`. */
  path: string;
  /** Who may call it; checked by the server's security hook before the handler runs. */
  policy: RoutePolicy;
  tags: readonly string[];
  summary: string;
  description?: string;
  params?: TSchema;
  query?: TSchema;
  body?: TSchema;
  /** Issue 10.3: request headers the route reads (a booking's `Idempotency-Key`). */
  headers?: TSchema;
  /**
   * The JSON reply of a success. Absent for a route that answers something else (a CSV file,
   * an NDJSON stream): the web reads those itself, and only its errors are described.
   */
  reply?: TSchema;
  /** The status of a success when it is not 200: 204 for a reply without a body. */
  status?: 201 | 202 | 204;
  /** Issue 13: a 409 with more than the Problem (a taken slot's alternatives). */
  conflict?: TSchema;
}

/** Declares a route, keeping its literal types for both sides. */
export function route<const S extends RouteSpec>(spec: S): S {
  return spec;
}

/**
 * A route of the table by its method, path and policy only, without its schemas: what a page
 * that must not load TypeBox (the sign-in page, under its first-visit budget) calls a route
 * with. Typed by the table's entry, so its input and reply are the entry's, and `routeRef`
 * refuses at compile time a method, path or policy that differs from the entry's.
 */
export interface RouteRef<S extends RouteSpec> {
  readonly method: S['method'];
  readonly path: S['path'];
  readonly policy: S['policy'];
  /** Types only: the table's entry (never set; its schemas are not loaded). */
  readonly entry?: S;
}

/** A reference to the table's entry S, checked against it by the compiler (see RouteRef). */
export function routeRef<S extends RouteSpec>(
  ref: Pick<S, 'method' | 'path' | 'policy'>,
): RouteRef<S> {
  return ref;
}

/** A route of the table, or a reference to one. */
export type RouteLike<S extends RouteSpec> = S | RouteRef<S>;

type StaticOf<S, K extends keyof RouteSpec> = S extends { [P in K]: infer T extends TSchema }
  ? Static<T>
  : undefined;

export type RouteParams<S extends RouteSpec> = StaticOf<S, 'params'>;
export type RouteQuery<S extends RouteSpec> = StaticOf<S, 'query'>;
export type RouteBody<S extends RouteSpec> = StaticOf<S, 'body'>;
export type RouteHeaders<S extends RouteSpec> = StaticOf<S, 'headers'>;
export type RouteReply<S extends RouteSpec> = S extends { reply: infer T extends TSchema }
  ? Static<T>
  : unknown;

type RouteTable = Record<string, Record<string, RouteSpec>>;
/** Any route of a table of modules (`{ patients: { list, get }, … }`). */
export type RouteOf<T extends RouteTable> = { [M in keyof T]: T[M][keyof T[M]] }[keyof T];

/** Every route spec of a table of modules. */
export function routesOf<T extends RouteTable>(table: T): RouteOf<T>[] {
  // Object.values loses the keys' types; every value of every module is one of RouteOf<T>.
  return Object.values(table).flatMap((module) => Object.values(module)) as RouteOf<T>[];
}

/** `/api/patients/:id` with `{ id }` filled in, each value URI-encoded. */
export function fillPath(path: string, params: Record<string, unknown> | undefined): string {
  return path.replace(/:([A-Za-z0-9_]+)/g, (_, name: string) => {
    const value = params?.[name];
    if (value === undefined || value === null) throw new Error(`${path}: missing :${name}`);
    return encodeURIComponent(String(value));
  });
}
