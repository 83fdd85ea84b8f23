/** A whole number option, at least 1; anything else stops the benchmark with its name. */
export function positiveInteger(value: string | undefined, name: string): number {
  const n = Number(value?.replace(/_/g, ''));
  if (!Number.isSafeInteger(n) || n < 1) {
    throw new Error(`--${name} must be a whole number of at least 1, got "${value ?? ''}"`);
  }
  return n;
}
