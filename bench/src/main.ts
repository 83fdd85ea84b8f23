// Issue 12: the KPI dashboard.
import { analyticsBench } from './analytics.js';
import { benchAvailability } from './availability.js';
import { cpuProfileSummary } from './cpu-profile.js';
import { benchFhir } from './fhir-bench.js';
import { benchHl7 } from './hl7.js';
import { benchJourneys } from './journeys.js';
import { benchMpi } from './mpi.js';
import { patient360Bench } from './patient360-bench.js';
import { seedBench } from './seed-bench.js';

/** `npm run bench -- <name> [options]`: each benchmark prints its figures (see bench/README.md). */
const BENCHMARKS: Record<string, (args: string[]) => Promise<void>> = {
  '360': patient360Bench,
  seed: seedBench,
  mpi: benchMpi,
  hl7: benchHl7,
  fhir: benchFhir,
  profile: cpuProfileSummary,
  // Issue 13: availability search and booking under contention.
  availability: benchAvailability,
  // Issue 11: the journey engine.
  journeys: benchJourneys,
  // Issue 12: the KPI dashboard.
  analytics: analyticsBench,
};

const [name = '', ...args] = process.argv.slice(2);
const bench = BENCHMARKS[name];
if (!bench) {
  process.stderr.write(
    `usage: npm run bench -- <${Object.keys(BENCHMARKS).join('|')}> [--json] [--patients N]\n`,
  );
  process.exit(2);
}
try {
  await bench(args);
} catch (error) {
  process.stderr.write(
    `bench ${name} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exitCode = 1;
}
