// A vitest sequencer that starts the files known to be slow first (docs/testing.md, "Test order").
import { existsSync } from 'node:fs';
import { relative, resolve, sep } from 'node:path';
import { BaseSequencer, type TestSequencerConstructor, type TestSpecification } from 'vitest/node';

/** A file's path relative to its project's root, with forward slashes (as the lists spell it). */
export function specPath(spec: TestSpecification): string {
  return relative(spec.project.config.root, spec.moduleId).split(sep).join('/');
}

/**
 * `slow` (paths relative to the project's root, slowest first) in that order, then every other
 * file as vitest orders them: by the last run's durations when its cache has them, else largest
 * first. Without a cache (a fresh clone, as CI runs) vitest orders by size alone, and a slow file
 * that starts last keeps one worker busy while the other idles; started first, it overlaps the
 * many short files.
 */
export function orderFiles(
  specs: readonly TestSpecification[],
  slow: readonly string[],
): { first: TestSpecification[]; rest: TestSpecification[] } {
  const rank = new Map(slow.map((path, index) => [path, index]));
  const first: TestSpecification[] = [];
  const rest: TestSpecification[] = [];
  for (const spec of specs) (rank.has(specPath(spec)) ? first : rest).push(spec);
  first.sort((a, b) => (rank.get(specPath(a)) ?? 0) - (rank.get(specPath(b)) ?? 0));
  return { first, rest };
}

/** Listed files that no longer exist (renamed or removed): the list is stale. */
export function missingFiles(root: string, slow: readonly string[]): string[] {
  return slow.filter((path) => !existsSync(resolve(root, path)));
}

/** The sequencer class for `test.sequence.sequencer`, with the project's list of slow files. */
export function slowFirst(slow: readonly string[]): TestSequencerConstructor {
  return class SlowFirstSequencer extends BaseSequencer {
    override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
      const missing = missingFiles(this.ctx.config.root, slow);
      if (missing.length > 0) {
        console.warn(
          `[test order] scripts/test-order/slow-files.ts names files that do not exist: ${missing.join(', ')}`,
        );
      }
      const { first, rest } = orderFiles(files, slow);
      return [...first, ...(await super.sort(rest))];
    }
  };
}
