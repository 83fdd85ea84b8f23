// End-to-end harness: starts a real Careloop server in a child process and a headless Chromium.
import { type ChildProcess, spawn } from 'node:child_process';
import { cp, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Browser, type BrowserContextOptions, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, inject } from 'vitest';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const ARTIFACTS_DIR = join(REPO_ROOT, 'e2e', 'artifacts');
const SERVER_BIN = join(REPO_ROOT, 'packages', 'server', 'bin', 'careloop.mjs');

/** How long a server may take to answer its health check: 120 s, or CARELOOP_E2E_STARTUP_SECONDS. */
const STARTUP_TIMEOUT_MS = startupSeconds(process.env.CARELOOP_E2E_STARTUP_SECONDS) * 1000;

function startupSeconds(value: string | undefined): number {
  if (value === undefined || value === '') return 120;
  const seconds = Number(value);
  if (!Number.isInteger(seconds) || seconds < 1) {
    throw new Error(
      `CARELOOP_E2E_STARTUP_SECONDS must be a whole number of seconds, got "${value}"`,
    );
  }
  return seconds;
}
const STOP_GRACE_MS = 10_000;
const MAX_OUTPUT_CHARS = 1_000_000;

/** Password of every demo user the server seeds (contract with packages/server). */
export const DEMO_PASSWORD = 'careloop-demo';

/** The demo logins the server seeds and prints at startup (contract with packages/server). */
export const DEMO_LOGINS = {
  admin: { email: 'admin@demo.careloop.test', password: DEMO_PASSWORD },
  frontdesk: { email: 'frontdesk@demo.careloop.test', password: DEMO_PASSWORD },
  coordinator: { email: 'coordinator@demo.careloop.test', password: DEMO_PASSWORD },
  clinician: { email: 'clinician@demo.careloop.test', password: DEMO_PASSWORD },
  marketer: { email: 'marketer@demo.careloop.test', password: DEMO_PASSWORD },
  analyst: { email: 'analyst@demo.careloop.test', password: DEMO_PASSWORD },
  patient: { email: 'patient@demo.careloop.test', password: DEMO_PASSWORD },
} as const;

export type DemoRole = keyof typeof DEMO_LOGINS;

export interface StartOptions {
  /** Extra environment for the server; wins over the harness defaults and the test's env. */
  env?: Record<string, string>;
  /**
   * Start from a copy of the migrated, seeded demo data dir that the global setup built once
   * (e2e/src/global-setup.ts), instead of migrating and seeding again: the same data, a third of
   * the start-up. On by default when `env` changes nothing the seed depends on.
   */
  fromTemplate?: boolean;
  /** Leave the data dir in place on stop(), which then fails unless the server shut down cleanly. */
  keepDataDir?: boolean;
}

/** Server settings that leave the seeded data as the template has it. */
const TEMPLATE_NEUTRAL_ENV = new Set(['HL7_PORT', 'EHR_MLLP_ENDPOINT', 'EHR_RETRY_SECONDS']);

export interface RunningCareloop {
  /** Base URL without a trailing slash, e.g. `http://127.0.0.1:43210`. */
  url: string;
  /** SIGTERM, wait for exit (SIGKILL after 10 s), then remove the data dir. Safe to call twice. */
  stop(): Promise<void>;
  /** Everything the server printed so far (stdout and stderr interleaved). */
  output(): string;
  /** The fresh CARELOOP_DATA_DIR of this server. */
  dataDir: string;
  port: number;
}

/** A TCP port that was free a moment ago (listen on port 0, read it, close). */
export async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      if (address === null || typeof address === 'string') {
        server.close();
        reject(new Error('could not read the port of a listening socket'));
        return;
      }
      const { port } = address;
      server.close(() => resolvePort(port));
    });
  });
}

// Servers still running when the test process exits are killed so no port or data dir leaks.
const liveChildren = new Set<ChildProcess>();
let exitHookInstalled = false;
function trackChild(child: ChildProcess): void {
  liveChildren.add(child);
  child.once('exit', () => liveChildren.delete(child));
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.once('exit', () => {
      for (const c of liveChildren) signalGroup(c, 'SIGKILL');
    });
  }
}

/** Signals the child's whole process group (it is spawned detached), falling back to the child. */
function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    try {
      child.kill(signal);
    } catch {
      // already gone
    }
  }
}

