/** The latest UTC offset on Earth (Line Islands, UTC+14), in milliseconds. */
const LATEST_OFFSET_MS = 14 * 60 * 60 * 1000;

/**
 * Whether a calendar date (YYYY-MM-DD) has not begun yet anywhere on Earth at `asOf`: a birth
 * date registered today in Kiritimati is already tomorrow in UTC, and must still be taken.
 */
export function isFutureDate(date: string, asOf: Date): boolean {
  const latestToday = new Date(asOf.getTime() + LATEST_OFFSET_MS).toISOString().slice(0, 10);
  return date > latestToday;
}
