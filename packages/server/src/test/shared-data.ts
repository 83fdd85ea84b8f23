import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (the folder holding package.json with the workspaces). */
export const REPO_ROOT = fileURLToPath(new URL('../../../../', import.meta.url));

/**
 * Real test data written by others, beside the checkout (see ../shared/data/README.md), or where
 * CARELOOP_SHARED_DATA says (a worktree is not beside it).
 */
export const SHARED_DATA = process.env.CARELOOP_SHARED_DATA
  ? path.resolve(process.env.CARELOOP_SHARED_DATA)
  : path.resolve(REPO_ROOT, '../shared/data');

/**
 * Whether a folder of the shared test data is there. Absent, the tests that need it are
 * skipped with a message, except under CI=true, where the data is always present: then its
 * absence is a failure.
 */
export function sharedDataAvailable(folder: string): boolean {
  const present = existsSync(path.join(SHARED_DATA, folder));
  if (present) return true;
  if (process.env.CI === 'true') {
    throw new Error(`${path.join(SHARED_DATA, folder)} is missing: CI must provide ../shared/data`);
  }
  console.warn(`${path.join(SHARED_DATA, folder)} is absent: its conformance tests are skipped`);
  return false;
}