function waitForExit(child: ChildProcess, timeoutMs: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolveExit) => {
    const timer = setTimeout(() => {
      child.off('exit', onExit);
      resolveExit(false);
    }, timeoutMs);
    const onExit = (): void => {
      clearTimeout(timer);
      resolveExit(true);
    };
    child.once('exit', onExit);
  });
}

// Variables vitest puts into process.env (VITEST_* too); the server should not see them.
const VITEST_ENV = new Set(['VITEST', 'TEST', 'BASE_URL', 'MODE', 'DEV', 'PROD', 'SSR']);

/** Environment of the test process minus what vitest injects, so the server runs as `npm start`. */
function baseEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (value === undefined || VITEST_ENV.has(key) || key.startsWith('VITEST_')) continue;
    if (key === 'NODE_ENV' && value === 'test') continue;
    env[key] = value;
  }
  return env;
}

/** The day the e2e demo's histories end, whatever day the tests run. */
export const E2E_DEMO_AS_OF = '2026-06-01';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** The template data dir to copy for `opts`, if any (none outside a vitest run with the setup). */
function templateFor(opts: StartOptions): string | undefined {
  if (opts.fromTemplate === false) return undefined;
  if (Object.keys(opts.env ?? {}).some((key) => !TEMPLATE_NEUTRAL_ENV.has(key))) return undefined;
  let dir: string | undefined;
  try {
    dir = inject('demoTemplateDir');
  } catch {
    return undefined; // not inside a vitest worker (e.g. the global setup itself)
  }
  return dir || undefined;
}

/**
 * Starts `node packages/server/bin/careloop.mjs start` on a free port with a fresh data dir and a
 * small demo seed, and resolves once `GET /api/health` answers 200. Set CARELOOP_E2E_VERBOSE=1 to
 * see the server's output live.
 */
export async function startCareloop(opts: StartOptions = {}): Promise<RunningCareloop> {
  const port = await freePort();
  const dataDir = await mkdtemp(join(tmpdir(), 'careloop-e2e-'));
  const template = templateFor(opts);
  if (template) await cp(template, dataDir, { recursive: true });
  const url = `http://127.0.0.1:${port}`;
  const env: Record<string, string> = {
    ...baseEnv(),
    PORT: String(port),
    HOST: '127.0.0.1',
    CARELOOP_DATA_DIR: dataDir,
    CARELOOP_DEMO_PATIENTS: '300',
    // The demo's histories end on a fixed day, so every run sees the same demo on any date.
    CARELOOP_DEMO_AS_OF: E2E_DEMO_AS_OF,
    // A message the EHR did not take is sent again after 2 s, not a minute (README).
    EHR_RETRY_SECONDS: '2',
    ...opts.env,
  };

  const proc = spawnCareloop(['start'], env, process.env.CARELOOP_E2E_VERBOSE === '1');
  const { child } = proc;

  let stopped: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopped ??= (async () => {
      const clean = await proc.terminate();
      if (!opts.keepDataDir) {
        await rm(dataDir, { recursive: true, force: true, maxRetries: 3 });
      } else if (!clean || child.exitCode !== 0) {
        throw new Error(
          `the server did not shut down cleanly (code ${child.exitCode}):\n${proc.output().slice(-4000)}`,
        );
      }
    })();
    return stopped;
  };

  const fail = async (reason: string): Promise<never> => {
    // The start failure is the news; a kept data dir's unclean stop would only hide it.
    await stop().catch(() => undefined);
    const output = proc.output();
    const tail = output.length > 20_000 ? `…${output.slice(-20_000)}` : output;
    throw new Error(
      `Careloop server did not start: ${reason}\n` +
        `command: ${process.execPath} ${SERVER_BIN} start (PORT=${port})\n` +
        `--- server output ---\n${tail || '(none)'}\n--- end of server output ---`,
    );
  };

  const deadline = Date.now() + STARTUP_TIMEOUT_MS;
  let lastProblem = 'no answer yet';
  for (;;) {
    const spawnError = proc.spawnError();
    if (spawnError !== undefined) return fail(`spawn failed: ${spawnError.message}`);
    if (child.exitCode !== null || child.signalCode !== null) {
      return fail(`the process exited early (code ${child.exitCode}, signal ${child.signalCode})`);
    }
    try {
      const res = await fetch(`${url}/api/health`, { signal: AbortSignal.timeout(5_000) });
      await res.arrayBuffer();
      if (res.status === 200) break;
      lastProblem = `GET /api/health answered ${res.status}`;
    } catch (err) {
      lastProblem = `GET /api/health failed: ${err instanceof Error ? err.message : String(err)}`;
    }
    if (Date.now() > deadline) {
      return fail(`timed out after ${STARTUP_TIMEOUT_MS / 1000} s (${lastProblem})`);
    }
    await sleep(250);
  }

  return { url, stop, output: proc.output, dataDir, port };
}

