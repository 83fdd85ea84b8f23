import {
  badRequest,
  conflict,
  type DirectoryListQuery,
  type Location,
  type LocationCreate,
  normalizeEmail,
  notFound,
  type OrganizationSettings,
  type OrganizationSettingsUpdate,
  type PortalOrganizations,
  type Practitioner,
  type PractitionerCreate,
  parseMrnFormat,
  type Service,
  type ServiceCreate,
  unknownReference,
} from '@careloop/core';
import { and, asc, eq, ilike, or, type SQL, sql } from 'drizzle-orm';
import { insertStatements, updateStatements } from '../../db/bulk-sql.js';
import type { Database, Db } from '../../db/client.js';
import { violatedUniqueConstraint } from '../../db/errors.js';
import { decodeKeyset, escapeLike, pageOf } from '../../db/keyset.js';
import type { AuditActor, AuditLog } from '../audit/service.js';
import { ensureTemplates, READY_TEMPLATES } from '../templates/service.js';
import { locations, organizations, practitioners, serviceLines } from './schema.js';

/** The most organizations the portal's sign-up page lists. */
const PORTAL_ORGANIZATIONS_LISTED = 200;

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export interface Organization {
  id: string;
  name: string;
  timeZone: string;
}

/** Whether `zone` is an IANA time zone this runtime knows. */
export function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

const emptyToNull = (value: string | null | undefined) =>
  value === undefined ? undefined : value?.trim() || null;

function checkedTimeZone(zone: string | undefined): string | undefined {
  if (zone !== undefined && !isTimeZone(zone)) {
    throw badRequest(`${zone} is not a known time zone`, '/body/timeZone');
  }
  return zone;
}

function checkedEmail(email: string | null | undefined): string | null | undefined {
  const value = emptyToNull(email);
  if (!value) return value;
  const normalized = normalizeEmail(value);
  if (!normalized) throw badRequest('Enter a valid email address', '/body/email');
  return normalized;
}

type LocationRow = typeof locations.$inferSelect;
type PractitionerRow = typeof practitioners.$inferSelect;
type ServiceRow = typeof serviceLines.$inferSelect;

const toLocation = (r: LocationRow): Location => ({
  id: r.id,
  name: r.name,
  line1: r.line1,
  city: r.city,
  state: r.state,
  postalCode: r.postalCode,
  phone: r.phone,
  timeZone: r.timeZone,
  active: r.active,
});

const toPractitioner = (r: PractitionerRow): Practitioner => ({
  id: r.id,
  givenName: r.givenName,
  familyName: r.familyName,
  prefix: r.prefix,
  displayName: [r.prefix, r.givenName, r.familyName].filter(Boolean).join(' '),
  npi: r.npi,
  specialty: r.specialty,
  email: r.email,
  phone: r.phone,
  locationId: r.locationId,
  active: r.active,
});

const toService = (r: ServiceRow): Service => ({
  id: r.id,
  code: r.code,
  name: r.name,
  description: r.description,
  defaultDurationMinutes: r.defaultDurationMinutes,
  active: r.active,
});

/** Drops keys whose value is undefined, so an empty PATCH is recognisable. */
function definedOnly<T extends object>(values: T): Partial<T> {
  return Object.fromEntries(
    Object.entries(values).filter(([, v]) => v !== undefined),
  ) as Partial<T>;
}

/**
 * The organization's directory: locations, practitioners and service lines. Every method runs
 * under row-level security for `orgId`, so another organization's rows are simply not found.
 */
export class DirectoryService {
  constructor(
    readonly database: Database,
    private readonly audit: AuditLog,
  ) {}

  /**
   * The organizations listed on the portal's public sign-up page, by name (at most 200). Read
   * as the owning role: an anonymous visitor has no organization for row-level security.
   */
  async portalOrganizations(): Promise<PortalOrganizations> {
    const items = await this.database.system((tx) =>
      tx
        .select({ id: organizations.id, name: organizations.name })
        .from(organizations)
        .where(eq(organizations.portalSignUpListed, true))
        .orderBy(asc(organizations.name))
        .limit(PORTAL_ORGANIZATIONS_LISTED),
    );
    return { items };
  }

  /** The MRN format and default location that registration in the console reads. */
  settings(orgId: string): Promise<OrganizationSettings> {
    return this.database.withTenant(orgId, async (tx) => {
      const [row] = await tx
        .select({
          mrnFormat: organizations.mrnFormat,
          defaultLocationId: organizations.defaultLocationId,
          portalSignUpListed: organizations.portalSignUpListed,
          // Issue 12 (KPIs).
          aggregateSuppressionThreshold: organizations.aggregateSuppressionThreshold,
        })
        .from(organizations)
        .where(eq(organizations.id, orgId));
      if (!row) throw notFound('Organization');
      return row;
    });
  }

