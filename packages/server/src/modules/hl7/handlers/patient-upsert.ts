import { type SourceDemographics, searchColumns } from '@careloop/core';
import { eq } from 'drizzle-orm';
import type { Db } from '../../../db/client.js';
import { type MatchDecision, matchPerson, type SourcePerson } from '../../mpi/match.js';
import { goldenChangesOf } from '../../patients/golden-record.js';
import { patients } from '../../patients/schema.js';
import type { BatchState } from '../batch/state.js';
import { HL7_ERROR } from '../parse/ack.js';
import { Hl7ContentError, missing } from '../parse/errors.js';
import { LINK } from '../parse/links.js';
import type { Segment } from '../parse/message.js';
import type { Hl7Patient } from '../parse/patient.js';
import { type HandlerContext, hl7Touchpoint } from './context.js';

/** Flags the feed owns on a golden record; flags staff set are left alone. */
const FEED_FLAGS = ['deceased', 'birth-date-partial'];

const primaryKey = (p: Hl7Patient) => {
  const first = p.identifiers[0];
  return first ? `${first.system}|${first.value}` : null;
};

/** The person in a PID as the master patient index compares them. */
function demographicsOf(person: Hl7Patient): SourceDemographics {
  const address = person.addresses[0];
  const name = person.name;
  return {
    given: name?.given ?? null,
    middle: name?.middle || null,
    family: name?.family ?? null,
    birthDate:
      person.birth && (person.birth.precision === 'day' || person.birth.precision === 'time')
        ? person.birth.date
        : null,
    sex: person.sex,
    line: address?.line1 ?? null,
    city: address?.city ?? null,
    state: address?.state ?? null,
    postalCode: address?.postalCode ?? null,
    phone: person.contactPoints.find((c) => c.system === 'phone')?.value ?? null,
    email: person.contactPoints.find((c) => c.system === 'email')?.value ?? null,
    language: person.language,
    deceasedAt: person.deceasedAt?.toISOString() ?? null,
    identifiers: person.identifiers.map((i) => ({ system: i.system, value: i.value })),
  };
}

/** The person in a PID, as the master patient index compares and remembers them. */
function sourcePersonOf(hc: HandlerContext, person: Hl7Patient, sourceId: string): SourcePerson {
  return {
    kind: 'hl7',
    system: hc.sourceSystem,
    sourceId,
    receivedAt: hc.eventAt,
    demographics: demographicsOf(person),
  };
}

/** A PID of a batch's message, with what reading it needs. */
export interface BatchPid {
  pid: Segment;
  sender: string;
  sourceSystem: string;
  timeZone: string;
  receivedAt: Date;
}

/**
 * Reads in one statement the master patient index's candidates for every person of the batch
 * whom neither an identifier nor this sender's source link recognises (per the batch's bulk
 * reads): the people its handlers will send to the probabilistic step.
 */
export async function prefetchCandidates(tx: Db, batch: BatchState, pids: BatchPid[]) {
  const wanted: { sourceSystem: string; key: string; demographics: SourceDemographics }[] = [];
  for (const { pid, sender, sourceSystem, timeZone, receivedAt } of pids) {
    let person: Hl7Patient;
    try {
      person = batch.person(pid, sender, timeZone, receivedAt);
    } catch {
      continue; // the handler meets the same error and answers it
    }
    const key = primaryKey(person);
    if (!key || !person.name || !person.birth) continue;
    if (!batch.unrecognised(sourceSystem, person.identifiers, key)) continue;
    wanted.push({ sourceSystem, key, demographics: demographicsOf(person) });
  }
  await batch.readCandidates(tx, wanted);
}

/**
 * The probabilistic step of the master patient index (modules/mpi/match.ts), for a person no
 * identifier or source link recognised. A person without a name and birth date (an MRG-only
 * lookup) is never matched by score.
 */
async function probabilisticMatch(
  tx: Db,
  hc: HandlerContext,
  person: Hl7Patient,
): Promise<MatchDecision> {
  if (!person.name || !person.birth) return { kind: 'new', candidates: [] };
  // Source link and identifier owners were looked up already, from the batch's bulk reads,
  // and the candidates too when the batch read them in bulk (`prefetchCandidates`).
  const key = primaryKey(person) ?? '';
  return matchPerson(tx, sourcePersonOf(hc, person, key), {
    deterministicDone: true,
    candidates: hc.batch.candidatesFor(hc.sourceSystem, key),
  });
}

/**
 * Who the person in a PID segment is. Deterministic first, by the rules every source follows:
 * an exact identifier (system and value), refusing identifiers that belong to two people; then
 * the source link this sender's earlier message made (it still finds the person when staff
 * since changed their identifiers). Then the master patient index's probabilistic step, which
 * may link by score or name golden records for the review queue. Identifier owners come from
 * the batch's bulk read, not a query per message.
 */
