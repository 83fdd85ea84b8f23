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

  constructor(start = '2026-12-06T09:00:00Z') {
    this.at = Date.parse(start);
  }

  now(): Date {
    return new Date(this.at);
  }

  async sleep(ms: number): Promise<void> {
    this.sleeps.push(ms);
    if (this.sleepMoves) this.at += ms;
  }

  advance(ms: number): void {
    this.at += ms;
  }
}
