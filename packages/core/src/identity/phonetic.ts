const VOWELS = new Set(['A', 'E', 'I', 'O', 'U']);
const isVowel = (c: string | undefined) => c !== undefined && VOWELS.has(c);

const FIRST: readonly (readonly [string, string])[] = [
  ['MAC', 'MCC'],
  ['KN', 'NN'],
  ['K', 'C'],
  ['PH', 'FF'],
  ['PF', 'FF'],
  ['SCH', 'SSS'],
];
const LAST: readonly (readonly [string, string])[] = [
  ['EE', 'Y'],
  ['IE', 'Y'],
  ['DT', 'D'],
  ['RT', 'D'],
  ['RD', 'D'],
  ['NT', 'D'],
  ['ND', 'D'],
];

function replaceEdge(
  name: string,
  rules: readonly (readonly [string, string])[],
  atEnd: boolean,
): string {
  for (const [from, to] of rules) {
    if (atEnd ? name.endsWith(from) : name.startsWith(from)) {
      return atEnd ? name.slice(0, -from.length) + to : to + name.slice(from.length);
    }
  }
  return name;
}

const startsAt = (letters: readonly string[], i: number, text: string) =>
  text.split('').every((c, k) => letters[i + k] === c);

/** The NYSIIS replacement for the letters at `i` (the key keeps one letter of each result). */
function translate(letters: readonly string[], i: number): string {
  const c = letters[i] ?? '';
  const next = letters[i + 1];
  if (c === 'E' && next === 'V') return 'AF';
  if (isVowel(c)) return 'A';
  switch (c) {
    case 'Q':
      return 'G';
    case 'Z':
      return 'S';
    case 'M':
      return 'N';
    case 'K':
      return next === 'N' ? 'N' : 'C';
    case 'S':
      return startsAt(letters, i, 'SCH') ? 'SSS' : 'S';
    case 'P':
      return next === 'H' ? 'FF' : 'P';
    case 'H': {
      const prev = letters[i - 1] ?? '';
      return !isVowel(prev) || !isVowel(next) ? prev : 'H';
    }
    case 'W': {
      const prev = letters[i - 1] ?? '';
      return isVowel(prev) ? prev : 'W';
    }
    default:
      return c;
  }
}

/**
 * NYSIIS phonetic code (New York State Identification and Intelligence System, 1970): names that
 * sound alike (Catherine, Kathryn) share a code. Built for surnames in US registries; truncated to
 * six letters as the original. Letters outside A–Z are dropped; empty when none remain.
 */
export function nysiis(input: string): string {
  let name = input
    .normalize('NFD')
    .toUpperCase()
    .replace(/[^A-Z]/g, '');
  if (name === '') return '';
  name = replaceEdge(replaceEdge(name, FIRST, false), LAST, true);
  let key = name[0] ?? '';
  // Translations rewrite the name as they go, as in the published algorithm.
  const letters = name.split('');
  for (let i = 1; i < letters.length; i++) {
    const replacement = translate(letters, i);
    for (let k = 0; k < replacement.length; k++) letters[i + k] = replacement[k] ?? '';
    const c = letters[i] ?? '';
    if (c !== key[key.length - 1]) key += c;
  }
  if (key.length > 1 && key.endsWith('S')) key = key.slice(0, -1);
  if (key.endsWith('AY')) key = `${key.slice(0, -2)}Y`;
  if (key.length > 1 && key.endsWith('A')) key = key.slice(0, -1);
  return key.slice(0, 6);
}