/** A `careloop` process the harness started, with its output kept and a way to end it. */
interface SpawnedCareloop {
  child: ChildProcess;
  /** The last part of what it printed (at most MAX_OUTPUT_CHARS). */
  output(): string;
  /** Why it could not be spawned, if it could not. */
  spawnError(): Error | undefined;
  /** SIGTERM to its process group, SIGKILL after the grace period; whether it ended in time. */
  terminate(): Promise<boolean>;
}

/**
 * Starts `careloop <args>` in its own process group (so stopping it also reaches any workers it
 * forks), tracked so that a dying test run ends it; `echo` copies its output to stderr.
 */
function spawnCareloop(
  args: readonly string[],
  env: Record<string, string>,
  echo = false,
): SpawnedCareloop {
  const child = spawn(process.execPath, [SERVER_BIN, ...args], {
    cwd: REPO_ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  trackChild(child);
  let output = '';
  const collect = (chunk: Buffer): void => {
    const text = chunk.toString('utf8');
    if (echo) process.stderr.write(text);
    output += text;
    if (output.length > MAX_OUTPUT_CHARS) output = output.slice(-MAX_OUTPUT_CHARS / 2);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  let spawnError: Error | undefined;
  child.once('error', (err) => {
    spawnError = err;
  });
  return {
    child,
    output: () => output,
    spawnError: () => spawnError,
    terminate: async () => {
      signalGroup(child, 'SIGTERM');
      if (await waitForExit(child, STOP_GRACE_MS)) return true;
      signalGroup(child, 'SIGKILL');
      await waitForExit(child, STOP_GRACE_MS);
      return false;
    },
  };
}

/** A simulated EHR (`careloop ehr-sim`) on loopback, for a server's `EHR_MLLP_ENDPOINT`. */
export interface RunningEhrSim {
  /** Its MLLP port on 127.0.0.1. */
  port: number;
  /** `127.0.0.1:<port>`, as `EHR_MLLP_ENDPOINT` takes it. */
  endpoint: string;
  /** Everything it printed so far: a line per message it answered. */
  output(): string;
  /** SIGTERM, then SIGKILL after 10 s. Safe to call twice. */
  stop(): Promise<void>;
}

/** Whether something accepts connections on 127.0.0.1:`port` now. */
function accepts(port: number): Promise<boolean> {
  return new Promise((resolveUp) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolveUp(true);
    });
    socket.once('error', () => resolveUp(false));
  });
}

/**
 * Starts `careloop ehr-sim --port <port> ...args` (a free port unless given) and resolves once it
 * accepts connections. `args` are its rules, e.g. `['--refuse-first', '1']`.
 */
export async function startEhrSim(
  args: readonly string[] = [],
  port?: number,
): Promise<RunningEhrSim> {
  const simPort = port ?? (await freePort());
  const proc = spawnCareloop(['ehr-sim', '--port', String(simPort), ...args], baseEnv());
  const { child } = proc;
  let stopped: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopped ??= proc.terminate().then(() => undefined);
    return stopped;
  };
  const deadline = Date.now() + STARTUP_TIMEOUT_MS;
  for (;;) {
    const exited = child.exitCode !== null || child.signalCode !== null;
    const spawnError = proc.spawnError();
    if (spawnError !== undefined || exited || Date.now() > deadline) {
      await stop();
      const why =
        spawnError?.message ?? (exited ? `it exited (code ${child.exitCode})` : 'timed out');
      throw new Error(`careloop ehr-sim did not listen on ${simPort}: ${why}\n${proc.output()}`);
    }
    if (await accepts(simPort)) break;
    await sleep(100);
  }
  return { port: simPort, endpoint: `127.0.0.1:${simPort}`, output: proc.output, stop };
}

