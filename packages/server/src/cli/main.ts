import { runCli } from './run.js';

// The `careloop` executable (bin/careloop.mjs loads this file through tsx).
process.exitCode = await runCli(process.argv.slice(2), {
  env: process.env,
  stdout: process.stdout,
  stderr: process.stderr,
});