export async function matchHl7Patient(
  tx: Db,
  hc: HandlerContext,
  person: Hl7Patient,
): Promise<MatchDecision> {
  if (person.identifiers.length === 0) return probabilisticMatch(tx, hc, person);
  const owners = await hc.batch.identifierOwners(tx, person.identifiers);
  const distinct = [...new Set(owners.map((o) => o.patientId))];
  if (distinct.length > 1) {
    throw new Hl7ContentError(
      'PID-3 identifiers belong to more than one patient in Careloop; merge the duplicates, then resend',
      'PID-3',
      HL7_ERROR.duplicateKey,
    );
  }
  const [owner] = distinct;
  if (owner) return { kind: 'existing', patientId: owner, method: 'identifier', score: null };
  const key = primaryKey(person);
  const link = key
    ? await hc.batch.findLink(tx, hc.sourceSystem, LINK.patient, key, 'patient')
    : null;
  if (link) {
    const [live] = await tx
      .select({ status: patients.status })
      .from(patients)
      .where(eq(patients.id, link.recordId));
    if (live && live.status !== 'merged') {
      return { kind: 'existing', patientId: link.recordId, method: 'source', score: null };
    }
  }
  return probabilisticMatch(tx, hc, person);
}

/**
 * A message kept but not mapped (a result, an order that starts no referral): linked to the
 * golden record its PID names when one matches, with an audit event on that patient; kept
 * unlinked when none does (an unmatched PID is no reason to refuse the message).
 */
export async function linkStoredMessage(
  tx: Db,
  hc: HandlerContext,
  pid: Segment | null | undefined,
): Promise<{ patientId: string | null }> {
  let patientId: string | null = null;
  if (pid) {
    try {
      patientId = await findPatient(tx, hc, pid);
    } catch (error) {
      if (!(error instanceof Hl7ContentError)) throw error;
    }
  }
  if (patientId) {
    hc.audit({
      action: 'create',
      recordType: 'hl7-message',
      patientId,
      reason: `${hc.label} stored, not mapped`,
    });
  }
  return { patientId };
}

/** The golden record a PID names, without creating or changing anything (ORU, A40's MRG). */
export async function findPatient(
  tx: Db,
  hc: HandlerContext,
  pid: Segment,
): Promise<string | null> {
  const match = await matchHl7Patient(
    tx,
    hc,
    hc.batch.person(pid, hc.sender, hc.timeZone, hc.receivedAt),
  );
  return match.kind === 'existing' ? match.patientId : null;
}

export interface UpsertedPatient {
  patientId: string;
  created: boolean;
  /** Names of the fields that changed (empty when the message told us nothing new). */
  changed: string[];
}

type Known = { addresses: Set<string>; contacts: Set<string>; identifiers: Set<string> };

/** Adds the addresses, phones, emails and identifiers the record does not hold yet. */
async function addChildren(
  tx: Db,
  hc: HandlerContext,
  patientId: string,
  person: Hl7Patient,
  known: Known,
): Promise<string[]> {
  const addresses = person.addresses.filter(
    (a) => !known.addresses.has(`${a.line1}|${a.postalCode}`),
  );
  const contacts = person.contactPoints.filter(
    (c) => !known.contacts.has(`${c.system}|${c.value}`),
  );
  const identifiers = person.identifiers.filter(
    (i) => !known.identifiers.has(`${i.system}|${i.value}`),
  );
  const hadPhone = [...known.contacts].some((c) => c.startsWith('phone|'));
  const hadEmail = [...known.contacts].some((c) => c.startsWith('email|'));
  await hc.batch.patientChildren(tx, {
    addresses: addresses.map((a, i) => ({
      ...a,
      orgId: hc.orgId,
      patientId,
      position: known.addresses.size + i,
    })),
    contacts: contacts.map((c) => ({
      ...c,
      orgId: hc.orgId,
      patientId,
      isPrimary:
        !(c.system === 'phone' ? hadPhone : hadEmail) &&
        contacts.find((n) => n.system === c.system) === c,
    })),
    identifiers: identifiers.map((i) => ({
      ...i,
      orgId: hc.orgId,
      patientId,
      source: hc.sourceSystem,
    })),
  });
  return [
    ...(addresses.length ? ['addresses'] : []),
    ...(contacts.length ? ['contactPoints'] : []),
    ...(identifiers.length ? ['identifiers'] : []),
  ];
}

function flagsOf(person: Hl7Patient, current: string[]): string[] {
  const kept = current.filter((f) => !FEED_FLAGS.includes(f));
  return [
    ...kept,
    ...(person.deceased ? ['deceased'] : []),
    ...(person.birth && person.birth.precision !== 'day' && person.birth.precision !== 'time'
      ? ['birth-date-partial']
      : []),
  ];
}

