/**
 * Counts failed logins per key (account, IP) in a sliding one-minute window. In-process: each
 * API node limits on its own, which bounds a distributed attacker at N × limit per minute.
 */
export class FailureLimiter {
  private readonly failures = new Map<string, number[]>();

  constructor(
    private readonly limit = 10,
    private readonly windowMs = 60_000,
    private readonly now: () => number = Date.now,
  ) {}

  isBlocked(key: string): boolean {
    return this.recent(key).length >= this.limit;
  }

  recordFailure(key: string): void {
    const list = this.recent(key);
    list.push(this.now());
    this.failures.set(key, list);
    if (this.failures.size > 100_000) this.prune();
  }

  reset(key: string): void {
    this.failures.delete(key);
  }

  private recent(key: string): number[] {
    const cutoff = this.now() - this.windowMs;
    return (this.failures.get(key) ?? []).filter((t) => t > cutoff);
  }

  private prune(): void {
    const cutoff = this.now() - this.windowMs;
    for (const [key, list] of this.failures) {
      if (!list.some((t) => t > cutoff)) this.failures.delete(key);
    }
  }
}
