/** Helpers for raw query results, whose types differ between PGlite and node-postgres. */
export function rowsOf<T>(result: unknown): T[] {
  if (Array.isArray(result)) return result as T[];
  if (result && typeof result === 'object' && 'rows' in result) {
    return (result as { rows: T[] }).rows;
  }
  return [];
}

export const iso = (d: Date | null): string | null => (d ? d.toISOString() : null);
