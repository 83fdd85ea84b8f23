// Prints the order vitest will start a project's test files in, without running them:
//   node --import tsx scripts/test-order/list.ts [vitest.config.ts | e2e/vitest.config.ts]
import { resolve } from 'node:path';
import { createVitest } from 'vitest/node';
import { specPath } from './slow-first.js';

const config = resolve(process.argv[2] ?? 'vitest.config.ts');
const vitest = await createVitest('test', { config, watch: false, run: true });
try {
  const specs = await vitest.globTestSpecifications();
  const Sequencer = vitest.config.sequence.sequencer;
  const ordered = await new Sequencer(vitest).sort(specs);
  ordered.forEach((spec, index) => {
    console.log(`${String(index + 1).padStart(4)}  ${specPath(spec)}`);
  });
} finally {
  await vitest.close();
}
