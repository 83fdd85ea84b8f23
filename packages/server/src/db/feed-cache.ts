import type { Change, ChangeFeed } from './change-feed.js';

export interface FeedCacheOptions<T> {
  /** Entries kept; the least recently used goes first. */
  maxEntries: number;
  /** A backstop: no entry is served older than this, whatever the feed says. */
  ttlMs: number;
  /** Whether a change makes an entry with these tags stale. */
  affects: (change: Change, tags: T) => boolean;
}

/**
 * A bounded in-process cache kept exact by the database's change notifications
 * (docs/adr/0005). An entry is served only after `ChangeFeed.sync` confirmed that every change
 * committed before the request arrived has been applied; a load that a change overtook while
 * it ran is returned to its caller but not stored. Values are frozen: callers share them.
 */
export class FeedCache<T, V extends object> {
  private readonly entries = new Map<string, { value: V; tags: T; expiresAt: number }>();
  /** Running loads, each with what was invalidated while it ran. */
  private readonly fills = new Set<{ all: boolean; invalidated: ((tags: T) => boolean)[] }>();
  private hits = 0;
  private misses = 0;

  constructor(
    private readonly feed: Pick<ChangeFeed, 'subscribe' | 'sync' | 'live'>,
    private readonly options: FeedCacheOptions<T>,
  ) {
    feed.subscribe((change) => this.invalidate(change));
  }

  /**
   * The cached value for `key`, or `load()`'s (stored when it is not null and no change that
   * affects its tags arrived while it ran). `since`: when the request arrived
   * (`performance.now()`). `tagsOf`: what the value depends on, read from the value.
   */
  async get(
    key: string,
    tagsOf: (value: V) => T,
    since: number,
    load: () => Promise<V | null>,
  ): Promise<V | null> {
    if (!(await this.feed.sync(since))) return load();
    const hit = this.entries.get(key);
    if (hit) {
      this.entries.delete(key);
      if (hit.expiresAt > Date.now()) {
        this.entries.set(key, hit); // most recently used last
        this.hits += 1;
        return hit.value;
      }
    }
    this.misses += 1;
    const fill = { all: false, invalidated: [] as ((tags: T) => boolean)[] };
    this.fills.add(fill);
    try {
      const value = await load();
      if (value !== null && !fill.all && this.feed.live) {
        const tags = tagsOf(value);
        if (!fill.invalidated.some((matches) => matches(tags))) this.store(key, tags, value);
      }
      return value;
    } finally {
      this.fills.delete(fill);
    }
  }

  /** Drops every entry (and running load) these tags match, at once, in this process. */
  evict(matches: (tags: T) => boolean): void {
    for (const [key, entry] of this.entries) if (matches(entry.tags)) this.entries.delete(key);
    for (const fill of this.fills) fill.invalidated.push(matches);
  }

  stats(): { entries: number; hits: number; misses: number } {
    return { entries: this.entries.size, hits: this.hits, misses: this.misses };
  }

  private invalidate(change: Change): void {
    if (change.kind === 'all') {
      this.entries.clear();
      for (const fill of this.fills) fill.all = true;
      return;
    }
    this.evict((tags) => this.options.affects(change, tags));
  }

  private store(key: string, tags: T, value: V): void {
    this.entries.set(key, {
      value: deepFreeze(value),
      tags,
      expiresAt: Date.now() + this.options.ttlMs,
    });
    while (this.entries.size > this.options.maxEntries) {
      const oldest = this.entries.keys().next();
      if (oldest.done) break;
      this.entries.delete(oldest.value);
    }
  }
}

function deepFreeze<V>(value: V): V {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
