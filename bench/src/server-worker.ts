import { parentPort, workerData } from 'node:worker_threads';
import { loadConfig } from '../../packages/server/src/config.js';
import { startServer } from '../../packages/server/src/server.js';

/**
 * The app under test, on its own thread of the benchmark's process: autocannon on the main
 * thread then does not steal the server's event loop, and the two use both cores.
 */
const { env } = workerData as { env: NodeJS.ProcessEnv };
const port = parentPort;
if (!port) throw new Error('server-worker.ts runs as a worker thread');
const server = await startServer(loadConfig(env), {
  banner: false,
  handleSignals: false,
  logger: false,
});
port.on('message', (message: unknown) => {
  if (message !== 'close') return;
  server.close().then(
    () => port.postMessage({ closed: true }),
    (error: unknown) => port.postMessage({ closed: true, error: String(error) }),
  );
});
port.postMessage({ url: server.url });
