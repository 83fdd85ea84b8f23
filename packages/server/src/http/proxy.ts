import net from 'node:net';

/**
 * Which proxies in front of Careloop are believed about the client's address (`X-Forwarded-For`),
 * host and scheme. `request.ip` is then the right-most address not appended by a trusted proxy:
 * whatever a client writes into the header itself stays to the left of what its proxy appended.
 */
export type TrustProxy =
  | { kind: 'none' }
  /** Every request comes through this many proxies; the app must be reachable only by them. */
  | { kind: 'hops'; hops: number }
  /** Only these peers (addresses, CIDR ranges, or proxy-addr's named ranges) are proxies. */
  | { kind: 'addresses'; addresses: string[] };

const NAMED_RANGES = new Set(['loopback', 'linklocal', 'uniquelocal']);

function isAddressOrRange(entry: string): boolean {
  if (NAMED_RANGES.has(entry)) return true;
  const [address = '', prefix, ...rest] = entry.split('/');
  const family = net.isIP(address);
  if (family === 0 || rest.length > 0) return false;
  if (prefix === undefined) return true;
  if (!/^\d{1,3}$/.test(prefix)) return false;
  return Number(prefix) <= (family === 4 ? 32 : 128);
}

/**
 * TRUST_PROXY: unset, empty or `0` trusts no proxy; a number N trusts N hops (`1`, or `true`
 * as before, is the one proxy in front); otherwise a comma-separated list of proxy addresses
 * and CIDR ranges.
 */
export function parseTrustProxy(value: string | undefined): TrustProxy {
  const text = value?.trim() ?? '';
  if (text === '' || text === '0' || text === 'false') return { kind: 'none' };
  if (text === 'true') return { kind: 'hops', hops: 1 };
  if (/^\d+$/.test(text)) {
    const hops = Number(text);
    if (hops > 16) throw new Error(`TRUST_PROXY must be at most 16 hops, got "${text}"`);
    return { kind: 'hops', hops };
  }
  const addresses = text.split(',').map((entry) => entry.trim());
  const bad = addresses.find((entry) => !isAddressOrRange(entry));
  if (bad !== undefined) {
    throw new Error(
      `TRUST_PROXY must be a hop count or a comma-separated list of proxy addresses or CIDR ranges, got "${bad}"`,
    );
  }
  return { kind: 'addresses', addresses };
}

/**
 * Fastify's `trustProxy` option. A hop count is given as a function: Fastify 5.12 reads a plain
 * number as "trust nothing" for the client's address.
 */
export function fastifyTrustProxy(
  trust: TrustProxy,
): false | string[] | ((address: string, hop: number) => boolean) {
  switch (trust.kind) {
    case 'none':
      return false;
    case 'hops': {
      const hops = trust.hops;
      return (_address, hop) => hop < hops;
    }
    case 'addresses':
      return trust.addresses;
  }
}
