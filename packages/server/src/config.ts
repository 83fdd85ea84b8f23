import path from 'node:path';

/** Everything Careloop reads from the environment, parsed once at start. See README. */
export interface Config {
  host: string;
  port: number;
  /** Folder of the embedded database and its key, when no DATABASE_URL is given. */
  dataDir: string;
  databaseUrl: string | null;
  databasePoolSize: number;
  /** Seed "Demo Health" on an empty database. */
  demo: boolean;
  demoPatients: number;
  /** base64 of 32 bytes; generated into dataDir in embedded mode when unset. */
  encryptionKey: string | null;
  /** `kid:base64,…`: earlier keys kept to decrypt (the whole ring, first current, without encryptionKey). */
  encryptionKeys: string | null;
  logLevel: string;
  /** Set Secure on cookies (behind TLS). Defaults to on when TRUST_PROXY is set. */
  secureCookies: boolean;
  trustProxy: boolean;
  sessionIdleMinutes: number;
  sessionAbsoluteHours: number;
}

function intFrom(value: string | undefined, fallback: number, name: string): number {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) {
    throw new Error(`${name} must be a non-negative integer, got "${value}"`);
  }
  return n;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const trustProxy = env.TRUST_PROXY === '1' || env.TRUST_PROXY === 'true';
  return {
    host: env.HOST ?? '127.0.0.1',
    port: intFrom(env.PORT, 8080, 'PORT'),
    dataDir: path.resolve(env.CARELOOP_DATA_DIR ?? '.careloop'),
    databaseUrl: env.DATABASE_URL || null,
    databasePoolSize: intFrom(env.DATABASE_POOL_SIZE, 10, 'DATABASE_POOL_SIZE'),
    demo: env.CARELOOP_DEMO !== '0',
    demoPatients: intFrom(env.CARELOOP_DEMO_PATIENTS, 2000, 'CARELOOP_DEMO_PATIENTS'),
    encryptionKey: env.CARELOOP_ENCRYPTION_KEY || null,
    encryptionKeys: env.CARELOOP_ENCRYPTION_KEYS || null,
    logLevel: env.LOG_LEVEL ?? 'info',
    secureCookies: env.SECURE_COOKIES ? env.SECURE_COOKIES === '1' : trustProxy,
    trustProxy,
    sessionIdleMinutes: intFrom(env.SESSION_IDLE_MINUTES, 15, 'SESSION_IDLE_MINUTES'),
    sessionAbsoluteHours: intFrom(env.SESSION_ABSOLUTE_HOURS, 12, 'SESSION_ABSOLUTE_HOURS'),
  };
}
