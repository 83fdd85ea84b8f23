import { randomUUID } from 'node:crypto';
import { isFutureDate, normalizeEmail, normalizePhone, searchColumns } from '@careloop/core';
import type { Address, ContactPoint, Identifier, Patient } from '@medplum/fhirtypes';
import { eq } from 'drizzle-orm';
import type { Db } from '../../../db/client.js';
import type { SourcePerson } from '../../mpi/match.js';
import { sourceRecordWrites } from '../../mpi/sources.js';
import { goldenChangesOf, goldenSnapshot } from '../../patients/golden-record.js';
import {
  patientAddresses,
  patientContactPoints,
  patientIdentifiers,
} from '../../patients/schema.js';
import type { NewTouchpoint } from '../../timeline/service.js';
import { EntryError, NotMapped } from '../outcome.js';
import { calendarDateOf, instantOf, labelOf, languageOf, nameParts, pickName } from '../values.js';
import { type MapContext, mapperFor, quietly, type RowWrite, target, upsert } from './context.js';
import { emailOf, phoneOf } from './directory.js';
import { matchIncomingPatient, NO_SYSTEM } from './patient-match.js';

/** Flags the import owns on a golden record; others (set by staff) are left alone. */
const IMPORT_FLAGS = ['deceased', 'birth-date-partial'] as const;

interface ContactPointRow {
  system: 'phone' | 'email';
  value: string;
  display: string;
  use: string;
}

/** Phones to E.164 and emails to lower case, as the patients service does; bad ones warned. */
function contactPointsOf(telecom: ContactPoint[] | undefined, ctx: MapContext): ContactPointRow[] {
  const out: ContactPointRow[] = [];
  const ranked = (telecom ?? [])
    .map((t, i) => ({ t, i }))
    .filter(({ t }) => t.value && t.use !== 'old')
    .sort((a, b) => (a.t.rank ?? 1e6) - (b.t.rank ?? 1e6) || a.i - b.i);
  for (const { t, i } of ranked) {
    const raw = t.value ?? '';
    const use = t.use === 'mobile' || t.use === 'work' ? t.use : 'home';
    if (t.system === 'phone' || t.system === 'sms') {
      const phone = normalizePhone(raw);
      if (phone) out.push({ system: 'phone', value: phone.e164, display: phone.display, use });
      else ctx.warn(`"${raw}" is not a phone number Careloop can dial; not kept`, `telecom[${i}]`);
    } else if (t.system === 'email') {
      const email = normalizeEmail(raw);
      if (email) out.push({ system: 'email', value: email, display: email, use: 'home' });
      else ctx.warn(`"${raw}" is not an email address; not kept`, `telecom[${i}]`);
    }
  }
  return distinctBySystemValue(out);
}

function addressesOf(addresses: Address[] | undefined) {
  return (addresses ?? [])
    .filter((a) => a.use !== 'old' && (a.line?.length || a.city || a.postalCode))
    .map((a) => ({
      use: a.use === 'work' ? 'work' : a.use === 'billing' ? 'mailing' : 'home',
      line1: a.line?.[0]?.trim() ?? '',
      line2: a.line && a.line.length > 1 ? a.line.slice(1).join(', ') : null,
      city: a.city ?? '',
      state: a.state ?? '',
      postalCode: a.postalCode ?? '',
      country: a.country && a.country.length === 2 ? a.country.toUpperCase() : 'US',
    }));
}

function identifiersOf(identifiers: Identifier[] | undefined, sourceSystem: string) {
  const out = (identifiers ?? [])
    .filter((i): i is Identifier & { value: string } => Boolean(i.value?.trim()))
    .map((i) => ({
      system: i.system ?? NO_SYSTEM,
      value: i.value.trim(),
      type: i.type?.coding?.find((c) => c.code)?.code ?? null,
      source: `fhir:${sourceSystem}`,
    }));
  return distinctBySystemValue(out);
}

