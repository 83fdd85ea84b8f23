// The test files known to be slow, slowest first: vitest starts them before all others
// (slow-first.ts). Paths are relative to the project's root. Add a file that takes more than
// about 30 s; the sequencer warns about a listed file that no longer exists.
//
// Measured in CI's fresh-clone run (both databases, 2 workers) unless marked "PGlite": that
// file was timed alone, on the embedded database only (`--maxWorkers=1`, December 2026).

/** The unit and integration project (vitest.config.ts, also the clock-ahead run). */
export const SLOW_UNIT_FILES: readonly string[] = [
  // 145 s: SIGKILLed journey workers, delivery counted.
  'packages/server/src/modules/journeys/chaos.test.ts',
  // 112 s: the CLI's exit codes, each command a process.
  'packages/server/src/cli/exits.test.ts',
  // 83 s: SIGKILLed outbox workers.
  'packages/server/src/modules/messaging/worker-crash.test.ts',
  // 66 s on PGlite alone: the 100-concurrent booking race, and PostgreSQL again.
  'packages/server/src/modules/scheduling/scheduling.test.ts',
  // 31 s on PGlite alone: property-based bad input on every route.
  'packages/server/src/http/bad-input.property.test.ts',
  // PostgreSQL only: a server that stops answering, pools that wait it out.
  'packages/server/src/db/outage.test.ts',
  // 16 s on PGlite alone: MLLP senders against silent and slow peers.
  'packages/server/src/modules/hl7/mllp/senders.test.ts',
];

/** The browser project (e2e/vitest.config.ts): a server and a browser per file. */
export const SLOW_E2E_FILES: readonly string[] = [
  // 140–200 s: axe on every page as every role.
  'src/a11y-axe.test.ts',
  // 137 s: a reminder two days ahead, "R", a new time.
  'src/reminder-reschedule.test.ts',
  // 90 s: the reminder path over MLLP, then "C".
  'src/reminder-confirm.test.ts',
  // 85 s with the outbox's one-minute EHR retry (a 10 s one now, EHR_RETRY_SECONDS).
  'src/ehr-mode.test.ts',
];
