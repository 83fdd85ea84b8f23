import path from 'node:path';
import { isBounceAddress } from '@careloop/core';
import { parseAllowedOrigins } from './http/origin.js';
import { parseTrustProxy, type TrustProxy } from './http/proxy.js';
import { parseEndpoint } from './modules/messaging/hl7/mllp-sender.js';

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
  /** The SMTP server mail goes out through; null: the built-in local mailbox keeps it. */
  smtp: SmtpConfig | null;
  /** The From of every email (MAIL_FROM). */
  mailFrom: string;
  /**
   * The address users reach Careloop at (CARELOOP_PUBLIC_URL), for links in emails. Never taken
   * from a request's Host header, which the sender of a reset request chooses.
   */
  publicUrl: string;
  // Issue 11: the SMS channel.
  /** The SMS provider (SMS_PROVIDER=twilio); null: the built-in local SMS gateway keeps texts. */
  sms: SmsConfig | null;
  // Issues 11 and 13: the EHR that owns the schedule.
  /**
   * The EHR's MLLP listener (EHR_MLLP_ENDPOINT=host:port): appointment confirmations for
   * appointments it sent go back to it as SIU^S14. Null: nothing is sent to an EHR.
   */
  ehrMllpEndpoint: string | null;
  // Issue 13 (h13f): the FHIR path of the EHR-owned schedule.
  /**
   * The EHR's FHIR R4 server (EHR_FHIR_BASE) and its bearer token (EHR_FHIR_TOKEN): booking
   * requests in the `ehr` schedule mode go there as Appointments (before EHR_MLLP_ENDPOINT when
   * both are set). Null: not configured.
   */
  ehrFhir: { base: string; token: string | null } | null;
  // Issue 11: integrations (docs/adr/0029).
  /**
   * Hosts (`host` or `host:port`) that JWKS URLs must name, and that webhook URLs may name
   * even when they resolve to a private or loopback address (INTEGRATION_ALLOWED_HOSTS).
   */
  integrationAllowedHosts: string[];
  /** Signs the provider-neutral bounce and complaint webhook (EMAIL_EVENTS_SECRET, whsec_…). */
  emailEventsSecret: string | null;
  // Issue 11 (h11d): the bounce mailbox (docs/delivery.md).
  /**
   * The return path's base (BOUNCE_ADDRESS, `bounces@example.org`): each email's envelope sender
   * is `bounces+<message token>@example.org`. Null: the envelope sender is MAIL_FROM.
   */
  bounceAddress: string | null;
  /** The SMTP listener that takes bounces and complaints (BOUNCE_SMTP_PORT); null: none. */
  bounceSmtp: { host: string; port: number } | null;
  // House (hci): the EHR retry's first wait.
  /**
   * Seconds before a message the EHR did not take (down, AR, a FHIR 5xx, no answer) is sent
   * again (EHR_RETRY_SECONDS, default 60); the wait doubles on each try, up to an hour.
   */
  ehrRetrySeconds: number;
}

/** A Twilio-compatible REST API (docs/adr/0023). */
export interface SmsConfig {
  provider: 'twilio';
  accountSid: string;
  /** Signs our requests (basic auth) and Twilio's webhooks (X-Twilio-Signature). */
  authToken: string;
  /** The number texts are sent from, E.164. */
  from: string;
  /** `https://api.twilio.com` unless a compatible provider (or a test's fake) is named. */
  baseUrl: string;
}

/** An SMTP server: a URL (`smtp://`, `smtps://`) or its parts. */
export type SmtpConfig =
  | { url: string }
  | {
      host: string;
      port: number;
      /** TLS from the first byte (port 465); otherwise STARTTLS when the server offers it. */
      secure: boolean;
      user: string | null;
      password: string | null;
    };

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
    smtp: smtpFrom(env),
    mailFrom: mailFrom(env.MAIL_FROM),
    publicUrl: publicUrl(env),
    // Issue 11: the SMS channel.
    sms: smsFrom(env),
    // Issues 11 and 13: the EHR that owns the schedule.
    ehrMllpEndpoint: ehrEndpoint(env.EHR_MLLP_ENDPOINT),
    // Issue 13 (h13f): the FHIR path of the EHR-owned schedule.
    ehrFhir: ehrFhirFrom(env),
    // Issue 11: integrations (docs/adr/0029).
    integrationAllowedHosts: allowedHosts(env.INTEGRATION_ALLOWED_HOSTS),
    emailEventsSecret: emailEventsSecret(env.EMAIL_EVENTS_SECRET),
    // Issue 11 (h11d): the bounce mailbox.
    bounceAddress: bounceAddress(env.BOUNCE_ADDRESS),
    bounceSmtp: bounceSmtp(env),
    // House (hci): the EHR retry's first wait.
    ehrRetrySeconds: ehrRetrySeconds(env.EHR_RETRY_SECONDS),
  };
}