/** The first of each system and value, in order. */
function distinctBySystemValue<T extends { system: string; value: string }>(rows: T[]): T[] {
  const seen = new Set<string>();
  return rows.filter((r) => {
    const key = `${r.system}\u0000${r.value}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/**
 * Entries a Patient's list may hold (identifiers, names, telecoms, addresses). Real records
 * carry a handful; thousands is a broken or hostile resource, rejected rather than stored.
 */
const MAX_LIST = 50;

function refuseLongLists(patient: Patient): void {
  for (const key of ['identifier', 'name', 'telecom', 'address'] as const) {
    const list = patient[key];
    if (list && list.length > MAX_LIST) {
      throw new EntryError(
        `Patient.${key} has ${list.length} entries; at most ${MAX_LIST} are accepted`,
        key,
      );
    }
  }
}

function languageOfPatient(patient: Patient): string | null {
  const all = patient.communication ?? [];
  const chosen = all.find((c) => c.preferred) ?? all[0];
  return languageOf(chosen?.language.coding?.find((c) => c.code)?.code);
}

async function existingChildren(tx: Db, patientId: string) {
  const golden = await goldenSnapshot(tx, patientId);
  if (!golden) throw new Error('matched patient vanished');
  const addresses = await tx
    .select({ line1: patientAddresses.line1, postalCode: patientAddresses.postalCode })
    .from(patientAddresses)
    .where(eq(patientAddresses.patientId, patientId));
  const contacts = await tx
    .select({ system: patientContactPoints.system, value: patientContactPoints.value })
    .from(patientContactPoints)
    .where(eq(patientContactPoints.patientId, patientId));
  const identifiers = await tx
    .select({ system: patientIdentifiers.system, value: patientIdentifiers.value })
    .from(patientIdentifiers)
    .where(eq(patientIdentifiers.patientId, patientId));
  return { golden, flags: golden.current.flags, addresses, contacts, identifiers };
}

/**
 * A FHIR Patient becomes (or updates) a golden record. Demographics follow the source; phones,
 * emails, addresses and identifiers are added to what the record holds, never removed, since
 * staff or another system may have given them.
 */
export const mapPatient = mapperFor('Patient', async (patient, ctx) => {
  refuseLongLists(patient);
  const name = pickName(patient.name);
  const parts = nameParts(name);
  if (!parts.family && !parts.given) throw new NotMapped('The patient has no name', 'name');
  const birth = calendarDateOf(patient.birthDate);
  if (!birth) {
    throw new NotMapped('Careloop needs a birth date to keep a golden record', 'birthDate');
  }
  if (isFutureDate(birth.date, ctx.asOf)) {
    throw new EntryError(`The birth date ${birth.date} is in the future`, 'birthDate');
  }
  const flags: string[] = [];
  if (birth.precision !== 'day') {
    flags.push('birth-date-partial');
    ctx.warn(`Birth date ${patient.birthDate} kept as ${birth.date}`, 'birthDate');
  }
  const deceasedAt = instantOf(patient.deceasedDateTime);
  if (deceasedAt || patient.deceasedBoolean) flags.push('deceased');
  const nickname = patient.name?.find((n) => n.use === 'nickname' || n.use === 'usual');
  const preferred = nickname?.given?.[0] && nickname !== name ? nickname.given[0] : null;
  const identifiers = identifiersOf(patient.identifier, ctx.sourceSystem);
  const contacts = contactPointsOf(patient.telecom, ctx);
  const addresses = addressesOf(patient.address);
  const givenName = parts.given;
  const familyName = parts.family;
  const demographics = {
    givenName,
    middleName: parts.middle,
    familyName,
    preferredName: preferred,
    ...searchColumns(familyName, givenName),
    birthDate: birth.date,
    administrativeSex: patient.gender ?? 'unknown',
    deceasedAt,
    ...(languageOfPatient(patient)
      ? { preferredLanguage: languageOfPatient(patient) ?? 'en' }
      : {}),
    status: patient.active === false ? 'inactive' : 'active',
    updatedAt: new Date(),
  };
  const firstAddress = addresses[0];
  const person: SourcePerson = {
    kind: 'fhir',
    system: ctx.sourceSystem,
    sourceId: ctx.entry.sourceId,
    demographics: {
      given: givenName,
      middle: parts.middle,
      family: familyName,
      birthDate: birth.precision === 'day' ? birth.date : null,
      sex: patient.gender ?? null,
      line: firstAddress?.line1 ?? null,
      city: firstAddress?.city ?? null,
      state: firstAddress?.state ?? null,
      postalCode: firstAddress?.postalCode ?? null,
      phone: contacts.find((c) => c.system === 'phone')?.value ?? null,
      email: contacts.find((c) => c.system === 'email')?.value ?? null,
      language: languageOfPatient(patient) ?? null,
      deceasedAt: deceasedAt ? deceasedAt.toISOString() : null,
      identifiers: identifiers.map((i) => ({ system: i.system, value: i.value })),
    },
  };
  const match = await matchIncomingPatient(
    ctx.tx,
    person,
    ctx.existing?.recordType === 'patient' ? ctx.existing.recordId : null,
  );
  const orgId = ctx.orgId;
  const writes: RowWrite[] = [];
  let patientId: string;
  let known = {
    flags: [] as string[],
    addresses: [] as { line1: string; postalCode: string }[],
    contacts: [] as { system: string; value: string }[],
    identifiers: [] as { system: string; value: string }[],
  };
  if (match.kind === 'existing') {
    patientId = match.patientId;
    const existing = await existingChildren(ctx.tx, patientId);
    known = existing;
    const kept = known.flags.filter((f) => !(IMPORT_FLAGS as readonly string[]).includes(f));
    // Survivorship decides the names, birth date, sex, language and death from every source of
    // the record, this resource included: an EHR's update does not overwrite what a patient
    // chose. The import sets what it owns: the nickname, whether the record is active, flags.
    const { current, sources } = existing.golden;
    const decided = goldenChangesOf(current, sources, person, demographics.updatedAt);
    writes.push({
      table: 'patients',
      op: 'update',
      id: patientId,
      values: {
        ...decided.columns,
        preferredName: demographics.preferredName,
        status: demographics.status,
        updatedAt: demographics.updatedAt,
        flags: [...kept, ...flags],
      },
    });
  } else {
    patientId = randomUUID();
    writes.push({
      table: 'patients',
      op: 'insert',
      values: { id: patientId, orgId, ...demographics, flags },
    });
  }
  const newAddresses = addresses.filter(
    (a) => !known.addresses.some((k) => k.line1 === a.line1 && k.postalCode === a.postalCode),
  );
  newAddresses.forEach((a, i) => {
    writes.push({
      table: 'patientAddresses',
      op: 'insert',
      values: {
        id: randomUUID(),
        orgId,
        patientId,
        ...a,
        position: known.addresses.length + i,
      },
    });
  });
  const newContacts = contacts.filter(
    (c) => !known.contacts.some((k) => k.system === c.system && k.value === c.value),
  );
  for (const c of newContacts) {
    const isPrimary =
      !known.contacts.some((k) => k.system === c.system) &&
      newContacts.find((n) => n.system === c.system) === c;
    writes.push({
      table: 'patientContactPoints',
      op: 'insert',
      values: { id: randomUUID(), orgId, patientId, ...c, isPrimary },
    });
  }
  for (const i of identifiers) {
    if (known.identifiers.some((k) => k.system === i.system && k.value === i.value)) continue;
    writes.push({
      table: 'patientIdentifiers',
      op: 'insert',
      values: { id: randomUUID(), orgId, patientId, ...i },
    });
  }
  const mpi = await sourceRecordWrites(ctx.tx, orgId, patientId, person, match);
  writes.push(
    mpi.sourceRecord.op === 'insert'
      ? { table: 'patientSourceRecords', op: 'insert', values: mpi.sourceRecord.values }
      : {
          table: 'patientSourceRecords',
          op: 'update',
          id: mpi.sourceRecord.id,
          values: mpi.sourceRecord.values,
        },
    ...mpi.reviewItems.map(
      (values): RowWrite => ({ table: 'mpiReviewItems', op: 'insert', values }),
    ),
  );
  const created = match.kind === 'new';
  const summary = created
    ? `Registered from ${ctx.sourceSystem} (FHIR import)`
    : `Record updated from ${ctx.sourceSystem} (FHIR import)`;
  const touchpoint: NewTouchpoint = {
    orgId,
    patientId,
    channel: 'system',
    direction: 'inbound',
    type: created ? 'patient.registered' : 'patient.updated',
    stage: 'awareness',
    sourceSystem: 'fhir',
    summary,
    nonClinicalSummary: summary,
    subjectType: 'patient',
    subjectId: patientId,
  };
  return {
    record: { recordType: 'patient', recordId: patientId, patientId },
    created,
    writes,
    touchpoints: [touchpoint],
  };
});

/** Family, caregivers and other contacts of a patient. */
export const mapRelatedPerson = mapperFor('RelatedPerson', async (person, ctx) => {
  const patient = await ctx.patient(person.patient, 'patient');
  const id = target(ctx, 'related-person');
  const parts = nameParts(pickName(person.name));
  return quietly(
    { recordType: 'related-person', recordId: id.id, patientId: patient.recordId },
    id.created,
    [
      upsert('relatedPersons', id, {
        orgId: ctx.orgId,
        patientId: patient.recordId,
        relationship: labelOf(person.relationship?.[0]),
        givenName: parts.given || null,
        familyName: parts.family || null,
        phone: phoneOf(person.telecom),
        email: emailOf(person.telecom),
        active: person.active ?? true,
        updatedAt: new Date(),
      }),
    ],
  );
});
