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
