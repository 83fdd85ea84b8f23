import { writeFile } from 'node:fs/promises';
import { Session } from 'node:inspector/promises';
import { parentPort, workerData } from 'node:worker_threads';
import { loadConfig } from '../../packages/server/src/config.js';
import { startServer } from '../../packages/server/src/server.js';

/**
 * The app under test, on its own thread of the benchmark's process: autocannon on the main
 * thread then does not steal the server's event loop, and the two use both cores.
 *
 * Messages: 'close' stops the server; { profile: 'start' } starts V8's CPU profiler on this
 * thread; { profile: 'stop', file } stops it and writes the .cpuprofile (Chrome DevTools format);
 * 'cpu' answers the CPU time this thread has used so far, in microseconds (user + system).
 */
const { env } = workerData as { env: NodeJS.ProcessEnv };
const port = parentPort;
if (!port) throw new Error('server-worker.ts runs as a worker thread');
const server = await startServer(loadConfig(env), {
  banner: false,
  handleSignals: false,
  logger: false,
});
let inspector: Session | null = null;

type Message = 'close' | 'cpu' | { profile: 'start' } | { profile: 'stop'; file: string };

async function profile(message: Exclude<Message, 'close' | 'cpu'>): Promise<void> {
  if (message.profile === 'start') {
    inspector = new Session();
    inspector.connect();
    await inspector.post('Profiler.enable');
    await inspector.post('Profiler.setSamplingInterval', { interval: 250 });
    await inspector.post('Profiler.start');
    return;
  }
  if (!inspector) throw new Error('profiler not started');
  const { profile: result } = await inspector.post('Profiler.stop');
  inspector.disconnect();
  inspector = null;
  await writeFile(message.file, JSON.stringify(result));
}

port.on('message', (message: Message) => {
  if (message === 'close') {
    server.close().then(
      () => port.postMessage({ closed: true }),
      (error: unknown) => port.postMessage({ closed: true, error: String(error) }),
    );
    return;
  }
  if (message === 'cpu') {
    const used = process.threadCpuUsage();
    port.postMessage({ cpuMicros: used.user + used.system });
    return;
  }
  profile(message).then(
    () => port.postMessage({ profiled: true }),
    (error: unknown) => port.postMessage({ profiled: false, error: String(error) }),
  );
});
port.postMessage({ url: server.url });