  /**
   * Changes the settings. A new MRN format applies to the next registration and the sequence
   * goes on where it was, so no number is given twice; the default location must be one of
   * the organization's (422 naming the field otherwise).
   */
  async updateSettings(
    actor: AuditActor,
    input: OrganizationSettingsUpdate,
  ): Promise<OrganizationSettings> {
    const orgId = actor.orgId;
    if (input.mrnFormat !== undefined && !parseMrnFormat(input.mrnFormat)) {
      throw badRequest(
        'Use letters, digits and - . _ / around one {seq} or {seq:N} (N from 1 to 12), e.g. CL-{seq:6}',
        '/body/mrnFormat',
      );
    }
    const changes = definedOnly({
      mrnFormat: input.mrnFormat,
      defaultLocationId: input.defaultLocationId,
      portalSignUpListed: input.portalSignUpListed,
      // Issue 12 (KPIs).
      aggregateSuppressionThreshold: input.aggregateSuppressionThreshold,
    });
    const changed = Object.keys(changes);
    if (changed.length > 0) {
      // Who changed how the next patients are numbered and placed, and to what: no PHI in it.
      const reason = Object.entries(changes)
        .map(([field, value]) => `${field}: ${String(value)}`)
        .join('; ');
      await this.database.withTenant(orgId, async (tx) => {
        await tx.update(organizations).set(changes).where(eq(organizations.id, orgId));
        await this.audit.inTransaction(tx, actor, {
          action: 'update',
          recordType: 'organization-settings',
          recordId: orgId,
          reason,
        });
      });
    }
    return this.settings(orgId);
  }

  listLocations(orgId: string, query: DirectoryListQuery): Promise<Page<Location>> {
    const limit = query.limit ?? 25;
    const after = query.cursor ? decodeKeyset(query.cursor, ['text', 'uuid']) : null;
    const q = query.q?.trim();
    return this.database.withTenant(orgId, async (tx) => {
      const rows = await tx
        .select()
        .from(locations)
        .where(
          and(
            q ? ilike(locations.name, `%${escapeLike(q)}%`) : undefined,
            query.active === undefined ? undefined : eq(locations.active, query.active),
            after
              ? sql`(${locations.name}, ${locations.id}) > (${after[0]}, ${after[1]}::uuid)`
              : undefined,
          ),
        )
        .orderBy(asc(locations.name), asc(locations.id))
        .limit(limit + 1);
      return pageOf(rows, limit, (r) => [r.name, r.id], toLocation);
    });
  }

  createLocation(orgId: string, input: LocationCreate): Promise<Location> {
    const values = {
      orgId,
      name: input.name.trim(),
      line1: emptyToNull(input.line1) ?? null,
      city: emptyToNull(input.city) ?? null,
      state: emptyToNull(input.state) ?? null,
      postalCode: emptyToNull(input.postalCode) ?? null,
      phone: emptyToNull(input.phone) ?? null,
      timeZone: checkedTimeZone(input.timeZone),
      active: input.active,
    };
    if (!values.name) throw badRequest('Name is required', '/body/name');
    return this.database.withTenant(orgId, async (tx) => {
      const [row] = await tx.insert(locations).values(values).returning();
      if (!row) throw new Error('location insert returned no row');
      return toLocation(row);
    });
  }

  updateLocation(orgId: string, id: string, input: Partial<LocationCreate>): Promise<Location> {
    const changes = definedOnly({
      name: input.name?.trim(),
      line1: emptyToNull(input.line1),
      city: emptyToNull(input.city),
      state: emptyToNull(input.state),
      postalCode: emptyToNull(input.postalCode),
      phone: emptyToNull(input.phone),
      timeZone: checkedTimeZone(input.timeZone),
      active: input.active,
    });
    if (changes.name === '') throw badRequest('Name is required', '/body/name');
    return this.database.withTenant(orgId, async (tx) => {
      const [row] =
        Object.keys(changes).length === 0
          ? await tx.select().from(locations).where(eq(locations.id, id))
          : await tx.update(locations).set(changes).where(eq(locations.id, id)).returning();
      if (!row) throw notFound('Location');
      return toLocation(row);
    });
  }

