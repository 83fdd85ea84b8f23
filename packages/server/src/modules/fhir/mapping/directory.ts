import { createHash } from 'node:crypto';
import { normalizeEmail, normalizePhone } from '@careloop/core';
import type { Address, ContactPoint, Identifier } from '@medplum/fhirtypes';
import { NotMapped } from '../outcome.js';
import { firstLabel, nameParts, pickName } from '../values.js';
import { mapperFor, quietly, type RowWrite, target, upsert } from './context.js';

/**
 * Directory resources: who and where care happens. A FHIR Organization is a hospital, practice
 * or payer in the sender's world, kept as an external organization, never a Careloop tenant.
 */

export const NPI_SYSTEM = 'http://hl7.org/fhir/sid/us-npi';

/** The first phone of a list, in E.164 when it reads as one, else as sent. */
export function phoneOf(telecom: ContactPoint[] | undefined): string | null {
  const raw = telecom?.find((t) => t.system === 'phone' && t.value)?.value;
  if (!raw) return null;
  return normalizePhone(raw)?.e164 ?? raw.trim();
}

export function emailOf(telecom: ContactPoint[] | undefined): string | null {
  const raw = telecom?.find((t) => t.system === 'email' && t.value)?.value;
  return raw ? normalizeEmail(raw) : null;
}

function addressOf(address: Address | undefined) {
  return {
    line1: address?.line?.filter(Boolean).join(', ') || null,
    city: address?.city ?? null,
    state: address?.state ?? null,
    postalCode: address?.postalCode ?? null,
  };
}

const firstIdentifier = (ids: Identifier[] | undefined) => ids?.find((i) => i.value);

const PAYER_TYPES = new Set(['pay', 'ins']);
const PROVIDER_TYPES = new Set(['prov', 'dept', 'team', 'edu', 'reli']);

export const mapOrganization = mapperFor('Organization', async (org, ctx) => {
  const id = target(ctx, 'external-organization');
  const types = (org.type ?? []).flatMap((t) => t.coding ?? []).map((c) => c.code ?? '');
  const kind = types.some((t) => PAYER_TYPES.has(t))
    ? 'payer'
    : types.some((t) => PROVIDER_TYPES.has(t))
      ? 'provider'
      : 'other';
  const identifier = firstIdentifier(org.identifier);
  const name = org.name?.trim() || org.alias?.[0] || identifier?.value;
  if (!name) throw new NotMapped('The organization has no name, alias or identifier', 'name');
  const write = upsert('externalOrganizations', id, {
    orgId: ctx.orgId,
    name,
    kind,
    identifierSystem: identifier?.system ?? null,
    identifierValue: identifier?.value ?? null,
    phone: phoneOf(org.telecom),
    ...addressOf(org.address?.[0]),
    active: org.active ?? true,
    updatedAt: new Date(),
  });
  return quietly(
    { recordType: 'external-organization', recordId: id.id, patientId: null },
    id.created,
    [write],
  );
});

export const mapLocation = mapperFor('Location', async (location, ctx) => {
  const id = target(ctx, 'location');
  const name = location.name?.trim() || location.alias?.[0] || location.description;
  if (!name) throw new NotMapped('The location has no name', 'name');
  const write = upsert('locations', id, {
    orgId: ctx.orgId,
    name,
    ...addressOf(location.address),
    phone: phoneOf(location.telecom),
    active: location.status !== 'inactive',
  });
  return quietly({ recordType: 'location', recordId: id.id, patientId: null }, id.created, [write]);
});

export const mapPractitioner = mapperFor('Practitioner', async (practitioner, ctx) => {
  const id = target(ctx, 'practitioner');
  const name = pickName(practitioner.name);
  const parts = nameParts(name);
  if (!parts.family && !parts.given) throw new NotMapped('The practitioner has no name', 'name');
  const values = {
    orgId: ctx.orgId,
    givenName: [parts.given, parts.middle].filter(Boolean).join(' '),
    familyName: parts.family || parts.given,
    prefix: name?.prefix?.[0] ?? null,
    npi: practitioner.identifier?.find((i) => i.system === NPI_SYSTEM)?.value ?? null,
    email: emailOf(practitioner.telecom),
    phone: phoneOf(practitioner.telecom),
    active: practitioner.active ?? true,
  };
  return quietly({ recordType: 'practitioner', recordId: id.id, patientId: null }, id.created, [
    upsert('practitioners', id, values),
  ]);
});

/** A role gives its practitioner a specialty and a home location. */
export const mapPractitionerRole = mapperFor('PractitionerRole', async (role, ctx) => {
  const practitioner = await ctx.link(role.practitioner, 'practitioner', ['Practitioner']);
  if (!practitioner) throw new NotMapped('The role names no practitioner', 'practitioner');
  const location = await ctx.link(role.location?.[0], 'location[0]', ['Location']);
  const specialty = firstLabel(role.specialty) ?? firstLabel(role.code);
  return quietly(practitioner, ctx.existing === null, [
    {
      table: 'practitioners',
      op: 'update',
      id: practitioner.recordId,
      values: {
        ...(specialty ? { specialty } : {}),
        ...(location ? { locationId: location.recordId } : {}),
        ...(role.active === false ? { active: false } : {}),
      },
    },
  ]);
});

/** A service code that is stable for the source record and unique in the organization. */
function serviceCode(name: string, sourceSystem: string, sourceId: string): string {
  const slug = name
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 30);
  const suffix = createHash('sha256').update(`${sourceSystem}\n${sourceId}`).digest('hex');
  return `${slug || 'service'}-${suffix.slice(0, 8)}`;
}

export const mapHealthcareService = mapperFor('HealthcareService', async (service, ctx) => {
  const id = target(ctx, 'service-line');
  const name = service.name?.trim() || firstLabel(service.type) || firstLabel(service.specialty);
  if (!name) throw new NotMapped('The service has no name or type', 'name');
  const values = {
    orgId: ctx.orgId,
    code: serviceCode(name, ctx.sourceSystem, ctx.entry.sourceId),
    name,
    description: service.comment ?? null,
    active: service.active ?? true,
  };
  // The code identifies the service in bookings: it does not move when the name does.
  const { code: _code, ...changes } = values;
  const write: RowWrite = id.created
    ? upsert('serviceLines', id, values)
    : { table: 'serviceLines', op: 'update', id: id.id, values: changes };
  return quietly({ recordType: 'service-line', recordId: id.id, patientId: null }, id.created, [
    write,
  ]);
});
