/** A spreadsheet cell's value as a reader library gives it; anything else reads as empty. */
export type SheetCell = string | number | boolean | Date | null | undefined;

function sheetCell(value: unknown): SheetCell {
  return value instanceof Date ||
    typeof value === 'string' ||
    typeof value === 'number' ||
    typeof value === 'boolean'
    ? value
    : null;
}

const two = (n: number) => String(n).padStart(2, '0');

/**
 * A cell as the text a CSV export of the sheet would hold: dates as ISO (`1980-03-04`, or
 * `1980-03-04T09:30:00` with a time of day; spreadsheets keep wall-clock times, no zone),
 * numbers without exponent or float noise, booleans as `true`/`false`.
 */
export function cellText(cell: unknown): string {
  const value = sheetCell(cell);
  if (value === null || value === undefined) return '';
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) return '';
    const date = `${value.getUTCFullYear()}-${two(value.getUTCMonth() + 1)}-${two(value.getUTCDate())}`;
    const seconds = value.getUTCHours() * 3600 + value.getUTCMinutes() * 60 + value.getUTCSeconds();
    if (seconds === 0) return date;
    return `${date}T${two(value.getUTCHours())}:${two(value.getUTCMinutes())}:${two(value.getUTCSeconds())}`;
  }
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return '';
    return Number.isInteger(value)
      ? BigInt(value).toString()
      : String(Number(value.toPrecision(15)));
  }
  return String(value);
}

/** Quotes a field when RFC 4180 needs it. */
const field = (text: string) => (/[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text);

/** A sheet's rows as comma-separated text, so a workbook takes the same road as a CSV file. */
export function sheetToCsv(rows: readonly (readonly unknown[])[]): string {
  return rows.map((row) => row.map((cell) => field(cellText(cell))).join(',')).join('\r\n');
}
