/** The SQLSTATE of a database error, also when a driver or Drizzle wrapped it (`cause`). */
export function sqlState(error: unknown): string | null {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current && typeof current === 'object'; depth += 1) {
    const { code, cause } = current as { code?: unknown; cause?: unknown };
    if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) return code;
    current = cause;
  }
  return null;
}

/** The constraint a unique violation broke, or null when `error` is not one. */
export function violatedUniqueConstraint(error: unknown): string | null {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current && typeof current === 'object'; depth += 1) {
    const { code, constraint, cause } = current as {
      code?: unknown;
      constraint?: unknown;
      cause?: unknown;
    };
    if (code === '23505') return typeof constraint === 'string' ? constraint : '';
    current = cause;
  }
  return null;
}

// admin_shutdown, crash_shutdown, cannot_connect_now, and the connection exceptions (08…),
// too_many_connections: the database is away or restarting, not the request at fault.
const UNAVAILABLE_STATES = new Set([
  '57P01',
  '57P02',
  '57P03',
  '08000',
  '08001',
  '08003',
  '08004',
  '08006',
  '53300',
]);
const UNAVAILABLE_SOCKET_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
]);
// node-postgres and pg-pool say these in words, with no code.
const UNAVAILABLE_MESSAGES = [
  /^Connection terminated/,
  /^timeout exceeded when trying to connect/,
  // A client's own connect timeout (`CONNECT_TIMEOUT_MS`).
  /^timeout expired$/,
  /is not queryable$/,
  /^Client was closed/,
];

/**
 * Whether `error` says the database cannot be reached now (stopped, restarting, a backend
 * terminated, the socket gone, no connection within the pool's timeout): the request may be
 * tried again later, unchanged. Follows `cause` (Drizzle wraps) and `errors` (AggregateError).
 */
export function isDatabaseUnavailable(error: unknown, depth = 0): boolean {
  if (depth > 5 || !error || typeof error !== 'object') return false;
  const { code, message, cause, errors } = error as {
    code?: unknown;
    message?: unknown;
    cause?: unknown;
    errors?: unknown;
  };
  if (
    typeof code === 'string' &&
    (UNAVAILABLE_STATES.has(code) || UNAVAILABLE_SOCKET_CODES.has(code))
  ) {
    return true;
  }
  if (typeof message === 'string' && UNAVAILABLE_MESSAGES.some((m) => m.test(message))) return true;
  if (Array.isArray(errors) && errors.some((e) => isDatabaseUnavailable(e, depth + 1))) return true;
  return isDatabaseUnavailable(cause, depth + 1);
}

// The server refused or never answered a new connection: no statement ran.
const CONNECT_STATES = new Set(['57P03', '08001', '08004', '53300']);
const CONNECT_SOCKET_CODES = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN']);
const CONNECT_MESSAGES = [
  /^timeout exceeded when trying to connect/,
  /^Connection terminated due to connection timeout/,
  /^timeout expired$/,
];

/**
 * Whether `error` is a failure to get a connection at all (refused, starting up, no answer
 * within the pool's timeout): a subset of `isDatabaseUnavailable` after which trying again at
 * once only fails, or waits, the same way.
 */
export function isConnectFailure(error: unknown, depth = 0): boolean {
  if (depth > 5 || !error || typeof error !== 'object') return false;
  const { code, message, cause, errors } = error as {
    code?: unknown;
    message?: unknown;
    cause?: unknown;
    errors?: unknown;
  };
  if (typeof code === 'string' && (CONNECT_STATES.has(code) || CONNECT_SOCKET_CODES.has(code))) {
    return true;
  }
  if (typeof message === 'string' && CONNECT_MESSAGES.some((m) => m.test(message))) return true;
  if (Array.isArray(errors) && errors.some((e) => isConnectFailure(e, depth + 1))) return true;
  return isConnectFailure(cause, depth + 1);
}

/** An error as it may be logged: what and where, never a value from the data. */
export interface LoggableError {
  type: string;
  message: string;
  sqlState?: string;
  /** Schema names the server reported (constraint, table, column, routine): never values. */
  constraint?: string;
  table?: string;
  column?: string;
  routine?: string;
  /** Stack frames; a database error's without its message. Empty when unknown. */
  stack: string;
  cause?: LoggableError;
  [key: string]: unknown;
}