  listPractitioners(orgId: string, query: DirectoryListQuery): Promise<Page<Practitioner>> {
    const limit = query.limit ?? 25;
    const after = query.cursor ? decodeKeyset(query.cursor, ['text', 'text', 'uuid']) : null;
    const q = query.q?.trim();
    const p = practitioners;
    const fullName = sql`${p.givenName} || ' ' || ${p.familyName}`;
    return this.database.withTenant(orgId, async (tx) => {
      const rows = await tx
        .select()
        .from(p)
        .where(
          and(
            q
              ? or(ilike(fullName, `%${escapeLike(q)}%`), ilike(p.familyName, `%${escapeLike(q)}%`))
              : undefined,
            query.active === undefined ? undefined : eq(p.active, query.active),
            after
              ? sql`(${p.familyName}, ${p.givenName}, ${p.id}) > (${after[0]}, ${after[1]}, ${after[2]}::uuid)`
              : undefined,
          ),
        )
        .orderBy(asc(p.familyName), asc(p.givenName), asc(p.id))
        .limit(limit + 1);
      return pageOf(rows, limit, (r) => [r.familyName, r.givenName, r.id], toPractitioner);
    });
  }

  createPractitioner(orgId: string, input: PractitionerCreate): Promise<Practitioner> {
    const values = {
      orgId,
      givenName: input.givenName.trim(),
      familyName: input.familyName.trim(),
      prefix: emptyToNull(input.prefix) ?? null,
      npi: input.npi ?? null,
      specialty: emptyToNull(input.specialty) ?? null,
      email: checkedEmail(input.email) ?? null,
      phone: emptyToNull(input.phone) ?? null,
      locationId: input.locationId ?? null,
      active: input.active,
    };
    if (!values.givenName) throw badRequest('Given name is required', '/body/givenName');
    if (!values.familyName) throw badRequest('Family name is required', '/body/familyName');
    return this.database.withTenant(orgId, async (tx) => {
      await assertLocation(tx, values.locationId);
      const [row] = await tx.insert(practitioners).values(values).returning();
      if (!row) throw new Error('practitioner insert returned no row');
      return toPractitioner(row);
    });
  }

  updatePractitioner(
    orgId: string,
    id: string,
    input: Partial<PractitionerCreate>,
  ): Promise<Practitioner> {
    const changes = definedOnly({
      givenName: input.givenName?.trim(),
      familyName: input.familyName?.trim(),
      prefix: emptyToNull(input.prefix),
      npi: input.npi,
      specialty: emptyToNull(input.specialty),
      email: checkedEmail(input.email),
      phone: emptyToNull(input.phone),
      locationId: input.locationId,
      active: input.active,
    });
    if (changes.givenName === '') throw badRequest('Given name is required', '/body/givenName');
    if (changes.familyName === '') throw badRequest('Family name is required', '/body/familyName');
    return this.database.withTenant(orgId, async (tx) => {
      await assertLocation(tx, changes.locationId);
      const [row] =
        Object.keys(changes).length === 0
          ? await tx.select().from(practitioners).where(eq(practitioners.id, id))
          : await tx.update(practitioners).set(changes).where(eq(practitioners.id, id)).returning();
      if (!row) throw notFound('Practitioner');
      return toPractitioner(row);
    });
  }

  listServices(orgId: string, query: DirectoryListQuery): Promise<Page<Service>> {
    const limit = query.limit ?? 25;
    const after = query.cursor ? decodeKeyset(query.cursor, ['text', 'uuid']) : null;
    const q = query.q?.trim();
    const s = serviceLines;
    return this.database.withTenant(orgId, async (tx) => {
      const rows = await tx
        .select()
        .from(s)
        .where(
          and(
            q ? ilike(s.name, `%${escapeLike(q)}%`) : undefined,
            query.active === undefined ? undefined : eq(s.active, query.active),
            after ? sql`(${s.name}, ${s.id}) > (${after[0]}, ${after[1]}::uuid)` : undefined,
          ),
        )
        .orderBy(asc(s.name), asc(s.id))
        .limit(limit + 1);
      return pageOf(rows, limit, (r) => [r.name, r.id], toService);
    });
  }

  createService(orgId: string, input: ServiceCreate): Promise<Service> {
    const values = {
      orgId,
      code: input.code,
      name: input.name.trim(),
      description: emptyToNull(input.description) ?? null,
      defaultDurationMinutes: input.defaultDurationMinutes,
      active: input.active,
    };
    if (!values.name) throw badRequest('Name is required', '/body/name');
    return this.database.withTenant(orgId, (tx) =>
      uniqueCode(async () => {
        const [row] = await tx.insert(serviceLines).values(values).returning();
        if (!row) throw new Error('service line insert returned no row');
        return toService(row);
      }),
    );
  }

