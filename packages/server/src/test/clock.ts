import type { Clock } from '../modules/auth/rate-limit.js';

/**
 * A clock for tests: it starts at a fixed instant and moves only when told to, or when code
 * sleeps on it (a sleep returns at once and advances the clock by its length).
 */
export class TestClock implements Clock {
  private at: number;
  /** Every sleep asked for, in milliseconds, in order. */
  readonly sleeps: number[] = [];
  /** Whether a sleep moves the clock (turn off to see many sleepers at one instant). */
  sleepMoves = true;

  /**
   * `tickMs`: each reading moves the clock on by that much, so that things done one after the
   * other get distinct instants and order by time as they would on a real clock.
   */
  constructor(
    start = '2026-12-06T09:00:00Z',
    private readonly options: { tickMs?: number } = {},
  ) {
    this.at = Date.parse(start);
  }

  now(): Date {
    const now = new Date(this.at);
    this.at += this.options.tickMs ?? 0;
    return now;
  }

  async sleep(ms: number): Promise<void> {
    this.sleeps.push(ms);
    if (this.sleepMoves) this.at += ms;
  }

  advance(ms: number): void {
    this.at += ms;
  }
}
