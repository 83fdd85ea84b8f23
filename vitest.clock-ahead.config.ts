import { configDefaults, defineConfig } from 'vitest/config';
import base from './vitest.config.js';

/**
 * The tests run a second time with the clock 400 days ahead (`npm run test:clock-ahead`, under
 * Debian's faketime): those of rules and features that read dates — core, the demo seed,
 * sessions and tokens, audit checkpoints, messaging and jobs, tasks, timelines, imports with
 * birth-date and message-time checks, scheduling, journeys and analytics. Transport, database,
 * encryption and CLI process tests hold no calendar logic and run once, so CI stays in budget;
 * so do the two crash tests (SIGKILLed worker processes: delivery counts, no calendar rules).
 */
export default defineConfig({
  test: {
    ...base.test,
    // Replaces the base list (mergeConfig would append to it).
    include: [
      'packages/core/src/**/*.test.ts',
      'packages/server/src/*.test.ts',
      'packages/server/src/seed/**/*.test.ts',
      ...[
        'audit',
        'auth',
        'csv-import',
        'fhir',
        'hl7',
        'jobs',
        'journey-map',
        'journeys',
        'kpis',
        'messaging',
        'patients',
        'portal',
        'scheduling',
        'tasks',
        'templates',
        'timeline',
        'capacity',
        'ehr-link',
        'inbox',
        'integrations',
        'waitlist',
        // Issue 13 (h13r): pre-registration before a visit.
        'pre-registration',
        // Issue 11: survey links valid 30 days after the visit; offers of open times.
        'surveys',
        'reschedule-offers',
      ].map((module) => `packages/server/src/modules/${module}/**/*.test.ts`),
    ],
    exclude: [
      ...configDefaults.exclude,
      'packages/server/src/modules/journeys/chaos.test.ts',
      'packages/server/src/modules/messaging/worker-crash.test.ts',
      // Transport and CLI process tests (MLLP framing, listener and senders; the import and
      // listen commands): sockets and exit codes, no calendar rules.
      'packages/server/src/modules/hl7/mllp/**',
      'packages/server/src/modules/hl7/cli.test.ts',
      'packages/server/src/modules/fhir/cli.test.ts',
    ],
  },
});
