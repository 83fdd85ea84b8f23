import type { AgreementLevel, Comparison } from './fields.js';
import { areNameVariants } from './nicknames.js';
import type { PreparedAddress, PreparedName, PreparedRecord } from './normalize.js';
import { jaroWinkler, tokenSimilarity, tokensAtLeast, withinOneEdit } from './similarity.js';

/** Jaro–Winkler at or above which two names are taken for one name mistyped. */
export const NAME_SIMILARITY = 0.88;
/** The same for places and address lines, which are longer and vary more in wording. */
export const PLACE_SIMILARITY = 0.9;

/** Names: one spelling up to spaces; else a typo, a nickname, a sound-alike or a reordering. */
export function compareName(a: PreparedName | null, b: PreparedName | null): AgreementLevel {
  if (a === null || b === null) return 'missing';
  if (a.compact === b.compact) return 'exact';
  if (nameSimilarity(a, b) >= NAME_SIMILARITY) return 'similar';
  if (a.phonetic !== '' && a.phonetic === b.phonetic) return 'similar';
  return areNameVariants(a.tokens[0] ?? '', b.tokens[0] ?? '') ? 'similar' : 'disagree';
}

/** The Jaro–Winkler similarity of two names, whole or word by word, whichever is higher. */
export function nameSimilarity(a: PreparedName, b: PreparedName): number {
  const whole = jaroWinkler(a.compact, b.compact);
  if (a.tokens.length === 1 && b.tokens.length === 1) return whole;
  return Math.max(whole, tokenSimilarity(a.tokens, b.tokens));
}

/**
 * Birth dates: equal; or one keystroke apart (a digit replaced, two neighbours swapped); or day
 * and month swapped (03/04 read as 04/03, the usual error between US and other forms).
 */
export function compareBirthDate(a: string | null, b: string | null): AgreementLevel {
  if (a === null || b === null) return 'missing';
  if (a === b) return 'exact';
  if (a.slice(0, 4) === b.slice(0, 4) && a.slice(4, 6) === b.slice(6, 8)) {
    if (a.slice(6, 8) === b.slice(4, 6)) return 'similar';
  }
  return withinOneEdit(a, b) ? 'similar' : 'disagree';
}

/** Codes (postcodes, phones, identifiers): equal, one keystroke apart, or different. */
export function compareCode(a: string | null, b: string | null): AgreementLevel {
  if (a === null || b === null) return 'missing';
  if (a === b) return 'exact';
  return withinOneEdit(a, b) ? 'similar' : 'disagree';
}

/** Phones also agree on the last seven digits (the same line, written with or without area). */
export function comparePhone(a: string | null, b: string | null): AgreementLevel {
  const level = compareCode(a, b);
  if (level !== 'disagree' || a === null || b === null) return level;
  return a.length >= 7 && a.slice(-7) === b.slice(-7) ? 'similar' : 'disagree';
}

/** Emails also agree on the mailbox name at another domain. */
export function compareEmail(a: string | null, b: string | null): AgreementLevel {
  const level = compareCode(a, b);
  if (level !== 'disagree' || a === null || b === null) return level;
  return a.slice(0, a.indexOf('@')) === b.slice(0, b.indexOf('@')) ? 'similar' : 'disagree';
}

/** Cities and other place words: equal, or similar as text or word by word. */
export function comparePlace(a: string | null, b: string | null): AgreementLevel {
  if (a === null || b === null) return 'missing';
  if (a === b) return 'exact';
  return jaroWinkler(a, b) >= PLACE_SIMILARITY ? 'similar' : 'disagree';
}

/** Address lines: equal once normalized, or similar word by word (a typo, a missing unit). */
export function compareAddress(
  a: PreparedAddress | null,
  b: PreparedAddress | null,
): AgreementLevel {
  if (a === null || b === null) return 'missing';
  if (a.text === b.text) return 'exact';
  if (jaroWinkler(a.text, b.text) >= PLACE_SIMILARITY) return 'similar';
  return tokensAtLeast(a.tokens, b.tokens, PLACE_SIMILARITY) ? 'similar' : 'disagree';
}

/**
 * Identifiers, system by system: a shared value is `exact`; a value one keystroke off in the
 * same system is `similar`; only different values in shared systems is `disagree`; no shared
 * system is `missing`.
 */
export function compareIdentifiers(a: readonly string[], b: readonly string[]): AgreementLevel {
  let level: AgreementLevel = 'missing';
  for (const x of a) {
    const bar = x.indexOf('|');
    const system = x.slice(0, bar + 1);
    for (const y of b) {
      if (!y.startsWith(system)) continue;
      if (x === y) return 'exact';
      if (withinOneEdit(x.slice(bar + 1), y.slice(bar + 1))) level = 'similar';
      else if (level === 'missing') level = 'disagree';
    }
  }
  return level;
}

/** Values from a short list (sex, state), where a near miss is no closer than a far one. */
function compareExact(a: string | null, b: string | null): AgreementLevel {
  if (a === null || b === null) return 'missing';
  return a === b ? 'exact' : 'disagree';
}

/**
 * Given and family names, read crosswise too: a form filled in the wrong boxes. When both names
 * are crossed, both are `similar`; when one name turns up in the other box, it counts as
 * `similar` and the other keeps its level.
 */
function compareNames(a: PreparedRecord, b: PreparedRecord): [AgreementLevel, AgreementLevel] {
  const given = compareName(a.given, b.given);
  const family = compareName(a.family, b.family);
  if (given !== 'disagree' && family !== 'disagree') return [given, family];
  const agrees = (level: AgreementLevel) => level === 'exact' || level === 'similar';
  const givenCrossed = agrees(compareName(a.given, b.family));
  const familyCrossed = agrees(compareName(a.family, b.given));
  if (givenCrossed && familyCrossed) return ['similar', 'similar'];
  if (family === 'disagree' && (givenCrossed || familyCrossed)) return [given, 'similar'];
  if (given === 'disagree' && (givenCrossed || familyCrossed)) return ['similar', family];
  return [given, family];
}

/** Compares every field of two prepared records. */
export function compareRecords(a: PreparedRecord, b: PreparedRecord): Comparison {
  const [given, family] = compareNames(a, b);
  return {
    given,
    family,
    birthDate: compareBirthDate(a.birthDate, b.birthDate),
    sex: compareExact(a.sex, b.sex),
    line: compareAddress(a.line, b.line),
    city: comparePlace(a.city, b.city),
    state: compareExact(a.state, b.state),
    postalCode: compareCode(a.postalCode, b.postalCode),
    phone: comparePhone(a.phone, b.phone),
    email: compareEmail(a.email, b.email),
    identifier: compareIdentifiers(a.identifiers, b.identifiers),
  };
}
