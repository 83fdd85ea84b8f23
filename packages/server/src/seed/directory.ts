import { normalizePhone } from '@careloop/core';
import { and, eq, inArray } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { users } from '../modules/auth/schema.js';
import {
  locations,
  organizations,
  practitioners,
  serviceLines,
} from '../modules/directory/schema.js';
import { DAY_MS, ZonedClock } from './calendar.js';
import { hash32, Random } from './random.js';
import { SERVICES, type ServiceCode, type ServiceProfile } from './reference/clinical.js';
import { CLINICS, type ClinicProfile } from './reference/places.js';
import { CLINICIANS, type ClinicianProfile, DEMO_LOGINS } from './reference/staff.js';

export interface SeedClinic {
  id: string;
  index: number;
  name: string;
  profile: ClinicProfile;
  clock: ZonedClock;
}

export interface SeedClinician {
  id: string;
  profile: ClinicianProfile;
  /** "Dr. Maya Chen", "Emily Walsh, NP": how a reminder names them. */
  displayName: string;
}

export interface SeedService {
  id: string;
  profile: ServiceProfile;
}

/** An organization's clinics, clinicians and services, as the generator needs them. */
export interface SeedDirectory {
  orgId: string;
  orgName: string;
  clinics: SeedClinic[];
  clinicians: SeedClinician[];
  services: Map<ServiceCode, SeedService>;
}

const displayName = (c: ClinicianProfile) =>
  c.prefix
    ? `${c.prefix} ${c.givenName} ${c.familyName}`
    : `${c.givenName} ${c.familyName}${c.credential ? `, ${c.credential}` : ''}`;

/** Luhn check digit over the "80840" card-issuer prefix, as NPIs define it. */
export function npiCheckDigit(base9: string): number {
  const digits = `80840${base9}`;
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    // Double every second digit from the right, counting the check digit as the rightmost.
    let d = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 0) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return (10 - (sum % 10)) % 10;
}

function e164(display: string): string {
  const phone = normalizePhone(display);
  if (!phone) throw new Error(`not a phone number: ${display}`);
  return phone.e164;
}

type DirectoryRows = {
  locations: (typeof locations.$inferInsert)[];
  practitioners: (typeof practitioners.$inferInsert)[];
  serviceLines: (typeof serviceLines.$inferInsert)[];
};

/**
 * An organization's directory as rows: three clinics, 25 clinicians, eight service lines. Ids
 * derive from the organization's name, so planning it again gives the same rows.
 */
export function planDirectory(
  orgName: string,
  existingOrgId: string | null,
  createdDay: number,
): { directory: SeedDirectory; rows: DirectoryRows } {
  const rng = new Random(`directory:${orgName}`);
  const tag = hash32(`directory:${orgName}`) & 0xffff;
  const createdAt = new Date(createdDay * DAY_MS + 14 * 3_600_000);
  const derivedOrgId = rng.uuid(tag, 0);
  const orgId = existingOrgId ?? derivedOrgId;
  const clinics: SeedClinic[] = CLINICS.map((profile, index) => ({
    id: rng.uuid(tag, 1),
    index,
    name: `${orgName} ${profile.site}`,
    profile,
    clock: new ZonedClock(profile.timeZone),
  }));
  const clinicians: SeedClinician[] = CLINICIANS.map((profile) => ({
    id: rng.uuid(tag, 2),
    profile,
    displayName: displayName(profile),
  }));
  const services = new Map<ServiceCode, SeedService>(
    SERVICES.map((profile) => [profile.code, { id: rng.uuid(tag, 3), profile }]),
  );
  const rows: DirectoryRows = {
    locations: clinics.map((c) => ({
      id: c.id,
      orgId,
      name: c.name,
      line1: c.profile.line1,
      city: c.profile.city,
      state: c.profile.state,
      postalCode: c.profile.postalCode,
      phone: e164(c.profile.phone),
      timeZone: c.profile.timeZone,
      createdAt,
    })),
    practitioners: clinicians.map((c, i) => {
      const base9 = `1${rng.digits(8)}`;
      const clinic = clinics[c.profile.clinic];
      return {
        id: c.id,
        orgId,
        givenName: c.profile.givenName,
        familyName: c.profile.familyName,
        prefix: c.profile.prefix,
        npi: `${base9}${npiCheckDigit(base9)}`,
        specialty: c.profile.specialty,
        email: `${c.profile.givenName}.${c.profile.familyName}`
          .toLowerCase()
          .replace(/[^a-z.]/g, '')
          .concat('@demo.careloop.test'),
        phone: e164(`(${clinic?.profile.areaCodes[0] ?? '617'}) 555-01${String(10 + i)}`),
        locationId: clinic?.id ?? null,
        createdAt,
      };
    }),
    serviceLines: [...services.values()].map((s) => ({
      id: s.id,
      orgId,
      code: s.profile.code,
      name: s.profile.name,
      description: s.profile.description,
      defaultDurationMinutes: s.profile.minutes,
      createdAt,
    })),
  };
  return { directory: { orgId, orgName, clinics, clinicians, services }, rows };
}

