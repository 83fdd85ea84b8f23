import type { PreparedRecord } from './normalize.js';

/**
 * Blocking keys of a record: two records are compared only when they share one. Each key
 * survives a different kind of error, so a duplicate is lost only when every key is broken:
 * - `id`: an identifier, system and value;
 * - `fy`: family name's sound and birth year (survives typos in given name, date, address);
 * - `gp`: given name's initial and postcode (survives a changed family name or birth date);
 * - `bg`, `bf`: birth date (day and month in either order) and the given or the family initial
 *   (survive both names mistyped after their first letter, and a move);
 * - `nn`: both names' sounds, in either order (survives a wrong date and a move);
 * - `ph`, `em`: phone and email.
 */
export function blockingKeys(record: PreparedRecord): string[] {
  const keys: string[] = [];
  for (const id of record.identifiers) keys.push(`id:${id}`);
  const { given, family, birthDate, postalCode } = record;
  const year = birthDate?.slice(0, 4);
  if (family && year) keys.push(`fy:${family.phonetic}:${year}`);
  if (given && postalCode) keys.push(`gp:${given.compact[0]}:${postalCode}`);
  if (birthDate) {
    const [a, b] = [birthDate.slice(4, 6), birthDate.slice(6, 8)].sort();
    if (given) keys.push(`bg:${year}${a}${b}:${given.compact[0]}`);
    if (family) keys.push(`bf:${year}${a}${b}:${family.compact[0]}`);
  }
  if (given && family) keys.push(`nn:${[given.phonetic, family.phonetic].sort().join(':')}`);
  if (record.phone) keys.push(`ph:${record.phone}`);
  if (record.email) keys.push(`em:${record.email}`);
  return keys;
}

/** The order records take within a large block: by name, so that duplicates sit together. */
function sortKey(record: PreparedRecord): string {
  return `${record.family?.compact ?? ''} ${record.given?.compact ?? ''} ${record.birthDate ?? ''}`;
}

