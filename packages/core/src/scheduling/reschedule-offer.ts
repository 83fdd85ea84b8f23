/**
 * Issue 11: "R" to a reminder offers open slots by text (docs/adr/0036-reschedule-offers.md).
 * The pure rules: which words ask to reschedule, what an answer to an offer says, which slots
 * are offered and when an offer ends. No holds are placed: a slot taken meanwhile gets the
 * patient a fresh offer.
 */

/** A slot as an offer keeps it: when, with whom, where. */
export interface OfferedSlot {
  start: string;
  end: string;
  practitionerId: string;
  locationId: string;
}

/**
 * First words that ask to reschedule, in every language the reminders are written in: the
 * reminder asks for "R" in both, and the whole words are unambiguous in either language, so a
 * Spanish "cambiar" from a patient whose record says English still counts.
 */
export const RESCHEDULE_WORDS = ['R', 'RESCHEDULE', 'CAMBIAR', 'REPROGRAMAR'] as const;

/** How many slots one offer names ("reply 1, 2 or 3"). */
export const OFFER_SIZE = 3;

/** An offer lasts at most this long. */
export const OFFER_TTL_MS = 24 * 3_600_000;

/** No slot is offered that starts sooner than this after the offer (time to get there). */
export const OFFER_MIN_LEAD_MS = 2 * 3_600_000;

/** An offer ends at the latest this long before its first slot, so that one is still bookable. */
export const OFFER_CLOSE_BEFORE_FIRST_MS = 3_600_000;

/** Whether a message's first word asks to reschedule ("r", " R please", "Reprogramar"). */
export function asksToReschedule(text: string): boolean {
  const word = firstWord(text);
  return (RESCHEDULE_WORDS as readonly string[]).includes(word);
}

export type OfferAnswer =
  /** The patient chose the offered slot at this 1-based position. */
  | { kind: 'choose'; choice: number }
  /** N (or "more", "más"): other times, please. */
  | { kind: 'more' };

const MORE_WORDS = ['N', 'NO', 'MORE', 'NEXT', 'MAS', 'MÁS', 'OTRO', 'OTROS', 'OTRA', 'OTRAS'];

/**
 * What a reply to an offer of `offered` slots says, or null when it is not an answer to it (a
 * question, a number it did not offer: a conversation for staff). The whole message counts,
 * any case, with one trailing full stop, exclamation mark or closing parenthesis dropped and
 * "#2" or "option 2" read as 2.
 */
export function parseOfferAnswer(text: string, offered: number): OfferAnswer | null {
  const said = text
    .trim()
    .replace(/[.!)]$/, '')
    .replace(/\s+/g, ' ')
    .toUpperCase();
  const number = /^(?:#|OPTION |OPCI[OÓ]N )?([0-9])$/.exec(said);
  if (number) {
    const choice = Number(number[1]);
    return choice >= 1 && choice <= offered ? { kind: 'choose', choice } : null;
  }
  return MORE_WORDS.includes(said) ? { kind: 'more' } : null;
}

/**
 * The slots to offer, from open slots found for the appointment's service: up to `size`, one
 * per start time, none sooner than the minimum lead nor at the appointment's own start, none
 * already offered (an "N" asks for others), earliest first; the appointment's practitioner's
 * own slots first, others only when that practitioner has none.
 */
export function chooseOfferSlots(
  open: readonly OfferedSlot[],
  input: {
    now: number;
    practitionerId: string | null;
    currentStart: number;
    exclude?: readonly string[];
    size?: number;
  },
): OfferedSlot[] {
  const size = input.size ?? OFFER_SIZE;
  const excluded = new Set(input.exclude ?? []);
  const eligible = open
    .filter((s) => {
      const start = Date.parse(s.start);
      return (
        Number.isFinite(start) &&
        start >= input.now + OFFER_MIN_LEAD_MS &&
        start !== input.currentStart &&
        !excluded.has(s.start)
      );
    })
    .sort((a, b) => Date.parse(a.start) - Date.parse(b.start));
  const own = eligible.filter((s) => s.practitionerId === input.practitionerId);
  const pool = own.length > 0 ? own : eligible;
  const chosen: OfferedSlot[] = [];
  const starts = new Set<number>();
  for (const slot of pool) {
    const start = Date.parse(slot.start);
    if (starts.has(start)) continue;
    starts.add(start);
    chosen.push(slot);
    if (chosen.length >= size) break;
  }
  return chosen;
}

/**
 * When an offer made at `now` ends: 24 hours on, or an hour before its first slot if sooner.
 * Null when that leaves no time at all (the caller hands the patient to the front desk).
 */
export function offerExpiry(now: number, slots: readonly OfferedSlot[]): number | null {
  if (slots.length === 0) return null;
  const first = Math.min(...slots.map((s) => Date.parse(s.start)));
  const expiry = Math.min(now + OFFER_TTL_MS, first - OFFER_CLOSE_BEFORE_FIRST_MS);
  return expiry > now ? expiry : null;
}

/** The offered slots as a text lists them: "1) Tue, Dec 8, 9:00 AM 2) …", in the zone given. */
export function offerChoicesText(
  slots: readonly OfferedSlot[],
  timeZone: string,
  language: string,
): string {
  const format = new Intl.DateTimeFormat(language === 'es' ? 'es-US' : 'en-US', {
    timeZone,
    weekday: 'short',
    month: 'short',
    day: 'numeric',
    hour: 'numeric',
    minute: '2-digit',
  });
  return slots.map((s, i) => `${i + 1}) ${gsm7(format.format(new Date(s.start)))}`).join(' ');
}

/**
 * A formatted date as GSM-7 can carry it, so one accent does not turn the whole text into UCS-2
 * (70 characters a segment instead of 160): the narrow and no-break spaces some ICU versions put
 * before AM become spaces, and "sáb" becomes "sab" (é and ñ are GSM-7 already).
 */
function gsm7(text: string): string {
  return text
    .replace(/[\u202f\u00a0]/g, ' ')
    .replace(/[áíóú]/g, (c) => ({ á: 'a', í: 'i', ó: 'o', ú: 'u' })[c] ?? c);
}

/** A stored offer's slots, validated like any input (a row may be hand-edited or older). */
export function offeredSlotsOf(value: unknown): OfferedSlot[] {
  if (!Array.isArray(value)) return [];
  return value.flatMap((v: unknown) => {
    if (!v || typeof v !== 'object') return [];
    const s = v as Record<string, unknown>;
    const { start, end, practitionerId, locationId } = s;
    if (
      typeof start !== 'string' ||
      typeof end !== 'string' ||
      typeof practitionerId !== 'string' ||
      typeof locationId !== 'string' ||
      !Number.isFinite(Date.parse(start)) ||
      !Number.isFinite(Date.parse(end))
    ) {
      return [];
    }
    return [{ start, end, practitionerId, locationId }];
  });
}

function firstWord(text: string): string {
  return (
    text
      .trim()
      .split(/\s+/)[0]
      ?.replace(/[.,!?:;]+$/, '')
      .toUpperCase() ?? ''
  );
}
