/**
 * The rules a SMART Backend Services client assertion (a `private_key_jwt`) must meet once its
 * signature is verified: who it is from, who it is for, and for how long. Pure; the token
 * endpoint verifies the signature with the client's JWKS first.
 */

/** The longest an assertion or an access token may live (SMART: no more than five minutes). */
export const MAX_ASSERTION_SECONDS = 300;
export const ACCESS_TOKEN_SECONDS = 300;

/** SMART Backend Services' signing algorithms. */
export const ASSERTION_ALGORITHMS = ['RS384', 'ES384'] as const;

export const CLIENT_ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

export interface AssertionClaims {
  iss?: unknown;
  sub?: unknown;
  aud?: unknown;
  exp?: unknown;
  jti?: unknown;
}

/** Why a verified assertion is refused, or null when its claims are right. */
export function assertionRefusal(
  claims: AssertionClaims,
  expected: { clientId: string; tokenUrl: string; now: Date },
): string | null {
  if (claims.iss !== expected.clientId || claims.sub !== expected.clientId) {
    return 'iss and sub must both be the client_id';
  }
  const aud = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
  if (!aud.includes(expected.tokenUrl)) return `aud must be ${expected.tokenUrl}`;
  if (typeof claims.exp !== 'number' || !Number.isFinite(claims.exp)) return 'exp is required';
  const nowSeconds = expected.now.getTime() / 1000;
  if (claims.exp <= nowSeconds) return 'the assertion has expired';
  if (claims.exp > nowSeconds + MAX_ASSERTION_SECONDS) {
    return `exp must be at most ${MAX_ASSERTION_SECONDS} seconds ahead`;
  }
  if (typeof claims.jti !== 'string' || claims.jti.length === 0 || claims.jti.length > 200) {
    return 'jti is required (at most 200 characters)';
  }
  return null;
}
