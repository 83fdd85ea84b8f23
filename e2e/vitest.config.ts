import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';
import { SLOW_E2E_FILES } from '../scripts/test-order/slow-files.js';
import { slowFirst } from '../scripts/test-order/slow-first.js';

// Works from the repo root (`npx vitest run --config e2e/vitest.config.ts`) and from e2e/
// (`npm test -w @careloop/e2e`): paths are relative to this folder.
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  test: {
    include: ['src/**/*.test.ts'],
    globalSetup: ['src/global-setup.ts'],
    testTimeout: 120_000,
    hookTimeout: 180_000,
    // Two files at a time, each with its own server, data dir and browser: a file spends much of
    // its time waiting on the other process (the browser on the server, the server on the
    // browser), so two overlap well on a 2-core machine.
    fileParallelism: true,
    maxWorkers: 2,
    pool: 'forks',
    // expect.poll waits on a page driven by another process: 1 s (the default) is too short for
    // a loaded machine, where a render after a request can take several seconds.
    expect: { poll: { timeout: 15_000 } },
    // The known-slow files first, so none starts last and holds one worker while the other idles.
    sequence: { sequencer: slowFirst(SLOW_E2E_FILES) },
  },
});
