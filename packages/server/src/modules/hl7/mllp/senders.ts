import { readFile } from 'node:fs/promises';
import net from 'node:net';

/**
 * Who may hold one of the MLLP listener's connections, and for how long: an optional allow-list
 * of sender addresses (HL7_ALLOW), a cap per address, an idle timeout, and TLS with optional
 * client certificates. The listener's framing, replies and processing are in mllp.ts.
 */

/** An IPv4 address as an IPv4-mapped IPv6 one (`::ffff:10.0.0.5`, on a dual-stack socket). */
const MAPPED_V4 = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i;

/** The address as one family: IPv4-mapped IPv6 addresses as IPv4. */
export function plainAddress(address: string): string {
  return MAPPED_V4.exec(address)?.[1] ?? address;
}

/** A list of sender addresses and CIDR ranges, e.g. HL7_ALLOW=`10.0.0.5,10.20.0.0/16,fd00::/8`. */
export class SenderAllowList {
  private readonly list = new net.BlockList();

  private constructor(readonly entries: readonly string[]) {
    for (const entry of entries) {
      const [address = '', prefix] = entry.split('/');
      const family = net.isIP(address) === 6 ? 'ipv6' : 'ipv4';
      if (prefix === undefined) this.list.addAddress(address, family);
      else this.list.addSubnet(address, Number(prefix), family);
    }
  }

  /** Parses a comma-separated list; throws naming `name` and the first bad entry. */
  static parse(value: string, name = 'HL7_ALLOW'): SenderAllowList {
    const entries = value
      .split(',')
      .map((entry) => entry.trim())
      .filter((entry) => entry !== '');
    for (const entry of entries) {
      const [address = '', prefix, ...rest] = entry.split('/');
      const family = net.isIP(address);
      const prefixOk =
        prefix === undefined ||
        (/^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128));
      if (family === 0 || rest.length > 0 || !prefixOk) {
        throw new Error(
          `${name} must be a comma-separated list of IP addresses and CIDR ranges, got "${entry}"`,
        );
      }
    }
    if (entries.length === 0) throw new Error(`${name} is set but lists no address`);
    return new SenderAllowList(entries);
  }

  allows(address: string): boolean {
    const plain = plainAddress(address);
    const family = net.isIP(plain);
    if (family === 0) return false;
    return this.list.check(plain, family === 6 ? 'ipv6' : 'ipv4');
  }
}

/** Open connections per sender address, capped. */
export class ConnectionsPerAddress {
  private readonly open = new Map<string, number>();

  constructor(readonly max: number) {}

  /** Counts a connection from `address`, or answers false when it already has `max`. */
  take(address: string): boolean {
    const n = this.open.get(address) ?? 0;
    if (n >= this.max) return false;
    this.open.set(address, n + 1);
    return true;
  }

  release(address: string): void {
    const n = (this.open.get(address) ?? 0) - 1;
    if (n > 0) this.open.set(address, n);
    else this.open.delete(address);
  }
}

/** PEM material for MLLP over TLS. With `ca`, senders must present a certificate it signed. */
export interface MllpTls {
  cert: Buffer;
  key: Buffer;
  ca?: Buffer;
}

/** Why a connection was closed by the listener rather than by the sender. */
export type MllpRefusal =
  | { reason: 'not-allowed'; address: string }
  | { reason: 'too-many-from-address'; address: string; max: number }
  | { reason: 'tls-handshake'; address: string; code: string }
  | { reason: 'idle'; address: string; idleMs: number };

/** A refusal as a log line: addresses and reasons, never a message's content. */
export function describeRefusal(refusal: MllpRefusal): string {
  switch (refusal.reason) {
    case 'not-allowed':
      return `hl7 listener: refused a connection from ${refusal.address}, not in HL7_ALLOW`;
    case 'too-many-from-address':
      return `hl7 listener: refused a connection from ${refusal.address}, which already has ${refusal.max} open`;
    case 'tls-handshake':
      return `hl7 listener: TLS handshake with ${refusal.address} failed (${refusal.code})`;
    case 'idle':
      return `hl7 listener: closed a connection from ${refusal.address} idle for ${refusal.idleMs} ms`;
  }
}

/** The listener's sender settings from the environment (see docs/hl7.md). */
export interface MllpSenderSettings {
  idleTimeoutMs?: number;
  maxConnectionsPerAddress?: number;
  allow?: SenderAllowList;
  tls?: MllpTls;
}

function positiveInteger(env: NodeJS.ProcessEnv, name: string): number | undefined {
  const value = env[name];
  if (value === undefined || value.trim() === '') return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) {
    throw new Error(`${name} must be a positive integer, got "${value}"`);
  }
  return n;
}

async function pem(env: NodeJS.ProcessEnv, name: string): Promise<Buffer> {
  const file = env[name] ?? '';
  try {
    return await readFile(file);
  } catch (error) {
    const code = (error as { code?: string }).code ?? 'error';
    throw new Error(`${name}: cannot read ${file} (${code})`);
  }
}

/**
 * HL7_IDLE_TIMEOUT_SECONDS, HL7_MAX_CONNECTIONS_PER_ADDRESS, HL7_ALLOW, and HL7_TLS_CERT with
 * HL7_TLS_KEY (both or neither), HL7_TLS_CA (needs the other two).
 */
export async function senderSettingsFromEnv(env: NodeJS.ProcessEnv): Promise<MllpSenderSettings> {
  const idleSeconds = positiveInteger(env, 'HL7_IDLE_TIMEOUT_SECONDS');
  const perAddress = positiveInteger(env, 'HL7_MAX_CONNECTIONS_PER_ADDRESS');
  const allow = env.HL7_ALLOW?.trim() ? SenderAllowList.parse(env.HL7_ALLOW) : undefined;
  const certSet = Boolean(env.HL7_TLS_CERT);
  const keySet = Boolean(env.HL7_TLS_KEY);
  if (certSet !== keySet) throw new Error('HL7_TLS_CERT and HL7_TLS_KEY must be set together');
  if (env.HL7_TLS_CA && !certSet) {
    throw new Error('HL7_TLS_CA needs HL7_TLS_CERT and HL7_TLS_KEY (client certificates need TLS)');
  }
  const tls: MllpTls | undefined = certSet
    ? {
        cert: await pem(env, 'HL7_TLS_CERT'),
        key: await pem(env, 'HL7_TLS_KEY'),
        ...(env.HL7_TLS_CA ? { ca: await pem(env, 'HL7_TLS_CA') } : {}),
      }
    : undefined;
  return {
    ...(idleSeconds === undefined ? {} : { idleTimeoutMs: idleSeconds * 1000 }),
    ...(perAddress === undefined ? {} : { maxConnectionsPerAddress: perAddress }),
    ...(allow ? { allow } : {}),
    ...(tls ? { tls } : {}),
  };
}
