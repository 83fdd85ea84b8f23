// Entry of a validation worker thread (see validation-pool.ts). Plain JavaScript so that the
// thread starts the same way however the process was launched (tsx, vitest, the careloop
// command); it registers tsx, as bin/careloop.mjs does, and runs the TypeScript worker.
import { register } from 'tsx/esm/api';

register();
await import(new URL('./worker-main.ts', import.meta.url).href);
