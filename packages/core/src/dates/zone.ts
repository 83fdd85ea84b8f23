/**
 * Time zones: the one routine that turns a wall-clock time in an IANA zone into an instant,
 * DST-correct, for every reader of local times (HL7 timestamps without an offset, CSV dates and
 * times in the organization's zone).
 */

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/**
 * Offsets already read, per zone and instant: availability reads the same few instants for
 * every practitioner of a location (the edges of their shared hours and breaks, each day), and
 * each reading is an `Intl` call (`formatToParts`), the largest cost of a location's day in the
 * availability bench. A zone's rules do not change while the process runs.
 */
const offsets = new Map<string, number>();
const MAX_CACHED_OFFSETS = 100_000;

/** The zone's offset from UTC at `utcMs`, in ms (New York in winter: -5 h), to the second. */
export function zoneOffsetMs(utcMs: number, timeZone: string): number {
  const key = `${timeZone}|${utcMs}`;
  const known = offsets.get(key);
  if (known !== undefined) return known;
  if (offsets.size >= MAX_CACHED_OFFSETS) offsets.clear();
  const offset = readOffset(utcMs, timeZone);
  offsets.set(key, offset);
  return offset;
}

function readOffset(utcMs: number, timeZone: string): number {
  const parts: Record<string, number> = {};
  for (const p of formatterFor(timeZone).formatToParts(new Date(utcMs))) {
    if (p.type !== 'literal') parts[p.type] = Number(p.value);
  }
  const wall = Date.UTC(
    parts.year ?? 1970,
    (parts.month ?? 1) - 1,
    parts.day ?? 1,
    parts.hour ?? 0,
    parts.minute ?? 0,
    parts.second ?? 0,
  );
  return wall - Math.floor(utcMs / 1000) * 1000;
}

/**
 * A wall-clock time (`wallUtcMs`: the wall clock's fields read as if UTC) in `timeZone` as an
 * instant. In a DST overlap (fall back) it is the first reading, in daylight time (01:30 in New
 * York on 1 November 2026 is 05:30 UTC); a time in the hour a clock skips (spring forward) is
 * read with the daylight offset (02:30 in New York on 8 March 2026 is 06:30 UTC, shown as 01:30
 * standard time).
 */
export function zonedInstant(wallUtcMs: number, timeZone: string): Date {
  const first = zoneOffsetMs(wallUtcMs, timeZone);
  const second = zoneOffsetMs(wallUtcMs - first, timeZone);
  return new Date(wallUtcMs - second);
}
