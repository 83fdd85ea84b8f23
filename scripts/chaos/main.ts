import { dbRestart } from './db-restart.js';
import { journeysChaos } from './journeys.js';

/** `npm run chaos -- <name> [options]`: each scenario prints its figures, the last line JSON. */
const SCENARIOS: Record<string, (args: string[]) => Promise<boolean>> = {
  'db-restart': dbRestart,
  // Issue 11: the journeys crash test.
  journeys: journeysChaos,
};

const [name = '', ...args] = process.argv.slice(2);
const scenario = SCENARIOS[name];
if (!scenario) {
  process.stderr.write(`usage: npm run chaos -- <${Object.keys(SCENARIOS).join('|')}> [--json]\n`);
  process.exit(2);
}
try {
  process.exitCode = (await scenario(args)) ? 0 : 1;
} catch (error) {
  process.stderr.write(
    `chaos ${name} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exitCode = 1;
}