/** EHR_RETRY_SECONDS: a whole number of seconds from 1 to 3600 (the retry's cap). */
function ehrRetrySeconds(value: string | undefined): number {
  const seconds = intFrom(value, 60, 'EHR_RETRY_SECONDS');
  if (seconds < 1 || seconds > 3600) {
    throw new Error(`EHR_RETRY_SECONDS must be from 1 to 3600 seconds, got "${value}"`);
  }
  return seconds;
}

/** BOUNCE_ADDRESS: `local@domain`, the local part without `+` (the token goes after one). */
function bounceAddress(value: string | undefined): string | null {
  if (!value?.trim()) return null;
  const address = value.trim();
  if (!isBounceAddress(address)) {
    throw new Error(
      `BOUNCE_ADDRESS must be an address such as bounces@mail.example.org, without "+" (got ${JSON.stringify(value)})`,
    );
  }
  return address;
}

/** BOUNCE_SMTP_PORT (needs BOUNCE_ADDRESS) and BOUNCE_SMTP_HOST (default loopback). */
function bounceSmtp(env: NodeJS.ProcessEnv): { host: string; port: number } | null {
  if (!env.BOUNCE_SMTP_PORT) {
    if (env.BOUNCE_SMTP_HOST)
      throw new Error('BOUNCE_SMTP_HOST is set but BOUNCE_SMTP_PORT is not');
    return null;
  }
  if (!env.BOUNCE_ADDRESS) throw new Error('BOUNCE_SMTP_PORT needs BOUNCE_ADDRESS');
  const port = intFrom(env.BOUNCE_SMTP_PORT, 0, 'BOUNCE_SMTP_PORT');
  if (port < 0 || port > 65_535) {
    throw new Error(`BOUNCE_SMTP_PORT must be a port, got "${env.BOUNCE_SMTP_PORT}"`);
  }
  return { host: env.BOUNCE_SMTP_HOST?.trim() || '127.0.0.1', port };
}

/** INTEGRATION_ALLOWED_HOSTS: comma-separated `host` or `host:port`, lower case. */
function allowedHosts(value: string | undefined): string[] {
  if (!value) return [];
  return value.split(',').flatMap((part) => {
    const host = part.trim().toLowerCase();
    if (host === '') return [];
    if (!/^[a-z0-9.-]+(:\d{1,5})?$|^\[[0-9a-f:.]+\](:\d{1,5})?$/.test(host)) {
      throw new Error(`INTEGRATION_ALLOWED_HOSTS: "${host}" is not a host or host:port`);
    }
    return [host];
  });
}

function emailEventsSecret(value: string | undefined): string | null {
  if (!value) return null;
  if (!/^whsec_[A-Za-z0-9+/]{24,}={0,2}$/.test(value)) {
    throw new Error('EMAIL_EVENTS_SECRET must be whsec_ followed by base64 of 24+ random bytes');
  }
  return value;
}

/** SMTP_URL, or SMTP_HOST with SMTP_PORT, SMTP_SECURE, SMTP_USER and SMTP_PASSWORD; else null. */
function smtpFrom(env: NodeJS.ProcessEnv): SmtpConfig | null {
  if (env.SMTP_URL) {
    let url: URL;
    try {
      url = new URL(env.SMTP_URL);
    } catch {
      throw new Error('SMTP_URL must be a URL such as smtp://user:password@mail.example.org:587');
    }
    if (url.protocol !== 'smtp:' && url.protocol !== 'smtps:') {
      throw new Error('SMTP_URL must start with smtp:// or smtps://');
    }
    return { url: env.SMTP_URL };
  }
  if (!env.SMTP_HOST) {
    for (const name of ['SMTP_PORT', 'SMTP_SECURE', 'SMTP_USER', 'SMTP_PASSWORD']) {
      if (env[name]) throw new Error(`${name} is set but SMTP_HOST is not`);
    }
    return null;
  }
  const secure = env.SMTP_SECURE === '1' || env.SMTP_SECURE === 'true';
  if (env.SMTP_SECURE && !['0', '1', 'true', 'false'].includes(env.SMTP_SECURE)) {
    throw new Error(`SMTP_SECURE must be 1 or 0, got "${env.SMTP_SECURE}"`);
  }
  const port = intFrom(env.SMTP_PORT, secure ? 465 : 587, 'SMTP_PORT');
  if (port < 1 || port > 65_535) throw new Error(`SMTP_PORT must be a port, got "${port}"`);
  if (Boolean(env.SMTP_USER) !== Boolean(env.SMTP_PASSWORD)) {
    throw new Error('SMTP_USER and SMTP_PASSWORD go together');
  }
  return {
    host: env.SMTP_HOST,
    port,
    secure,
    user: env.SMTP_USER || null,
    password: env.SMTP_PASSWORD || null,
  };
}

/** `Name <address>` or a bare address; the default names the local host. */
function mailFrom(value: string | undefined): string {
  if (!value) return 'Careloop <no-reply@careloop.localhost>';
  const address = /<([^<>\s]+@[^<>\s]+)>\s*$/.exec(value)?.[1] ?? value.trim();
  if (!/^[^@\s<>]+@[^@\s<>]+$/.test(address) || /[\r\n]/.test(value)) {
    throw new Error(`MAIL_FROM must be an address or "Name <address>", got "${value}"`);
  }
  return value.trim();
}