  updateService(orgId: string, id: string, input: Partial<ServiceCreate>): Promise<Service> {
    const changes = definedOnly({
      code: input.code,
      name: input.name?.trim(),
      description: emptyToNull(input.description),
      defaultDurationMinutes: input.defaultDurationMinutes,
      active: input.active,
    });
    if (changes.name === '') throw badRequest('Name is required', '/body/name');
    return this.database.withTenant(orgId, (tx) =>
      uniqueCode(async () => {
        const [row] =
          Object.keys(changes).length === 0
            ? await tx.select().from(serviceLines).where(eq(serviceLines.id, id))
            : await tx.update(serviceLines).set(changes).where(eq(serviceLines.id, id)).returning();
        if (!row) throw notFound('Service');
        return toService(row);
      }),
    );
  }

  /** The organization named exactly `name`, across tenants (CLI only). */
  async findOrganizationByName(name: string): Promise<Organization | null> {
    const [row] = await this.database.system((tx) =>
      tx
        .select({
          id: organizations.id,
          name: organizations.name,
          timeZone: organizations.timeZone,
        })
        .from(organizations)
        .where(eq(organizations.name, name.trim()))
        .limit(1),
    );
    return row ?? null;
  }

  /**
   * Creates a tenant, with Careloop's ready message templates (issue 11, h11t): its journeys,
   * waitlist and reschedule offers send their real texts from the start, never generic ones.
   * Runs as the owning role: the application's role may not insert organizations, so no
   * request can create one.
   */
  async createOrganization(name: string, timeZone?: string): Promise<Organization> {
    const trimmed = name.trim();
    if (!trimmed) throw badRequest('The organization needs a name', '/name');
    if (timeZone !== undefined && !isTimeZone(timeZone)) {
      throw badRequest(`${timeZone} is not a known time zone`, '/timeZone');
    }
    try {
      const row = await this.database.system(async (tx) => {
        const [created] = await tx
          .insert(organizations)
          .values({ name: trimmed, timeZone })
          .returning({
            id: organizations.id,
            name: organizations.name,
            timeZone: organizations.timeZone,
            createdAt: organizations.createdAt,
          });
        if (!created) throw new Error('organization insert returned no row');
        await ensureTemplates(tx, created.id, READY_TEMPLATES, created.createdAt);
        return created;
      });
      return { id: row.id, name: row.name, timeZone: row.timeZone };
    } catch (error) {
      if (violatedUniqueConstraint(error) !== null) {
        throw conflict(`An organization named ${trimmed} already exists`, '/name');
      }
      throw error;
    }
  }
}

/** A practitioner's location must be one of the organization's own (RLS hides the others). */
async function assertLocation(tx: Db, locationId: string | null | undefined): Promise<void> {
  if (!locationId) return;
  const [found] = await tx
    .select({ id: locations.id })
    .from(locations)
    .where(eq(locations.id, locationId));
  if (!found) throw unknownReference('locationId', 'location');
}

async function uniqueCode<T>(write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (error) {
    if (violatedUniqueConstraint(error) === 'service_lines_org_code_key') {
      throw conflict('Another service already uses this code', '/body/code');
    }
    throw error;
  }
}

// ---- Writes for the importers (FHIR Location, Practitioner, HealthcareService) --------------

/** The directory's tables an importer writes, by the key it names them with. */
export const IMPORTED_DIRECTORY = { locations, practitioners, serviceLines } as const;
export type ImportedDirectoryTable = keyof typeof IMPORTED_DIRECTORY;
type DirectoryRow<K extends ImportedDirectoryTable> =
  (typeof IMPORTED_DIRECTORY)[K]['$inferInsert'];

/** New locations, practitioners or services another system sent, as a batch's statements. */
export function importedDirectoryInsertStatements<K extends ImportedDirectoryTable>(
  table: K,
  rows: DirectoryRow<K>[],
): SQL[] {
  return insertStatements(IMPORTED_DIRECTORY[table], rows);
}

/** Changes another system sent to records it sent before, as a batch's statements. */
export function importedDirectoryUpdateStatements<K extends ImportedDirectoryTable>(
  table: K,
  rows: (Partial<DirectoryRow<K>> & { id: string })[],
): SQL[] {
  return updateStatements(IMPORTED_DIRECTORY[table], rows);
}

/**
 * Sets whether all of an organization's staff need a second factor, in the caller's
 * transaction (the auth module's policy change, which ends sessions and audits with it).
 */
export async function setMfaRequired(tx: Db, orgId: string, mfaRequired: boolean): Promise<void> {
  await tx.update(organizations).set({ mfaRequired }).where(eq(organizations.id, orgId));
}
