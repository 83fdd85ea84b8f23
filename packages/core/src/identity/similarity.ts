// Scratch flags reused across calls: matching runs millions of comparisons, and allocating two
// arrays for each would dominate the cost. They grow for longer strings.
let flagsA = new Uint8Array(64);
let flagsB = new Uint8Array(64);

/** Jaro similarity in [0, 1]: shared characters within a window, penalised for transpositions. */
export function jaro(a: string, b: string): number {
  if (a === b) return 1;
  const la = a.length;
  const lb = b.length;
  if (la === 0 || lb === 0) return 0;
  if (la > flagsA.length) flagsA = new Uint8Array(la * 2);
  if (lb > flagsB.length) flagsB = new Uint8Array(lb * 2);
  const inA = flagsA;
  const inB = flagsB;
  for (let i = 0; i < la; i++) inA[i] = 0;
  for (let j = 0; j < lb; j++) inB[j] = 0;
  const window = Math.max(0, (la > lb ? la : lb) / 2 - 1) | 0;
  let matches = 0;
  for (let i = 0; i < la; i++) {
    const from = i > window ? i - window : 0;
    const to = i + window < lb - 1 ? i + window : lb - 1;
    const c = a.charCodeAt(i);
    for (let j = from; j <= to; j++) {
      if (inB[j] === 0 && b.charCodeAt(j) === c) {
        inA[i] = 1;
        inB[j] = 1;
        matches++;
        break;
      }
    }
  }
  if (matches === 0) return 0;
  let transposed = 0;
  let k = 0;
  for (let i = 0; i < la; i++) {
    if (inA[i] === 0) continue;
    while (inB[k] === 0) k++;
    if (a.charCodeAt(i) !== b.charCodeAt(k)) transposed++;
    k++;
  }
  const m = matches;
  return (m / la + m / lb + (m - transposed / 2) / m) / 3;
}

/**
 * Jaro–Winkler similarity in [0, 1]: Jaro, raised for a shared prefix of up to four characters
 * (typing errors are rarer at the start of a name). The boost applies above 0.7, as Winkler set it.
 */
export function jaroWinkler(a: string, b: string): number {
  const j = jaro(a, b);
  if (j <= 0.7) return j;
  const limit = Math.min(4, a.length, b.length);
  let prefix = 0;
  while (prefix < limit && a.charCodeAt(prefix) === b.charCodeAt(prefix)) prefix++;
  return j + prefix * 0.1 * (1 - j);
}

/**
 * True when `a` becomes `b` by one keystroke error: one character replaced, inserted or deleted,
 * or two neighbours swapped. The typo model for codes (dates, postcodes, identifiers, phones).
 */
export function withinOneEdit(a: string, b: string): boolean {
  if (a === b) return true;
  const la = a.length;
  const lb = b.length;
  if (Math.abs(la - lb) > 1) return false;
  let i = 0;
  while (i < la && i < lb && a.charCodeAt(i) === b.charCodeAt(i)) i++;
  if (la === lb) {
    // Replacement of character i, or a swap of i and i + 1.
    if (a.slice(i + 1) === b.slice(i + 1)) return true;
    return (
      a.charCodeAt(i) === b.charCodeAt(i + 1) &&
      a.charCodeAt(i + 1) === b.charCodeAt(i) &&
      a.slice(i + 2) === b.slice(i + 2)
    );
  }
  return la > lb ? a.slice(i + 1) === b.slice(i) : a.slice(i) === b.slice(i + 1);
}

/**
 * Similarity of two token lists (words of an address, parts of a name), insensitive to order:
 * each token of the shorter list is paired with its most similar token in the longer one
 * (Monge–Elkan with Jaro–Winkler), and the mean is scaled by how much of the longer list is
 * covered, so that a missing word lowers the score without sinking it.
 */
export function tokenSimilarity(a: readonly string[], b: readonly string[]): number {
  return tokenScore(a, b, 0);
}

/** True when `tokenSimilarity(a, b) >= threshold`; gives up as soon as it cannot be. */
export function tokensAtLeast(a: readonly string[], b: readonly string[], threshold: number) {
  return tokenScore(a, b, threshold) >= threshold;
}

function tokenScore(a: readonly string[], b: readonly string[], threshold: number): number {
  if (a.length === 0 || b.length === 0) return 0;
  const [short, long] = a.length <= b.length ? [a, b] : [b, a];
  const scale = 0.8 + (0.2 * short.length) / long.length;
  // The sum of best similarities needed to reach the threshold.
  const needed = (threshold / scale) * short.length;
  let sum = 0;
  let left = short.length;
  for (const s of short) {
    let best = 0;
    for (const t of long) {
      const sim = s === t ? 1 : jaroWinkler(s, t);
      if (sim > best) best = sim;
      if (best === 1) break;
    }
    sum += best;
    left--;
    if (sum + left < needed) return 0;
  }
  return (sum / short.length) * scale;
}