/** FNV-1a, 32 bits: blocks are formed on hashes (a rare collision only adds candidate pairs). */
function hashKey(key: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

export interface BlockingOptions {
  /** Blocks up to this many records compare every pair. Default 100. */
  fullBlockSize?: number;
  /**
   * Larger blocks (a common name in a big city, a default birth date such as 1900-01-01) are
   * sorted by name and each record is compared with the next `window` records only (sorted
   * neighbourhood): their cost grows with their size, not its square. Default 20.
   */
  window?: number;
}

export interface BlockingStats {
  blocks: number;
  /** Blocks compared within a sliding window, being larger than `fullBlockSize`. */
  windowedBlocks: number;
  largestBlock: number;
}

export const DEFAULT_FULL_BLOCK_SIZE = 100;
export const DEFAULT_WINDOW = 20;

export const emptyBlockingStats = (): BlockingStats => ({
  blocks: 0,
  windowedBlocks: 0,
  largestBlock: 0,
});

/** Every record's key hashes, sorted, in one flat array (record r at offsets[r]..offsets[r+1]). */
interface KeyIndex {
  offsets: Int32Array;
  hashes: Uint32Array;
  sortKeys: string[];
}

function indexKeys(records: readonly PreparedRecord[]): KeyIndex {
  const offsets = new Int32Array(records.length + 1);
  const all: number[] = [];
  const sortKeys: string[] = [];
  records.forEach((record, r) => {
    sortKeys.push(sortKey(record));
    const hashes = [...new Set(blockingKeys(record).map(hashKey))].sort((x, y) => x - y);
    for (const h of hashes) all.push(h);
    offsets[r + 1] = all.length;
  });
  return { offsets, hashes: Uint32Array.from(all), sortKeys };
}

/** Reduces a key hash as the packing of `count` records allows (see `sortedEntries`). */
function reducer(count: number): { bits: number; reduce: (hash: number) => number } {
  const bits = Math.max(1, Math.ceil(Math.log2(count + 1)));
  const shift = 2 ** (32 - Math.min(32, 53 - bits));
  return { bits, reduce: (hash) => Math.floor(hash / shift) };
}

/**
 * Every (key, record) entry packed as reducedHash · 2^bits + record in a Float64Array and
 * sorted numerically, so that a block is a run of equal keys: no map of strings, a few bytes a
 * key. For more than 2^21 records the hash loses bits; a collision only merges two blocks.
 */
function sortedEntries(index: KeyIndex): { entries: Float64Array; scale: number } {
  const count = index.offsets.length - 1;
  const { bits, reduce } = reducer(count);
  const scale = 2 ** bits;
  const entries = new Float64Array(index.hashes.length);
  for (let r = 0; r < count; r++) {
    for (let k = index.offsets[r] ?? 0; k < (index.offsets[r + 1] ?? 0); k++) {
      entries[k] = reduce(index.hashes[k] ?? 0) * scale + r;
    }
  }
  entries.sort();
  return { entries, scale };
}

/** The blocks: runs of record numbers (sorted, each once) sharing a reduced key hash. */
function* runs(entries: Float64Array, scale: number): Generator<[number, Int32Array]> {
  let start = 0;
  while (start < entries.length) {
    const block = Math.floor((entries[start] ?? 0) / scale);
    let end = start + 1;
    while (end < entries.length && Math.floor((entries[end] ?? 0) / scale) === block) end++;
    if (end - start > 1) {
      const members: number[] = [];
      for (let k = start; k < end; k++) {
        const r = (entries[k] ?? 0) % scale;
        if (members[members.length - 1] !== r) members.push(r);
      }
      if (members.length > 1) yield [block, Int32Array.from(members)];
    }
    start = end;
  }
}

/**
 * The block in which a pair is compared, so that a pair sharing several keys is compared once:
 * the first key they share whose block compares every pair; failing that, the first shared key.
 * Preferring fully compared blocks means a pair is never lost to a windowed block it happens to
 * share first.
 */
function homeBlock(
  index: KeyIndex,
  reduce: (hash: number) => number,
  windowed: ReadonlySet<number>,
  a: number,
  b: number,
): number {
  const { offsets, hashes } = index;
  let i = offsets[a] ?? 0;
  let j = offsets[b] ?? 0;
  const endA = offsets[a + 1] ?? 0;
  const endB = offsets[b + 1] ?? 0;
  let fallback = -1;
  while (i < endA && j < endB) {
    const x = hashes[i] ?? 0;
    const y = hashes[j] ?? 0;
    if (x === y) {
      const block = reduce(x);
      if (!windowed.has(block)) return block;
      if (fallback < 0) fallback = block;
      i++;
      j++;
    } else if (x < y) i++;
    else j++;
  }
  return fallback;
}

/**
 * The pairs of a block to compare: all of them, or for a large block each member with the next
 * `window` in name order (sorted neighbourhood), so that its cost grows with its size.
 */
function* blockPairs(
  index: KeyIndex,
  members: Int32Array,
  windowed: boolean,
  window: number,
): Generator<[number, number]> {
  if (!windowed) {
    for (let x = 0; x < members.length; x++) {
      for (let y = x + 1; y < members.length; y++) yield [members[x] ?? 0, members[y] ?? 0];
    }
    return;
  }
  const keys = index.sortKeys;
  const order = Array.from(members).sort((p, q) => {
    const a = keys[p] ?? '';
    const b = keys[q] ?? '';
    return a < b ? -1 : a > b ? 1 : p - q;
  });
  for (let x = 0; x < order.length; x++) {
    const end = Math.min(order.length, x + 1 + window);
    for (let y = x + 1; y < end; y++) {
      const i = order[x] ?? 0;
      const j = order[y] ?? 0;
      yield i < j ? [i, j] : [j, i];
    }
  }
}

/** Pairs of records sharing a key, each once, as [i, j] with i < j; `keep` filters blocks. */
function* pairsOf(
  records: readonly PreparedRecord[],
  options: BlockingOptions,
  stats: BlockingStats,
  keep: (members: Int32Array) => boolean,
): Generator<[number, number]> {
  const full = options.fullBlockSize ?? DEFAULT_FULL_BLOCK_SIZE;
  const window = options.window ?? DEFAULT_WINDOW;
  const index = indexKeys(records);
  const { reduce } = reducer(records.length);
  const { entries, scale } = sortedEntries(index);
  const windowed = new Set<number>();
  for (const [block, members] of runs(entries, scale)) {
    if (members.length > full && keep(members)) windowed.add(block);
  }
  for (const [block, members] of runs(entries, scale)) {
    if (!keep(members)) continue;
    stats.blocks++;
    stats.largestBlock = Math.max(stats.largestBlock, members.length);
    const isWindowed = windowed.has(block);
    if (isWindowed) stats.windowedBlocks++;
    for (const [i, j] of blockPairs(index, members, isWindowed, window)) {
      if (homeBlock(index, reduce, windowed, i, j) === block) yield [i, j];
    }
  }
}

/**
 * Candidate pairs for deduplicating one list: pairs of records that share a blocking key, each
 * pair once, as [i, j] with i < j.
 */
export function candidatePairs(
  records: readonly PreparedRecord[],
  options: BlockingOptions = {},
  stats: BlockingStats = emptyBlockingStats(),
): Generator<[number, number]> {
  return pairsOf(records, options, stats, () => true);
}

/**
 * Candidate pairs for linking two lists: pairs [i, j] of a record of `left` and one of `right`
 * that share a blocking key, each pair once.
 */
export function* candidatePairsAcross(
  left: readonly PreparedRecord[],
  right: readonly PreparedRecord[],
  options: BlockingOptions = {},
  stats: BlockingStats = emptyBlockingStats(),
): Generator<[number, number]> {
  const n = left.length;
  // Members are sorted by record number: a block with records of both lists spans n.
  const mixed = (members: Int32Array) =>
    (members[0] ?? 0) < n && (members[members.length - 1] ?? 0) >= n;
  for (const [i, j] of pairsOf([...left, ...right], options, stats, mixed)) {
    if (i < n && j >= n) yield [i, j - n];
  }
}