/**
 * The clock of the server under test, read from its HTTP `Date` header (whole seconds): times a
 * test builds for the server (an appointment two days ahead, slots from tomorrow) come from the
 * system that judges them, not from the test process.
 */
export async function serverNow(appUrl: string): Promise<Date> {
  const res = await fetch(`${appUrl}/api/health`);
  await res.arrayBuffer();
  const header = res.headers.get('date');
  const at = header ? Date.parse(header) : Number.NaN;
  if (Number.isNaN(at)) throw new Error('the server sent no Date header');
  return new Date(at);
}

/** Headless Debian Chromium (scripts/ci/chromium.sh installs it). Close it in afterAll. */
export async function launchBrowser(): Promise<Browser> {
  // playwright-core gives the browser its own fresh temporary profile.
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    timeout: 60_000,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** Path of the screenshot `withScreenshotOnFailure` writes for `name`. */
export function screenshotPath(name: string): string {
  const safe = name.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^_+|_+$/g, '') || 'screenshot';
  return join(ARTIFACTS_DIR, `${safe}.png`);
}

/**
 * Runs `fn`; when it throws, saves a full-page screenshot to `e2e/artifacts/<name>.png` and
 * rethrows the original error.
 */
export async function withScreenshotOnFailure<T>(
  page: Page,
  name: string,
  fn: () => Promise<T>,
): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    const path = screenshotPath(name);
    try {
      await mkdir(ARTIFACTS_DIR, { recursive: true });
      await page.screenshot({ path, fullPage: true, timeout: 15_000 });
      console.error(`[e2e] screenshot of the failure: ${path} (page: ${page.url()})`);
    } catch (shotErr) {
      const why = shotErr instanceof Error ? shotErr.message : String(shotErr);
      console.error(`[e2e] could not save a screenshot to ${path}: ${why}`);
    }
    throw err;
  }
}

/** A signed-in API caller: the session cookie (`name=value`) and the CSRF token for writes. */
export interface ApiSession {
  cookie: string;
  csrfToken: string;
}

/** What a test file asks of `useCareloop`: the server's options, and a simulated EHR if any. */
export interface CareloopOptions extends StartOptions {
  /**
   * Start `careloop ehr-sim` with these arguments (its rules; `[]` for none) beside the server,
   * which gets it as `EHR_MLLP_ENDPOINT`.
   */
  ehrSim?: readonly string[];
}

/** What `useCareloop` gives a test file; every member works from `beforeAll` on. */
export interface CareloopUnderTest {
  /** The server of this file (started in `beforeAll`, stopped in `afterAll`). */
  app: RunningCareloop;
  /** The simulated EHR of this file, when its options asked for one (`ehrSim`). */
  ehr: Pick<RunningEhrSim, 'port' | 'endpoint' | 'output'>;
  /** The browser of this file: a fresh context or page each time. */
  browser: Pick<Browser, 'newContext' | 'newPage'>;
  /** A page in a fresh context (its own cookies), `width` × 900 unless `options` give a viewport. */
  newPage(width?: number, options?: BrowserContextOptions): Promise<Page>;
  /**
   * Signs a demo role in on the sign-in form at `path` (the staff sign-in page by default, or a
   * page that asks for it) and waits for the server's answer; from `/login`, also until the app
   * has left the sign-in page.
   */
  signIn(page: Page, role: DemoRole, path?: string): Promise<void>;
  /** Signs in through the API (not the browser), as a demo role or any account. */
  apiSession(who: DemoRole | { email: string; password: string }): Promise<ApiSession>;
}

const LOGIN_PATH = '/api/auth/login';

