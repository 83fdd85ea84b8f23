// Once per e2e run: a server migrates and seeds the demo into a data dir, shuts down cleanly, and
// each test's server starts from a copy of that dir (harness.ts `fromTemplate`) instead of
// migrating and seeding its own: on a busy 2-core machine that was 100 s of a 30 s start.
import { rm } from 'node:fs/promises';
import type { TestProject } from 'vitest/node';
import { startCareloop } from './harness.js';

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const app = await startCareloop({ fromTemplate: false, keepDataDir: true });
  const remove = () => rm(app.dataDir, { recursive: true, force: true, maxRetries: 3 });
  try {
    await app.stop();
  } catch (error) {
    // A data dir whose server did not close its database is no template: every test starts
    // fresh instead, slower but the same.
    console.error(`[e2e] no template data dir: ${error instanceof Error ? error.message : error}`);
    await remove();
    project.provide('demoTemplateDir', '');
    return async () => {};
  }
  project.provide('demoTemplateDir', app.dataDir);
  return async () => {
    await remove();
  };
}
