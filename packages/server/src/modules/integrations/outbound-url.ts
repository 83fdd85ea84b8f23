import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';
import { badRequest } from '@careloop/core';

/**
 * Where Careloop may send a request a tenant's admin chose (a JWKS URL, a webhook endpoint):
 * never to a private, loopback or link-local address (SSRF: the cloud metadata service, the
 * database, the admin console of the router), unless the host is one the operator listed in
 * INTEGRATION_ALLOWED_HOSTS. The address is resolved once and the request connects to that
 * address, so a DNS answer changed between the check and the connection changes nothing.
 */

const PRIVATE = new BlockList();
for (const [net, bits] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const) {
  PRIVATE.addSubnet(net, bits, 'ipv4');
}
for (const [net, bits] of [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
] as const) {
  PRIVATE.addSubnet(net, bits, 'ipv6');
}

export interface ResolvedUrl {
  url: URL;
  /** The address to connect to. */
  address: string;
  family: 4 | 6;
}

/**
 * Whether an address is private, loopback, link-local or otherwise not the public internet. An
 * IPv4-mapped IPv6 address (`::ffff:10.0.0.1`) is judged as the IPv4 address it carries (a
 * BlockList subnet over `::ffff:0:0/96` would also match every plain IPv4 address).
 */
export function isPrivate(address: string, family: 4 | 6): boolean {
  const mapped = family === 6 ? /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1] : undefined;
  if (mapped) return PRIVATE.check(mapped, 'ipv4');
  return PRIVATE.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

/** Whether `url`'s host (with or without its port) is on the operator's list. */
export function isAllowedHost(url: URL, allowed: readonly string[]): boolean {
  const host = url.hostname.toLowerCase();
  const port = url.port || (url.protocol === 'https:' ? '443' : '80');
  return allowed.includes(host) || allowed.includes(`${host}:${port}`);
}

/**
 * Parses and checks a URL an admin gave; throws a 400 naming `field`. `onlyListed`: the host
 * must be on the list whatever it resolves to (JWKS URLs).
 */
export async function checkOutboundUrl(
  raw: string,
  allowed: readonly string[],
  field: string,
  options: { onlyListed?: boolean } = {},
): Promise<ResolvedUrl> {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw badRequest('Give an absolute http(s) URL', field);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw badRequest('Give an http(s) URL', field);
  }
  if (url.username || url.password) throw badRequest('The URL must not carry credentials', field);
  const listed = isAllowedHost(url, allowed);
  if (options.onlyListed && !listed) {
    throw badRequest(`${url.host} is not in INTEGRATION_ALLOWED_HOSTS`, field);
  }
  if (!listed && url.protocol !== 'https:') {
    throw badRequest('Use https (http only to hosts in INTEGRATION_ALLOWED_HOSTS)', field);
  }
  const hostname = url.hostname.replace(/^\[|\]$/g, '');
  let address: string;
  let family: 4 | 6;
  const literal = isIP(hostname);
  if (literal === 4 || literal === 6) {
    address = hostname;
    family = literal;
  } else {
    try {
      const found = await lookup(hostname);
      address = found.address;
      family = found.family === 6 ? 6 : 4;
    } catch {
      throw badRequest(`${url.hostname} does not resolve`, field);
    }
  }
  if (!listed && isPrivate(address, family)) {
    throw badRequest(
      `${url.hostname} is a private or loopback address (allowed only when listed in INTEGRATION_ALLOWED_HOSTS)`,
      field,
    );
  }
  return { url, address, family };
}
