import type { FastifyReply } from 'fastify';

/**
 * The Content-Security-Policy: the web app and the API docs load only their own scripts
 * (Mantine and Swagger UI write inline styles, so styles may be inline), no site may frame
 * them. In helmet's order and spelling, so the header is the one ADR 0008 describes.
 */
const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "base-uri 'self'",
  "connect-src 'self'",
  "font-src 'self' data:",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "img-src 'self' data:",
  "object-src 'none'",
  "script-src 'self'",
  "script-src-attr 'none'",
  "style-src 'self' 'unsafe-inline'",
].join(';');

/**
 * The browser-facing headers of every response, byte for byte what `@fastify/helmet` 13
 * (helmet 8) sent with the options of ADR 0008 (`headers.test.ts` compares them): the CSP, no
 * framing, no MIME sniffing, no Referer to other sites (URLs name patients; not `no-referrer`,
 * with which a browser sends `Origin: null` on the app's own POSTs and the Origin check refuses
 * them) and helmet's other defaults. Built once: helmet rebuilt its middleware, CSP text
 * included, on every request, a quarter of the CPU of `GET /api/health` (bench/README.md).
 */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'content-security-policy': CONTENT_SECURITY_POLICY,
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  'origin-agent-cluster': '?1',
  'referrer-policy': 'same-origin',
  'strict-transport-security': 'max-age=31536000; includeSubDomains',
  'x-content-type-options': 'nosniff',
  'x-dns-prefetch-control': 'off',
  'x-download-options': 'noopen',
  'x-frame-options': 'DENY',
  'x-permitted-cross-domain-policies': 'none',
  'x-xss-protection': '0',
});

/** The API's and FHIR's responses may carry PHI: never stored by a browser or a shared cache. */
const PHI_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  ...SECURITY_HEADERS,
  'cache-control': 'no-store',
});

/** `/api` or `/fhir`, alone or followed by `/` or `?` (not `/apiary`). */
export function isPhiPath(url: string): boolean {
  const prefix = url.startsWith('/api') ? 4 : url.startsWith('/fhir') ? 5 : 0;
  if (prefix === 0) return false;
  const next = url.charCodeAt(prefix);
  // NaN at the end of the string; 0x2f is `/`, 0x3f is `?`.
  return Number.isNaN(next) || next === 0x2f || next === 0x3f;
}

/**
 * Puts the security headers (and `Cache-Control: no-store` on `/api` and `/fhir`) on the reply;
 * the first thing every request's hook does, so errors and refusals carry them too.
 */
export function applySecurityHeaders(url: string, reply: FastifyReply): void {
  void reply.headers(isPhiPath(url) ? PHI_HEADERS : SECURITY_HEADERS);
}
