import { CareloopError } from '@careloop/core';
import type { FastifyRequest } from 'fastify';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** CARELOOP_ALLOWED_ORIGINS: comma-separated origins (`https://crm.example.org`), each exact. */
export function parseAllowedOrigins(value: string | undefined): string[] {
  const entries = (value ?? '')
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
  return entries.map((entry) => {
    const origin = originOf(entry);
    if (origin === null || origin !== entry.replace(/\/$/, '').toLowerCase()) {
      throw new Error(
        `CARELOOP_ALLOWED_ORIGINS must list origins like https://crm.example.org (scheme, host, optional port; no path), got "${entry}"`,
      );
    }
    return origin;
  });
}

/** The origin (`scheme://host[:port]`, default port dropped) of a URL, or null. */
function originOf(url: string): string | null {
  try {
    const parsed = new URL(url);
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return null;
    return parsed.origin;
  } catch {
    return null;
  }
}

/** Where a browser says the request comes from: `Origin`, else the origin of `Referer`. */
function claimedOrigin(
  request: FastifyRequest,
): { header: 'origin' | 'referer'; value: string } | null {
  const origin = request.headers.origin;
  if (typeof origin === 'string' && origin !== '') return { header: 'origin', value: origin };
  const referer = request.headers.referer;
  if (typeof referer === 'string' && referer !== '') return { header: 'referer', value: referer };
  return null;
}

/** The app's own origin as the browser sees it: scheme and host, through a trusted proxy. */
function ownOrigin(request: FastifyRequest): string | null {
  return request.host === '' ? null : originOf(`${request.protocol}://${request.host}`);
}

/**
 * Sign-in and every state-changing request (POST, PUT, PATCH, DELETE) must come from the app's
 * own origin or one of `allowed`: a browser names the page that sent a request in `Origin` (or,
 * failing that, `Referer`), and a page of another site is refused with 403 before anything
 * else is read, which closes login CSRF (a forged sign-in into the attacker's account) and
 * backs the CSRF token. A request naming neither comes from no browser page (browsers send
 * `Origin` on every cross-origin request that can change state), so it goes on to the usual
 * checks: the session and its CSRF token. Returns the refusal, or null to go on; the request
 * hook (security.ts) calls it after the headers and before the session.
 */
export function originRefusal(
  request: FastifyRequest,
  allowed: ReadonlySet<string>,
): CareloopError | null {
  if (SAFE_METHODS.has(request.method)) return null;
  const claimed = claimedOrigin(request);
  if (!claimed) return null;
  const origin = originOf(claimed.value);
  if (origin !== null && (origin === ownOrigin(request) || allowed.has(origin))) return null;
  return new CareloopError(
    'csrf_failed',
    origin === null
      ? `The request's ${claimed.header === 'origin' ? 'Origin' : 'Referer'} does not name a web origin; requests from other sites are refused`
      : `Requests from ${origin} are refused: sign in and change data only from this site`,
    `/headers/${claimed.header}`,
  );
}
