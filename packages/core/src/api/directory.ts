import { type Static, Type } from 'typebox';
import { Instant, ListQuery, Nullable, Page, Uuid } from './common.js';
import { RoleSchema } from './enums.js';

const Text = (min: number, max: number) => Type.String({ minLength: min, maxLength: max });

export const LocationCreate = Type.Object({
  name: Text(1, 200),
  line1: Type.Optional(Nullable(Text(0, 200))),
  city: Type.Optional(Nullable(Text(0, 100))),
  state: Type.Optional(Nullable(Text(0, 50))),
  postalCode: Type.Optional(Nullable(Text(0, 20))),
  phone: Type.Optional(Nullable(Text(0, 40))),
  timeZone: Type.Optional(Text(1, 64)),
  active: Type.Optional(Type.Boolean()),
});
export const LocationUpdate = Type.Partial(LocationCreate);
export const Location = Type.Object({
  id: Uuid,
  name: Type.String(),
  line1: Nullable(Type.String()),
  city: Nullable(Type.String()),
  state: Nullable(Type.String()),
  postalCode: Nullable(Type.String()),
  phone: Nullable(Type.String()),
  timeZone: Type.String(),
  active: Type.Boolean(),
});

export const PractitionerCreate = Type.Object({
  givenName: Text(1, 100),
  familyName: Text(1, 100),
  prefix: Type.Optional(Nullable(Text(0, 20))),
  npi: Type.Optional(Nullable(Type.String({ pattern: '^[0-9]{10}$' }))),
  specialty: Type.Optional(Nullable(Text(0, 100))),
  email: Type.Optional(Nullable(Text(0, 254))),
  phone: Type.Optional(Nullable(Text(0, 40))),
  locationId: Type.Optional(Nullable(Uuid)),
  active: Type.Optional(Type.Boolean()),
});
export const PractitionerUpdate = Type.Partial(PractitionerCreate);
export const Practitioner = Type.Object({
  id: Uuid,
  givenName: Type.String(),
  familyName: Type.String(),
  prefix: Nullable(Type.String()),
  displayName: Type.String(),
  npi: Nullable(Type.String()),
  specialty: Nullable(Type.String()),
  email: Nullable(Type.String()),
  phone: Nullable(Type.String()),
  locationId: Nullable(Uuid),
  active: Type.Boolean(),
});

export const ServiceCreate = Type.Object({
  code: Type.String({ minLength: 1, maxLength: 40, pattern: '^[a-z0-9-]+$' }),
  name: Text(1, 200),
  description: Type.Optional(Nullable(Text(0, 2000))),
  defaultDurationMinutes: Type.Optional(Type.Integer({ minimum: 5, maximum: 480 })),
  active: Type.Optional(Type.Boolean()),
});
export const ServiceUpdate = Type.Partial(ServiceCreate);
export const Service = Type.Object({
  id: Uuid,
  code: Type.String(),
  name: Type.String(),
  description: Nullable(Type.String()),
  defaultDurationMinutes: Type.Integer(),
  active: Type.Boolean(),
});

export const DirectoryListQuery = Type.Object({
  q: Type.Optional(Type.String({ maxLength: 200 })),
  active: Type.Optional(Type.Boolean()),
  ...ListQuery,
});

export const UserCreate = Type.Object({
  email: Text(3, 254),
  displayName: Text(1, 200),
  role: RoleSchema,
  password: Type.Optional(Type.String({ minLength: 12, maxLength: 1024 })),
  patientId: Type.Optional(Nullable(Uuid)),
  practitionerId: Type.Optional(Nullable(Uuid)),
});
export const UserUpdate = Type.Partial(
  Type.Object({
    displayName: Text(1, 200),
    role: RoleSchema,
    disabled: Type.Boolean(),
    password: Type.String({ minLength: 12, maxLength: 1024 }),
    /** Admins only: receives a review task for each break-glass access (ADR 0012). */
    privacyOfficer: Type.Boolean(),
  }),
);
export const User = Type.Object({
  id: Uuid,
  email: Type.String(),
  displayName: Type.String(),
  role: RoleSchema,
  patientId: Nullable(Uuid),
  practitionerId: Nullable(Uuid),
  disabled: Type.Boolean(),
  privacyOfficer: Type.Boolean(),
  createdAt: Instant,
  lastLoginAt: Nullable(Instant),
  /** When the owner confirmed the email; null for a portal sign-up that has not yet. */
  emailVerifiedAt: Nullable(Instant),
});
/** Returned once on creation when the server generated the password. */
export const UserCreated = Type.Object({ user: User, generatedPassword: Nullable(Type.String()) });

export const LocationPage = Page(Location);
export const PractitionerPage = Page(Practitioner);
export const ServicePage = Page(Service);
export const UserPage = Page(User);

export type LocationCreate = Static<typeof LocationCreate>;
export type Location = Static<typeof Location>;
export type PractitionerCreate = Static<typeof PractitionerCreate>;
export type Practitioner = Static<typeof Practitioner>;
export type ServiceCreate = Static<typeof ServiceCreate>;
export type Service = Static<typeof Service>;
export type UserCreate = Static<typeof UserCreate>;
export type UserUpdate = Static<typeof UserUpdate>;
export type User = Static<typeof User>;
export type UserCreated = Static<typeof UserCreated>;
export type DirectoryListQuery = Static<typeof DirectoryListQuery>;

/** Organization settings the console's registration reads (admins change them). */
export const OrganizationSettings = Type.Object({
  mrnFormat: Type.String({
    description:
      'MRNs of patients registered in the console: text around {seq} or {seq:N} (zero-padded to N digits), e.g. CL-{seq:6}',
  }),
  defaultLocationId: Nullable(Uuid),
  /** Listed by name on the portal's public sign-up page. */
  portalSignUpListed: Type.Boolean(),
  // Issue 12 (KPIs): small-cell suppression of aggregates.
  /** Aggregate counts under this are withheld from roles without clinical access (docs/kpis.md). */
  aggregateSuppressionThreshold: Type.Integer({ minimum: 1, maximum: 1000 }),
});
export const OrganizationSettingsUpdate = Type.Object({
  mrnFormat: Type.Optional(Type.String({ minLength: 1, maxLength: 40 })),
  defaultLocationId: Type.Optional(Nullable(Uuid)),
  portalSignUpListed: Type.Optional(Type.Boolean()),
  // Issue 12 (KPIs): small-cell suppression of aggregates.
  aggregateSuppressionThreshold: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
});

/**
 * The organizations a patient may choose on the portal's sign-up page: those an admin listed,
 * by id and name only (what the sign-up link already shows), nothing else about them.
 */
export const PortalOrganizations = Type.Object({
  items: Type.Array(Type.Object({ id: Uuid, name: Type.String() }), { maxItems: 200 }),
});
export type PortalOrganizations = Static<typeof PortalOrganizations>;
export type OrganizationSettings = Static<typeof OrganizationSettings>;
export type OrganizationSettingsUpdate = Static<typeof OrganizationSettingsUpdate>;
