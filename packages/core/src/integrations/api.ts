import { type Static, Type } from 'typebox';
import { Instant, Nullable, Uuid } from '../api/common.js';

/** The staff roles whose field-level access (FIELD_POLICY) a client's reads follow. */
export const CLIENT_ROLES = [
  'front-desk',
  'care-coordinator',
  'clinician',
  'marketer',
  'analyst',
] as const;
export type ClientRole = (typeof CLIENT_ROLES)[number];

/** A JSON Web Key Set as registered: public keys only (a private member is refused). */
export const Jwks = Type.Object(
  {
    keys: Type.Array(Type.Record(Type.String(), Type.Unknown()), { minItems: 1, maxItems: 20 }),
  },
  { description: "The client's public keys (RFC 7517)" },
);

export const ApiClient = Type.Object({
  id: Uuid,
  /** The `client_id` of the client's assertions. */
  clientId: Type.String(),
  name: Type.String(),
  jwksUrl: Nullable(Type.String()),
  /** Whether the client registered its keys inline rather than by URL. */
  inlineJwks: Type.Boolean(),
  scopes: Type.Array(Type.String()),
  role: Type.Enum(CLIENT_ROLES),
  createdAt: Instant,
  revokedAt: Nullable(Instant),
  lastTokenAt: Nullable(Instant),
});
export type ApiClient = Static<typeof ApiClient>;

export const ApiClientCreate = Type.Object({
  name: Type.String({ minLength: 1, maxLength: 120 }),
  jwksUrl: Type.Optional(Type.String({ minLength: 1, maxLength: 2000 })),
  jwks: Type.Optional(Jwks),
  scopes: Type.Array(Type.String({ minLength: 1, maxLength: 100 }), { minItems: 1, maxItems: 20 }),
  role: Type.Optional(Type.Enum(CLIENT_ROLES)),
});
export type ApiClientCreate = Static<typeof ApiClientCreate>;

export const ApiClientList = Type.Object({ items: Type.Array(ApiClient) });
