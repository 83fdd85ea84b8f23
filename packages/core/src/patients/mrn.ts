/**
 * Medical record numbers a Careloop organization gives the patients its staff register. The
 * organization's format is text around one `{seq}` or `{seq:N}` placeholder, the number
 * zero-padded to N digits: `CL-{seq:6}` gives CL-000001, CL-000002, … .
 */
export const DEFAULT_MRN_FORMAT = 'CL-{seq:6}';

export interface MrnFormat {
  prefix: string;
  /** Zero-padded to this many digits (1 when the placeholder names no width). */
  width: number;
  suffix: string;
}

const FORMAT = /^([A-Za-z0-9._/-]*)\{seq(?::([1-9]|1[0-2]))?\}([A-Za-z0-9._/-]*)$/;

/** The format's parts, or null when it is not text around exactly one `{seq}` / `{seq:N}`. */
export function parseMrnFormat(format: string): MrnFormat | null {
  if (format.length > 40) return null;
  const match = FORMAT.exec(format);
  if (!match) return null;
  return { prefix: match[1] ?? '', width: Number(match[2] ?? 1), suffix: match[3] ?? '' };
}

/** The MRN numbered `seq` (1, 2, …) in `format`; throws on a format `parseMrnFormat` refuses. */
export function formatMrn(format: string, seq: number): string {
  const parts = parseMrnFormat(format);
  if (!parts) throw new RangeError(`Not an MRN format: ${format}`);
  if (!Number.isSafeInteger(seq) || seq < 1) throw new RangeError(`Not an MRN sequence: ${seq}`);
  return `${parts.prefix}${String(seq).padStart(parts.width, '0')}${parts.suffix}`;
}
