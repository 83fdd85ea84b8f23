import pg from 'pg';

/** What a NOTIFY on `careloop_changes` says changed (migration 0008_change_notifications.sql). */
export type Change =
  | { kind: 'patient'; orgId: string; patientId: string }
  | { kind: 'org'; orgId: string }
  | { kind: 'user'; userId: string }
  | { kind: 'all' };

/** A payload as a change; anything unexpected is read as "everything changed". */
export function parseChange(payload: string | undefined): Change {
  const parts = (payload ?? '').split(':');
  if (parts[0] === 'p' && parts.length === 3 && parts[1] && parts[2]) {
    return { kind: 'patient', orgId: parts[1], patientId: parts[2] };
  }
  if (parts[0] === 'o' && parts.length === 2 && parts[1]) return { kind: 'org', orgId: parts[1] };
  if (parts[0] === 'u' && parts.length === 2 && parts[1]) return { kind: 'user', userId: parts[1] };
  return { kind: 'all' };
}

export const CHANGES_CHANNEL = 'careloop_changes';
const RECONNECT_MS = 1_000;
const FENCE_TIMEOUT_MS = 2_000;
/** As the pools' (`CONNECT_TIMEOUT_MS` in client.ts, which imports this module). */
const CONNECT_TIMEOUT_MS = 3_000;

/**
 * The database's change notifications, on a connection of their own (docs/adr/0005). Caches
 * subscribe and evict what changed; they may serve an entry only after `sync` returned true.
 *
 * `sync` is a fence: it sends `select 1` on the listening connection. PostgreSQL signals every
 * listener of the database while a writer commits, before the writer's client hears COMMIT
 * succeed, and a listening backend delivers pending notifications before it reads its next
 * query. So when the fence's reply arrives, every notification of every transaction committed
 * before the fence was sent has been delivered to the subscribers (node-postgres emits them as
 * it reads them, ahead of the reply). A cached entry that survives the fence is as fresh as a
 * read of the database at the moment the fence was sent. Concurrent callers share one fence.
 *
 * While the connection is down nothing is known: `live` is false, subscribers get `all`, and
 * `sync` answers false until a new connection listens again.
 */
export class ChangeFeed {
  private client: pg.Client | null = null;
  private readonly subscribers = new Set<(change: Change) => void>();
  /** Bumped on every connect and disconnect; a fence only counts on the connection it ran on. */
  private connection = 0;
  private isLive = false;
  private closed = false;
  private reconnectTimer: NodeJS.Timeout | null = null;
  private waiting: { since: number; resolve: (ok: boolean) => void }[] = [];
  private fencing = false;
  /** The last fence that succeeded: when it was sent, and on which connection. */
  private lastFence = { sentAt: -1, connection: -1 };

  constructor(private readonly connectionString: string) {}

  get live(): boolean {
    return this.isLive;
  }

  /** Connects and listens; on failure keeps retrying in the background. */
  async start(): Promise<void> {
    this.closed = false;
    await this.connect();
  }

  subscribe(listener: (change: Change) => void): () => void {
    this.subscribers.add(listener);
    return () => this.subscribers.delete(listener);
  }

  /**
   * Resolves true once every change committed before `since` (a `performance.now()` instant,
   * by default now) has reached the subscribers; false when that cannot be known (no
   * connection, or the fence failed or timed out), in which case caches must not be used.
   */
  sync(since: number = performance.now()): Promise<boolean> {
    if (!this.isLive) return Promise.resolve(false);
    if (this.lastFence.connection === this.connection && this.lastFence.sentAt >= since) {
      return Promise.resolve(true);
    }
    return new Promise((resolve) => {
      this.waiting.push({ since, resolve });
      if (!this.fencing) void this.fence();
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    const client = this.client;
    this.lost();
    await client?.end().catch(() => {});
  }

  private async fence(): Promise<void> {
    this.fencing = true;
    try {
      while (this.waiting.length > 0) {
        const batch = this.waiting;
        this.waiting = [];
        const client = this.client;
        const connection = this.connection;
        const sentAt = performance.now();
        let ok = false;
        if (client && this.isLive) {
          let timer: NodeJS.Timeout | undefined;
          try {
            await Promise.race([
              client.query('select 1'),
              new Promise((_, reject) => {
                timer = setTimeout(() => reject(new Error('fence timed out')), FENCE_TIMEOUT_MS);
              }),
            ]);
            ok = this.isLive && this.connection === connection;
          } catch {
            // A connection that cannot answer may also have missed notifications: start over.
            if (this.client === client) {
              this.lost();
              void client.end().catch(() => {});
              this.scheduleReconnect();
            }
          } finally {
            clearTimeout(timer);
          }
        }
        if (ok) this.lastFence = { sentAt, connection };
        for (const w of batch) w.resolve(ok && sentAt >= w.since);
      }
    } finally {
      this.fencing = false;
    }
  }

  private async connect(): Promise<void> {
    if (this.closed) return;
    const client = new pg.Client({
      connectionString: this.connectionString,
      application_name: 'careloop-changes',
      // A server that accepts and never answers must not hold the reconnection forever.
      connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
      keepAlive: true,
      keepAliveInitialDelayMillis: 10_000,
    });
    client.on('notification', (message) => {
      if (this.client === client) this.emit(parseChange(message.payload));
    });
    const onGone = () => {
      if (this.client !== client) return;
      this.lost();
      this.scheduleReconnect();
    };
    client.on('error', onGone);
    client.on('end', onGone);
    try {
      await client.connect();
      await client.query(`LISTEN ${CHANGES_CHANNEL}`);
    } catch {
      await client.end().catch(() => {});
      this.scheduleReconnect();
      return;
    }
    if (this.closed) {
      await client.end().catch(() => {});
      return;
    }
    this.client = client;
    this.connection += 1;
    // Whatever was cached before this connection listened may have missed a change.
    this.emit({ kind: 'all' });
    this.isLive = true;
  }

  private lost(): void {
    this.client = null;
    this.connection += 1;
    this.isLive = false;
    this.emit({ kind: 'all' });
  }

  private scheduleReconnect(): void {
    if (this.closed || this.reconnectTimer) return;
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      void this.connect();
    }, RECONNECT_MS);
    this.reconnectTimer.unref();
  }

  private emit(change: Change): void {
    for (const listener of this.subscribers) listener(change);
  }
}
