import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// Works from the repo root (`npx vitest run --config e2e/vitest.config.ts`) and from e2e/
// (`npm test -w @careloop/e2e`): paths are relative to this folder.
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  test: {
    include: ['src/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 180_000,
    // One file at a time: each starts its own server and browser on a 2-core machine.
    fileParallelism: false,
    pool: 'forks',
  },
});