/** Signs in through the API; a failed sign-in throws with the server's answer. */
export async function apiSessionAt(
  appUrl: string,
  login: { email: string; password: string },
): Promise<ApiSession> {
  const res = await fetch(`${appUrl}${LOGIN_PATH}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(login),
  });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`sign-in answered ${res.status}: ${text.slice(0, 300)}`);
  const cookie = res.headers.getSetCookie().find((c) => c.startsWith('careloop_session='));
  if (!cookie) throw new Error('sign-in set no session cookie');
  const { csrfToken } = JSON.parse(text) as { csrfToken: string };
  return { cookie: cookie.split(';')[0] ?? '', csrfToken };
}

/**
 * The set-up every browser test file shares: registers `beforeAll` (a server, from the template
 * when `options` allow, and a browser, started side by side) and `afterAll` (the browser closed,
 * then the server stopped), and returns handles that work from `beforeAll` on. `options` may be
 * a function, for settings made when the file starts (a free port for `HL7_PORT`); `ehrSim`
 * starts a simulated EHR beside them (stopped after the server). A file's own
 * `beforeAll`, registered after this call, runs after the start.
 */
export function useCareloop(
  options: CareloopOptions | (() => Promise<CareloopOptions>) = {},
): CareloopUnderTest {
  let server: RunningCareloop | undefined;
  let chromiumBrowser: Browser | undefined;
  let ehrSim: RunningEhrSim | undefined;
  const simulated = (): RunningEhrSim => {
    if (!ehrSim) throw new Error('no simulated EHR: ask useCareloop for one with `ehrSim`');
    return ehrSim;
  };
  const running = (): RunningCareloop => {
    if (!server) throw new Error('the server starts in beforeAll: use it inside tests and hooks');
    return server;
  };
  const launched = (): Browser => {
    if (!chromiumBrowser) throw new Error('the browser starts in beforeAll: use it inside tests');
    return chromiumBrowser;
  };

  beforeAll(async () => {
    const { ehrSim: simArgs, ...opts } = typeof options === 'function' ? await options() : options;
    // The simulator's port is chosen first, so the three start side by side.
    const simPort = simArgs ? await freePort() : undefined;
    const [started, browser, sim] = await Promise.allSettled([
      startCareloop(
        simPort === undefined
          ? opts
          : { ...opts, env: { EHR_MLLP_ENDPOINT: `127.0.0.1:${simPort}`, ...opts.env } },
      ),
      launchBrowser(),
      simArgs ? startEhrSim(simArgs, simPort) : Promise.resolve(undefined),
    ]);
    if (started.status === 'fulfilled') server = started.value;
    if (browser.status === 'fulfilled') chromiumBrowser = browser.value;
    if (sim.status === 'fulfilled') ehrSim = sim.value;
    // afterAll still runs and closes whichever of them did start.
    for (const result of [started, browser, sim]) {
      if (result.status === 'rejected') throw result.reason;
    }
  });

  afterAll(async () => {
    await chromiumBrowser?.close();
    await server?.stop();
    await ehrSim?.stop();
  });

  const app: RunningCareloop = {
    get url() {
      return running().url;
    },
    get dataDir() {
      return running().dataDir;
    },
    get port() {
      return running().port;
    },
    stop: () => running().stop(),
    output: () => running().output(),
  };
  const browser: CareloopUnderTest['browser'] = {
    newContext: (contextOptions) => launched().newContext(contextOptions),
    newPage: (pageOptions) => launched().newPage(pageOptions),
  };

  const ehr: CareloopUnderTest['ehr'] = {
    get port() {
      return simulated().port;
    },
    get endpoint() {
      return simulated().endpoint;
    },
    output: () => simulated().output(),
  };

  return {
    app,
    browser,
    ehr,
    async newPage(width = 1400, contextOptions = {}) {
      const context = await launched().newContext({
        viewport: { width, height: 900 },
        ...contextOptions,
      });
      return context.newPage();
    },
    async signIn(page, role, path = '/login') {
      await page.goto(`${app.url}${path}`);
      await page.getByLabel('Email').fill(DEMO_LOGINS[role].email);
      await page.getByLabel('Password').fill(DEMO_LOGINS[role].password);
      const answered = page.waitForResponse((res) => new URL(res.url()).pathname === LOGIN_PATH);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await answered;
      if (path === '/login') await page.waitForURL((url) => url.pathname !== '/login');
    },
    apiSession: (who) => apiSessionAt(app.url, typeof who === 'string' ? DEMO_LOGINS[who] : who),
  };
}

declare module 'vitest' {
  export interface ProvidedContext {
    /** A stopped server's migrated and seeded data dir (e2e/src/global-setup.ts), or ''. */
    demoTemplateDir: string;
  }
}
