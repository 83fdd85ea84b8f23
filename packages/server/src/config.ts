import path from 'node:path';
import { parseAllowedOrigins } from './http/origin.js';
import { parseTrustProxy, type TrustProxy } from './http/proxy.js';

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
  /**
   * The day the demo's histories end and its future appointments begin (YYYY-MM-DD); null for
   * today. Tests and reproducible demos pin it, so the demo holds the same rows on any date.
   */
  demoAsOf: string | null;
  /** base64 of 32 bytes; generated into dataDir in embedded mode when unset. */
  encryptionKey: string | null;
  /** `kid:base64,…`: earlier keys kept to decrypt (the whole ring, first current, without encryptionKey). */
  encryptionKeys: string | null;
  logLevel: string;
  /** Set Secure on cookies (behind TLS). Defaults to on when TRUST_PROXY is set. */
  secureCookies: boolean;
  /** The proxies believed about the client's address, host and scheme (TRUST_PROXY). */
  trustProxy: TrustProxy;
  /** Origins besides the app's own that may sign in and change things (CARELOOP_ALLOWED_ORIGINS). */
  allowedOrigins: string[];
  sessionIdleMinutes: number;
  sessionAbsoluteHours: number;
  /** base64 of 32 bytes signing audit checkpoints; a subkey of the encryption key when unset. */
  auditKey: string | null;
  /** The append-only file of signed audit checkpoints (docs/adr/0009). */
  auditCheckpoints: string;
  /** `careloop start` takes a checkpoint this often; 0 turns the schedule off. */
  auditCheckpointMinutes: number;
  /** How long a break-glass grant to a restricted record lasts. */
  breakGlassMinutes: number;
}

function intFrom(value: string | undefined, fallback: number, name: string): number {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) {
    throw new Error(`${name} must be a non-negative integer, got "${value}"`);
  }
  return n;
}

/** A calendar date as YYYY-MM-DD that exists (no 2026-02-30). */
function dateFrom(value: string | undefined, name: string): string | null {
  if (value === undefined || value === '') return null;
  const at = new Date(`${value}T00:00:00Z`);
  const valid =
    /^\d{4}-\d{2}-\d{2}$/.test(value) &&
    !Number.isNaN(at.getTime()) &&
    at.toISOString().slice(0, 10) === value;
  if (!valid) throw new Error(`${name} must be a date as YYYY-MM-DD, got "${value}"`);
  return value;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const trustProxy = parseTrustProxy(env.TRUST_PROXY);
  const dataDir = path.resolve(env.CARELOOP_DATA_DIR || '.careloop');
  const auditKey = env.CARELOOP_AUDIT_KEY || null;
  if (auditKey !== null && Buffer.from(auditKey, 'base64').length !== 32) {
    throw new Error(
      'CARELOOP_AUDIT_KEY must be 32 random bytes, base64 (`openssl rand -base64 32`)',
    );
  }
  return {
    host: env.HOST ?? '127.0.0.1',
    port: intFrom(env.PORT, 8080, 'PORT'),
    dataDir,
    databaseUrl: env.DATABASE_URL || null,
    databasePoolSize: intFrom(env.DATABASE_POOL_SIZE, 10, 'DATABASE_POOL_SIZE'),
    demo: env.CARELOOP_DEMO !== '0',
    demoPatients: intFrom(env.CARELOOP_DEMO_PATIENTS, 2000, 'CARELOOP_DEMO_PATIENTS'),
    demoAsOf: dateFrom(env.CARELOOP_DEMO_AS_OF, 'CARELOOP_DEMO_AS_OF'),
    encryptionKey: env.CARELOOP_ENCRYPTION_KEY || null,
    encryptionKeys: env.CARELOOP_ENCRYPTION_KEYS || null,
    logLevel: env.LOG_LEVEL ?? 'info',
    secureCookies: env.SECURE_COOKIES ? env.SECURE_COOKIES === '1' : trustProxy.kind !== 'none',
    trustProxy,
    allowedOrigins: parseAllowedOrigins(env.CARELOOP_ALLOWED_ORIGINS),
    sessionIdleMinutes: intFrom(env.SESSION_IDLE_MINUTES, 15, 'SESSION_IDLE_MINUTES'),
    sessionAbsoluteHours: intFrom(env.SESSION_ABSOLUTE_HOURS, 12, 'SESSION_ABSOLUTE_HOURS'),
    auditKey,
    auditCheckpoints: path.resolve(
      env.CARELOOP_AUDIT_CHECKPOINTS || path.join(dataDir, 'audit-checkpoints.jsonl'),
    ),
    auditCheckpointMinutes: intFrom(
      env.CARELOOP_AUDIT_CHECKPOINT_MINUTES,
      5,
      'CARELOOP_AUDIT_CHECKPOINT_MINUTES',
    ),
    breakGlassMinutes: breakGlassMinutes(env.BREAK_GLASS_MINUTES),
  };
}

/** 1 to 720 minutes (12 hours, a session's longest life); 30 by default. */
function breakGlassMinutes(value: string | undefined): number {
  const minutes = intFrom(value, 30, 'BREAK_GLASS_MINUTES');
  if (minutes < 1 || minutes > 720) {
    throw new Error(`BREAK_GLASS_MINUTES must be between 1 and 720, got "${value}"`);
  }
  return minutes;
}
