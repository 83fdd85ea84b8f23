/**
 * A small seeded PRNG (sfc32, seeded through cyrb128) for the demo data generator. Every
 * patient draws from its own stream keyed by (seed, organization, index), so a patient's data
 * does not depend on batch size or on the patients before it, and the same seed always gives
 * byte-identical rows.
 */

/** cyrb128: four 32-bit words from a string, a well-mixed seed for sfc32. */
function cyrb128(key: string): [number, number, number, number] {
  let h1 = 1779033703;
  let h2 = 3144134277;
  let h3 = 1013904242;
  let h4 = 2773480762;
  for (let i = 0; i < key.length; i++) {
    const k = key.charCodeAt(i);
    h1 = h2 ^ Math.imul(h1 ^ k, 597399067);
    h2 = h3 ^ Math.imul(h2 ^ k, 2869860233);
    h3 = h4 ^ Math.imul(h3 ^ k, 951274213);
    h4 = h1 ^ Math.imul(h4 ^ k, 2716044179);
  }
  h1 = Math.imul(h3 ^ (h1 >>> 18), 597399067);
  h2 = Math.imul(h4 ^ (h2 >>> 22), 2869860233);
  h3 = Math.imul(h1 ^ (h3 >>> 17), 951274213);
  h4 = Math.imul(h2 ^ (h4 >>> 19), 2716044179);
  h1 ^= h2 ^ h3 ^ h4;
  h2 ^= h1;
  h3 ^= h1;
  h4 ^= h1;
  return [h1 >>> 0, h2 >>> 0, h3 >>> 0, h4 >>> 0];
}

/** A 32-bit hash of a key, for tags that must be stable (not a stream). */
export function hash32(key: string): number {
  return cyrb128(key)[0];
}

export class Random {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(key: string) {
    [this.a, this.b, this.c, this.d] = cyrb128(key);
    for (let i = 0; i < 12; i++) this.uint32();
  }

  uint32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    return this.uint32() / 4294967296;
  }

  /** Uniform integer in [min, max], both included. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  chance(probability: number): boolean {
    return this.next() < probability;
  }

  pick<T>(items: readonly T[]): T {
    const item = items[Math.floor(this.next() * items.length)];
    if (item === undefined) throw new Error('pick from an empty list');
    return item;
  }

  /** One value from `[value, weight]` pairs, with probability proportional to its weight. */
  weighted<T>(table: readonly (readonly [T, number])[]): T {
    let total = 0;
    for (const [, w] of table) total += w;
    let r = this.next() * total;
    for (const [value, w] of table) {
      r -= w;
      if (r < 0) return value;
    }
    const last = table[table.length - 1];
    if (!last) throw new Error('weighted pick from an empty table');
    return last[0];
  }

  /** A Poisson-distributed count (Knuth; fine for the small means used here). */
  poisson(mean: number): number {
    const limit = Math.exp(-mean);
    let k = 0;
    let p = this.next();
    while (p > limit) {
      k++;
      p *= this.next();
    }
    return k;
  }

  digits(count: number): string {
    let s = '';
    for (let i = 0; i < count; i++) s += String(this.int(0, 9));
    return s;
  }

  /**
   * A UUID (RFC 9562 version 8, "custom") whose first 48 bits are `tag` (16 bits) and `serial`
   * (32 bits), the rest from this stream. Seeded rows of one run then sort by patient, so bulk
   * inserts append to the right edge of every uuid index instead of touching random pages.
   */
  uuid(tag: number, serial: number): string {
    const w1 = this.uint32();
    const w2 = this.uint32();
    const w3 = this.uint32();
    const hex = (n: number, digits: number) => n.toString(16).padStart(digits, '0');
    return `${hex(tag & 0xffff, 4)}${hex((serial >>> 16) & 0xffff, 4)}-${hex(serial & 0xffff, 4)}-${hex(0x8000 | (w1 >>> 20), 4)}-${hex(0x8000 | ((w1 >>> 2) & 0x3fff), 4)}-${hex(w2, 8)}${hex(w3 >>> 16, 4)}`;
  }
}
