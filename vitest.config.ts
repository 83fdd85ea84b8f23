import { defineConfig } from 'vitest/config';
import { SLOW_UNIT_FILES } from './scripts/test-order/slow-files.js';
import { slowFirst } from './scripts/test-order/slow-first.js';

export default defineConfig({
  test: {
    include: ['packages/*/src/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    maxWorkers: 2,
    // The known-slow files first, so none starts last and holds one worker while the other idles.
    sequence: { sequencer: slowFirst(SLOW_UNIT_FILES) },
  },
});
