/** Disjoint sets of record numbers, joined pair by pair (union by size, path halving). */
export class UnionFind {
  private parent: Int32Array;
  private size: Int32Array;

  constructor(count = 0) {
    this.parent = Int32Array.from({ length: count }, (_, i) => i);
    this.size = new Int32Array(count).fill(1);
  }

  private grow(count: number): void {
    if (count <= this.parent.length) return;
    const length = Math.max(count, this.parent.length * 2);
    const parent = Int32Array.from({ length }, (_, i) => i);
    parent.set(this.parent);
    const size = new Int32Array(length).fill(1);
    size.set(this.size);
    this.parent = parent;
    this.size = size;
  }

  find(x: number): number {
    this.grow(x + 1);
    let r = x;
    for (let p = this.parent[r] ?? r; p !== r; p = this.parent[r] ?? r) {
      const grand = this.parent[p] ?? p;
      this.parent[r] = grand;
      r = grand;
    }
    return r;
  }

  union(a: number, b: number): void {
    let ra = this.find(a);
    let rb = this.find(b);
    if (ra === rb) return;
    if ((this.size[ra] ?? 1) < (this.size[rb] ?? 1)) [ra, rb] = [rb, ra];
    this.parent[rb] = ra;
    this.size[ra] = (this.size[ra] ?? 1) + (this.size[rb] ?? 1);
  }

  /** The number of elements seen so far (the highest number plus one). */
  get count(): number {
    return this.parent.length;
  }
}

/**
 * Groups records joined by matched pairs, transitively: if A matches B and B matches C, all three
 * are one person. Returns the groups of two or more, each sorted, ordered by their first record.
 */
export function clusters(pairs: Iterable<readonly [number, number]>): number[][] {
  const sets = new UnionFind();
  const seen: number[] = [];
  for (const [a, b] of pairs) {
    sets.union(a, b);
    seen.push(a, b);
  }
  const groups = new Map<number, number[]>();
  let previous = -1;
  for (const x of Int32Array.from(seen).sort()) {
    if (x === previous) continue;
    previous = x;
    const root = sets.find(x);
    const group = groups.get(root);
    if (group) group.push(x);
    else groups.set(root, [x]);
  }
  return [...groups.values()]
    .filter((group) => group.length > 1)
    .sort((p, q) => (p[0] ?? 0) - (q[0] ?? 0));
}