async function createPatient(tx: Db, hc: HandlerContext, person: Hl7Patient) {
  const name = person.name;
  if (!name) throw missing('PID-5', 'patient name');
  if (!person.birth) throw missing('PID-7', 'date of birth');
  const patientId = crypto.randomUUID();
  await hc.batch.insertPatient(tx, {
    id: patientId,
    orgId: hc.orgId,
    givenName: name.given,
    middleName: name.middle || null,
    familyName: name.family,
    ...searchColumns(name.family, name.given),
    birthDate: person.birth.date,
    administrativeSex: person.sex ?? 'unknown',
    preferredLanguage: person.language ?? 'en',
    deceasedAt: person.deceasedAt,
    flags: flagsOf(person, []),
  });
  const empty: Known = { addresses: new Set(), contacts: new Set(), identifiers: new Set() };
  await addChildren(tx, hc, patientId, person, empty);
  await hc.batch.touchpoints(tx, [
    hl7Touchpoint(hc, {
      patientId,
      type: 'patient.registered',
      stage: 'awareness',
      summary: `Registered from ${hc.sender} (HL7 ${hc.label})`,
      nonClinicalSummary: `Registered from ${hc.sender} (HL7 ${hc.label})`,
      subjectType: 'patient',
      subjectId: patientId,
      occurredAt: hc.eventAt,
    }),
  ]);
  hc.audit({ action: 'create', recordType: 'patient', recordId: patientId, patientId });
  return patientId;
}

const same = (a: unknown, b: unknown): boolean => {
  if (a instanceof Date || b instanceof Date) {
    return (a instanceof Date ? a.getTime() : a) === (b instanceof Date ? b.getTime() : b);
  }
  if (Array.isArray(a) && Array.isArray(b)) return a.join('\u0000') === b.join('\u0000');
  return a === b;
};

async function updatePatient(
  tx: Db,
  hc: HandlerContext,
  patientId: string,
  person: Hl7Patient,
  incoming: SourcePerson,
): Promise<string[]> {
  const current = await hc.batch.snapshot(tx, patientId);
  // Survivorship decides the names, birth date, sex, language and death from every source of
  // the record, this message included: a feed does not overwrite what a patient chose.
  const decided = goldenChangesOf(current, current.sources, incoming, hc.eventAt);
  const flags = flagsOf(person, current.flags);
  const changed = [...decided.changed, ...(same(flags, current.flags) ? [] : ['flags'])];
  if (changed.length > 0) {
    await hc.batch.updatePatient(tx, {
      id: patientId,
      ...decided.columns,
      flags,
      updatedAt: new Date(),
    });
  }
  const known: Known = {
    addresses: new Set(current.addresses ?? []),
    contacts: new Set(current.contacts ?? []),
    identifiers: new Set(current.identifiers ?? []),
  };
  changed.push(...(await addChildren(tx, hc, patientId, person, known)));
  if (changed.length > 0) {
    await hc.batch.touchpoints(tx, [
      hl7Touchpoint(hc, {
        patientId,
        type: 'patient.updated',
        stage: 'awareness',
        // Field names only: the values are PHI and live in the record itself.
        summary: `Record updated from ${hc.sender} (HL7 ${hc.label}): ${changed.join(', ')}`,
        nonClinicalSummary: `Record updated from ${hc.sender} (HL7 ${hc.label}): ${changed.join(', ')}`,
        subjectType: 'patient',
        subjectId: patientId,
        occurredAt: hc.eventAt,
      }),
    ]);
    hc.audit({
      action: 'update',
      recordType: 'patient',
      recordId: patientId,
      patientId,
      reason: `fields: ${changed.join(', ')}`,
    });
  }
  return changed;
}

/**
 * Makes the golden record say what the PID says: creates it when nobody matches, else updates
 * the demographics the message carries and adds contact points, addresses and identifiers it
 * does not hold (never removing any: staff or another system may have given them).
 */
export async function upsertPatient(
  tx: Db,
  hc: HandlerContext,
  pid: Segment | null,
): Promise<UpsertedPatient> {
  if (!pid) throw missing('PID', 'patient identification segment');
  const person = hc.batch.person(pid, hc.sender, hc.timeZone, hc.receivedAt);
  const match = await matchHl7Patient(tx, hc, person);
  const key = primaryKey(person);
  if (match.kind === 'existing') {
    const incoming = sourcePersonOf(hc, person, key ?? '');
    const changed = await updatePatient(tx, hc, match.patientId, person, incoming);
    if (key) {
      await hc.batch.sourceRecord(tx, hc.orgId, {
        patientId: match.patientId,
        person: incoming,
        decision: match,
      });
    }
    return { patientId: match.patientId, created: false, changed };
  }
  const patientId = await createPatient(tx, hc, person);
  if (key) {
    await hc.batch.saveLink(tx, {
      orgId: hc.orgId,
      sourceSystem: hc.sourceSystem,
      sourceType: LINK.patient,
      sourceId: key,
      recordType: 'patient',
      recordId: patientId,
      patientId,
    });
    await hc.batch.sourceRecord(tx, hc.orgId, {
      patientId,
      person: sourcePersonOf(hc, person, key),
      decision: match,
    });
  }
  return { patientId, created: true, changed: [] };
}