function publicUrl(env: NodeJS.ProcessEnv): string {
  const given = env.CARELOOP_PUBLIC_URL;
  if (!given) {
    const host = env.HOST && !['0.0.0.0', '::', ''].includes(env.HOST) ? env.HOST : '127.0.0.1';
    return `http://${host.includes(':') ? `[${host}]` : host}:${env.PORT || '8080'}`;
  }
  let url: URL;
  try {
    url = new URL(given);
  } catch {
    throw new Error(
      `CARELOOP_PUBLIC_URL must be a URL such as https://crm.example.org, got "${given}"`,
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new Error('CARELOOP_PUBLIC_URL must start with http:// or https://');
  }
  return url.origin + url.pathname.replace(/\/+$/, '');
}

/** 1 to 720 minutes (12 hours, a session's longest life); 30 by default. */
function breakGlassMinutes(value: string | undefined): number {
  const minutes = intFrom(value, 30, 'BREAK_GLASS_MINUTES');
  if (minutes < 1 || minutes > 720) {
    throw new Error(`BREAK_GLASS_MINUTES must be between 1 and 720, got "${value}"`);
  }
  return minutes;
}

// Issue 11: the SMS channel.
const TWILIO_VARIABLES = [
  'TWILIO_ACCOUNT_SID',
  'TWILIO_AUTH_TOKEN',
  'TWILIO_FROM',
  'TWILIO_BASE_URL',
];

/** SMS_PROVIDER=twilio with its four variables; unset or `local`: the local gateway (null). */
function smsFrom(env: NodeJS.ProcessEnv): SmsConfig | null {
  const provider = env.SMS_PROVIDER || 'local';
  if (provider === 'local') {
    for (const name of TWILIO_VARIABLES) {
      if (env[name]) throw new Error(`${name} is set but SMS_PROVIDER is not twilio`);
    }
    return null;
  }
  if (provider !== 'twilio') {
    throw new Error(`SMS_PROVIDER must be twilio or local, got "${provider}"`);
  }
  const accountSid = env.TWILIO_ACCOUNT_SID ?? '';
  const authToken = env.TWILIO_AUTH_TOKEN ?? '';
  const from = env.TWILIO_FROM ?? '';
  if (!/^AC[0-9a-zA-Z]{8,64}$/.test(accountSid)) {
    throw new Error('SMS_PROVIDER=twilio needs TWILIO_ACCOUNT_SID (AC…)');
  }
  if (authToken.length < 8) throw new Error('SMS_PROVIDER=twilio needs TWILIO_AUTH_TOKEN');
  if (!/^\+[1-9]\d{6,14}$/.test(from)) {
    throw new Error(`TWILIO_FROM must be a phone number in E.164 (+15551234567), got "${from}"`);
  }
  const base = env.TWILIO_BASE_URL || 'https://api.twilio.com';
  let url: URL;
  try {
    url = new URL(base);
  } catch {
    throw new Error(`TWILIO_BASE_URL must be a URL such as https://api.twilio.com, got "${base}"`);
  }
  const loopback = ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
  // The auth token travels in every request: in clear text only to this machine (a test's fake).
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) {
    throw new Error('TWILIO_BASE_URL must start with https:// (http:// only on loopback)');
  }
  return {
    provider: 'twilio',
    accountSid,
    authToken,
    from,
    baseUrl: url.origin + url.pathname.replace(/\/+$/, ''),
  };
}

/** EHR_MLLP_ENDPOINT: `host:port`, else unset. */
function ehrEndpoint(value: string | undefined): string | null {
  if (!value?.trim()) return null;
  if (!parseEndpoint(value)) {
    throw new Error(`EHR_MLLP_ENDPOINT must be host:port (got ${JSON.stringify(value)})`);
  }
  return value.trim();
}

/**
 * EHR_FHIR_BASE (an https URL; http only on loopback, as the token travels in every request)
 * and EHR_FHIR_TOKEN (a bearer token, optional).
 */
function ehrFhirFrom(env: NodeJS.ProcessEnv): { base: string; token: string | null } | null {
  const value = env.EHR_FHIR_BASE?.trim();
  const token = env.EHR_FHIR_TOKEN?.trim() || null;
  if (!value) {
    if (token) throw new Error('EHR_FHIR_TOKEN is set without EHR_FHIR_BASE');
    return null;
  }
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new Error('EHR_FHIR_BASE must be a URL (https://ehr.example.org/fhir/R4)');
  }
  const loopback = ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) {
    throw new Error('EHR_FHIR_BASE must start with https:// (http:// only on loopback)');
  }
  if (url.search || url.hash || url.username || url.password) {
    throw new Error('EHR_FHIR_BASE must be a base URL without query, fragment or credentials');
  }
  if (token && !/^[A-Za-z0-9\-._~+/]+=*$/.test(token)) {
    throw new Error('EHR_FHIR_TOKEN must be a bearer token (RFC 6750 characters)');
  }
  return { base: url.origin + url.pathname.replace(/\/+$/, ''), token };
}