/**
 * Creates the organization when missing and its directory (see `planDirectory`); running it
 * again changes nothing.
 */
export async function ensureDirectory(
  tx: Db,
  orgName: string,
  createdDay: number,
): Promise<{ directory: SeedDirectory; created: boolean }> {
  const [existing] = await tx
    .select({ id: organizations.id })
    .from(organizations)
    .where(eq(organizations.name, orgName));
  const { directory, rows } = planDirectory(orgName, existing?.id ?? null, createdDay);
  if (!existing) {
    await tx.insert(organizations).values({
      id: directory.orgId,
      name: orgName,
      timeZone: 'America/New_York',
      // Seeded organizations are demonstrations whose printed admin sign-in must work with the
      // password alone; any other organization requires a second factor of its admins.
      mfaAdminsExempt: true,
      // Listed on the portal's sign-up page, so /portal/register works without the link.
      portalSignUpListed: true,
      createdAt: new Date(createdDay * DAY_MS + 14 * 3_600_000),
    });
  }
  await tx.insert(locations).values(rows.locations).onConflictDoNothing();
  const main = rows.locations[0];
  if (!existing && main) {
    // New patients registered at the desk are seen at the first clinic unless staff choose.
    await tx
      .update(organizations)
      .set({ defaultLocationId: main.id })
      .where(eq(organizations.id, directory.orgId));
  }
  await tx.insert(practitioners).values(rows.practitioners).onConflictDoNothing();
  // Service codes are unique per organization: keep whatever id an earlier run gave them.
  await tx.insert(serviceLines).values(rows.serviceLines).onConflictDoNothing();
  const stored = await tx
    .select({ id: serviceLines.id, code: serviceLines.code })
    .from(serviceLines)
    .where(
      and(
        eq(serviceLines.orgId, directory.orgId),
        inArray(
          serviceLines.code,
          SERVICES.map((s) => s.code),
        ),
      ),
    );
  for (const [code, service] of directory.services) {
    const row = stored.find((s) => s.code === code);
    if (row) service.id = row.id;
    else directory.services.delete(code);
  }
  return { directory, created: !existing };
}

/**
 * The demo's staff sign-ins (all but the patient's), created when missing. Returns the user ids
 * by role, whether created now or earlier.
 */
export async function ensureDemoStaff(
  tx: Db,
  directory: SeedDirectory,
  passwordHash: string,
): Promise<Map<string, string>> {
  const clinician = directory.clinicians.find((c) => c.profile.kind === 'primary-care');
  const staff = DEMO_LOGINS.filter((l) => l.role !== 'patient');
  await tx
    .insert(users)
    .values(
      staff.map((l) => ({
        orgId: directory.orgId,
        email: l.email,
        displayName: l.role === 'clinician' && clinician ? clinician.displayName : l.displayName,
        role: l.role,
        passwordHash,
        practitionerId: l.role === 'clinician' ? (clinician?.id ?? null) : null,
        // The demo admin reviews break-glass accesses (docs/restricted-records.md).
        privacyOfficer: l.role === 'admin',
      })),
    )
    .onConflictDoNothing();
  const rows = await tx
    .select({ id: users.id, role: users.role })
    .from(users)
    .where(
      and(
        eq(users.orgId, directory.orgId),
        inArray(
          users.email,
          staff.map((l) => l.email),
        ),
      ),
    );
  return new Map(rows.map((r) => [r.role, r.id]));
}

/** Links the demo patient sign-in to a seeded patient, when it does not exist yet. */
export async function ensureDemoPatientLogin(
  tx: Db,
  orgId: string,
  patient: { id: string; givenName: string; familyName: string },
  passwordHash: string,
): Promise<void> {
  const login = DEMO_LOGINS.find((l) => l.role === 'patient');
  if (!login) return;
  await tx
    .insert(users)
    .values({
      orgId,
      email: login.email,
      displayName: `${patient.givenName} ${patient.familyName}`,
      role: 'patient',
      passwordHash,
      patientId: patient.id,
    })
    .onConflictDoNothing();
}