/** A database error: SQLSTATE, a server error's fields, or Drizzle's wrapper of a failed query. */
function isSqlError(error: object): boolean {
  const { code, severity, query, params } = error as Record<string, unknown>;
  return (
    (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) ||
    typeof severity === 'string' ||
    (typeof query === 'string' && params !== undefined)
  );
}

/** A statement's text with its string literals blanked (statements sent without parameters). */
function maskLiterals(text: string): string {
  return text.replace(/'(?:[^']|'')*'/g, "'…'").slice(0, 2000);
}

const optional = (value: unknown) => (typeof value === 'string' && value ? value : undefined);

/**
 * `error` for a log line. A database error keeps its SQLSTATE, the names of what it broke and
 * its stack frames, but not its message, detail, hint or parameters: Drizzle's message lists
 * every parameter of the failed query (`params: Melissa,Goldberg,…`) and PostgreSQL's quotes
 * the value it refused (`invalid input syntax …: "Melissa"`, `Key (email)=(…)`). A failed
 * query's text is kept with its string literals blanked. Other errors are kept as they are.
 */
export function loggableError(error: unknown, depth = 0): LoggableError {
  if (!error || typeof error !== 'object') {
    return { type: typeof error, message: String(error), stack: '' };
  }
  const e = error as Error & Record<string, unknown>;
  const type = typeof e.name === 'string' ? e.name : 'Error';
  const cause =
    depth < 5 && e.cause !== undefined ? { cause: loggableError(e.cause, depth + 1) } : {};
  if (!isSqlError(e)) {
    return {
      type,
      message: typeof e.message === 'string' ? e.message : String(error),
      stack: typeof e.stack === 'string' ? e.stack : '',
      ...cause,
    };
  }
  const state = sqlState(e) ?? undefined;
  const query = optional(e.query);
  const frames =
    typeof e.stack === 'string'
      ? e.stack
          .split('\n')
          .filter((line) => /^\s+at /.test(line))
          .join('\n')
      : '';
  return {
    type,
    message: query
      ? `Failed query: ${maskLiterals(query)}`
      : `database error${state ? ` ${state}` : ''}`,
    ...(state ? { sqlState: state } : {}),
    ...(optional(e.constraint) ? { constraint: optional(e.constraint) } : {}),
    ...(optional(e.table) ? { table: optional(e.table) } : {}),
    ...(optional(e.column) ? { column: optional(e.column) } : {}),
    ...(optional(e.routine) ? { routine: optional(e.routine) } : {}),
    stack: frames ? `${type}\n${frames}` : '',
    ...cause,
  };
}

/** `loggableError` as one line of text, for a CLI's stderr. */
export function loggableText(error: unknown): string {
  const safe = loggableError(error);
  return `${safe.type}: ${safe.message}${safe.sqlState && !safe.message.includes(safe.sqlState) ? ` (SQLSTATE ${safe.sqlState})` : ''}`;
}

/**
 * The body field a foreign-key violation is about, from the constraint's name: tenant
 * references are named `<table>_<column>_fk` (`sameOrganization`), so
 * `patients_primary_location_id_fk` on `patients` is `primaryLocationId`. Null when `error` is
 * not a foreign-key violation; `''` when the constraint does not follow the naming.
 */
export function violatedReferenceField(error: unknown): string | null {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current && typeof current === 'object'; depth += 1) {
    const { code, constraint, table, cause } = current as {
      code?: unknown;
      constraint?: unknown;
      table?: unknown;
      cause?: unknown;
    };
    if (code === '23503') {
      if (typeof constraint !== 'string' || typeof table !== 'string') return '';
      const column = /^(.+)_fk$/.exec(constraint.slice(table.length + 1))?.[1];
      if (!constraint.startsWith(`${table}_`) || !column) return '';
      return column.replace(/_([a-z])/g, (_, letter: string) => letter.toUpperCase());
    }
    current = cause;
  }
  return null;
}
