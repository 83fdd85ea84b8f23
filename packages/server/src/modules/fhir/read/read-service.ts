import {
  CareloopError,
  type CursorKey,
  decodeKeysetCursor,
  encodeCursor,
  mayRead,
} from '@careloop/core';
import type { Bundle, BundleLink, Resource } from '@medplum/fhirtypes';
import { type SQL, sql } from 'drizzle-orm';
import type { FieldCipher } from '../../../crypto/field-cipher.js';
import type { Database, Db } from '../../../db/client.js';
import { UUID } from '../../../db/keyset.js';
import { rowsOf } from '../../../db/rows.js';
import type { RequestContext } from '../../../http/actor.js';
import type { AuditLog } from '../../audit/service.js';
import { notHidden, searchableIdentifier } from '../../patients/service.js';
import { requestError } from '../outcome.js';
import { nameTokens, parseDateParam, parseToken, telecomValue } from '../search/search-params.js';
import {
  toFhirAllergy,
  toFhirCondition,
  toFhirEncounter,
  toFhirImmunization,
  toFhirMedicationRequest,
  toFhirObservation,
  toFhirProcedure,
} from './out/clinical.js';
import { toFhirAppointment, toFhirCommunication, toFhirCoverage } from './out/engagement.js';
import { fhirFor, fhirListFor } from './out/minimum-necessary.js';
import { toFhirPatient } from './out/patient.js';
import {
  appointmentRows,
  communicationRows,
  conditionRows,
  encounterRows,
  loadPatients,
  type PageQuery,
  patientCompartment,
  type Reader,
} from './read-queries.js';

/** The resource types Careloop serves over FHIR, each with the permission reading it needs. */
export const READABLE_TYPES = {
  Patient: 'patient:read',
  Encounter: 'clinical:read',
  Condition: 'clinical:read',
  Appointment: 'patient:read',
  Communication: 'patient:read',
} as const;
export type ReadableType = keyof typeof READABLE_TYPES;

export const DEFAULT_COUNT = 20;
export const MAX_COUNT = 200;
/** `$everything` returns at most this many resources of each type. */
const EVERYTHING_LIMIT = 1000;

export interface PatientSearch {
  name?: string;
  birthdate?: string;
  identifier?: string;
  telecom?: string;
  gender?: string;
  _count?: number;
  _cursor?: string;
}

/** Where the request came from, to write absolute links. */
export interface RequestUrl {
  base: string;
  /** The request's path and query, for the `self` link. */
  self: string;
}

function searchBundle(resources: Resource[], url: RequestUrl, next: string | null): Bundle {
  const link: BundleLink[] = [{ relation: 'self', url: `${url.base}${url.self}` }];
  if (next) {
    const u = new URL(url.self, 'http://x');
    u.searchParams.set('_cursor', next);
    link.push({ relation: 'next', url: `${url.base}${u.pathname}${u.search}` });
  }
  return {
    resourceType: 'Bundle',
    type: 'searchset',
    link,
    entry: resources.map((resource) => ({
      fullUrl: `${url.base}/fhir/R4/${resource.resourceType}/${resource.id}`,
      resource,
      search: { mode: 'match' },
    })),
  };
}

/** `(sort value, id)`: the value a name for Patient search, an instant elsewhere; else a 400. */
function cursorPair(cursor: string | undefined, kind: CursorKey): [string, string] | null {
  if (!cursor) return null;
  try {
    const [value = '', id = ''] = decodeKeysetCursor(cursor, [kind, 'uuid']);
    return [value, id];
  } catch (error) {
    if (!(error instanceof CareloopError)) throw error;
    throw requestError(400, 'invalid', 'The _cursor is not valid', '_cursor');
  }
}

function pageOf(
  count: number | undefined,
  cursor: string | undefined,
  kind: CursorKey = 'instant',
): PageQuery {
  return {
    limit: Math.min(count ?? DEFAULT_COUNT, MAX_COUNT) + 1,
    after: cursorPair(cursor, kind),
  };
}

const notFound = (type: string, id: string) =>
  requestError(404, 'not-found', `${type}/${id} is not known`);

/**
 * FHIR out: reads and searches of Careloop's records as R4 resources, under the caller's
 * organization (row-level security) and permissions, one audit event per request.
 */
export class FhirReadService {
  constructor(
    private readonly database: Database,
    private readonly audit: AuditLog,
    private readonly cipher: FieldCipher,
  ) {}

  private reader(ctx: RequestContext): Reader {
    return { cipher: this.cipher, orgId: ctx.actor.orgId };
  }

  /**
   * One resource by id. `guard` sees the patient it belongs to before anything is audited or
   * returned (restricted records: a resource names its patient only once read).
   */
  async read(
    ctx: RequestContext,
    type: ReadableType,
    id: string,
    guard?: (patientId: string) => Promise<void>,
  ): Promise<Resource> {
    const stored = UUID.test(id)
      ? await this.database.withTenant(ctx.actor.orgId, (tx) =>
          readOne(tx, type, id, this.reader(ctx)),
        )
      : null;
    const owner = stored ? patientOf(stored) : null;
    if (owner && guard) await guard(owner);
    const resource = stored && fhirFor(ctx.actor.role, stored);
    await this.audit.read(ctx.audit, {
      action: 'read',
      recordType: `fhir:${type}`,
      recordId: id.slice(0, 64),
      patientId: resource ? patientOf(resource) : null,
      outcome: resource ? 'success' : 'failed',
      reason: resource ? null : 'not found',
    });
    if (!resource) throw notFound(type, id);
    return resource;
  }

  /**
   * Patient search. `hidden`: restricted patients the reader may not open; their entries are
   * masked afterwards (`restrictedEntries`), and here they match no search parameter but the
   * name, so a match cannot tell a birth date, identifier, telecom or gender the entry hides.
   */
  async searchPatients(
    ctx: RequestContext,
    query: PatientSearch,
    url: RequestUrl,
    hidden: ReadonlySet<string> = new Set(),
  ): Promise<Bundle> {
    const page = pageOf(query._count, query._cursor, 'text');
    const conditions = patientConditions(
      query,
      mayRead(ctx.actor.role, 'coverage', 'memberId'),
      notHidden([...hidden]),
    );
    const { resources, next } = await this.database.withTenant(ctx.actor.orgId, async (tx) => {
      const after = page.after
        ? sql`and (p.search_name, p.id) > (${page.after[0]}, ${page.after[1]}::uuid)`
        : sql``;
      const rows = rowsOf<{ id: string; search_name: string }>(
        await tx.execute(sql`select p.id, p.search_name from patients p
          where p.status <> 'merged' and ${sql.join(conditions, sql` and `)} ${after}
          order by p.search_name, p.id limit ${page.limit}`),
      );
      const shown = rows.slice(0, page.limit - 1);
      const last = shown.at(-1);
      const records = await loadPatients(
        tx,
        shown.map((r) => r.id),
      );
      return {
        resources: records.map(toFhirPatient),
        next: rows.length >= page.limit && last ? encodeCursor([last.search_name, last.id]) : null,
      };
    });
    await this.audit.read(ctx.audit, {
      action: 'search',
      recordType: 'fhir:Patient',
      reason: `${resources.length} patients listed`,
    });
    return searchBundle(fhirListFor(ctx.actor.role, resources), url, next);
  }

  async searchByPatient(
    ctx: RequestContext,
    type: Exclude<ReadableType, 'Patient'>,
    patientId: string,
    query: { _count?: number; _cursor?: string },
    url: RequestUrl,
  ): Promise<Bundle> {
    const page = pageOf(query._count, query._cursor);
    const { resources, next } = UUID.test(patientId)
      ? await this.database.withTenant(ctx.actor.orgId, (tx) =>
          byPatient(tx, type, patientId, page, this.reader(ctx)),
        )
      : { resources: [], next: null };
    await this.audit.read(ctx.audit, {
      action: 'search',
      recordType: `fhir:${type}`,
      patientId: UUID.test(patientId) ? patientId : null,
      reason: `${resources.length} ${type} resources listed`,
    });
    return searchBundle(fhirListFor(ctx.actor.role, resources), url, next);
  }

  /** The patient and every record of theirs Careloop serves, as the policy lets the role read them. */
  async everything(ctx: RequestContext, patientId: string, url: RequestUrl): Promise<Bundle> {
    // Clinical records the role may not read are not even queried; the rest is redacted below.
    const clinical = mayRead(ctx.actor.role, 'condition', 'record');
    const resources = UUID.test(patientId)
      ? await this.database.withTenant(ctx.actor.orgId, async (tx) => {
          const [patient] = await loadPatients(tx, [patientId]);
          if (!patient) return null;
          const all: PageQuery = { limit: EVERYTHING_LIMIT, after: null };
          const out: Resource[] = [toFhirPatient(patient)];
          const appointments = await appointmentRows(tx, { patientId }, all, this.reader(ctx));
          out.push(...appointments.map(toFhirAppointment));
          out.push(...(await communicationRows(tx, { patientId }, all)).map(toFhirCommunication));
          const more = await patientCompartment(tx, patientId, EVERYTHING_LIMIT);
          out.push(...more.coverage.map(toFhirCoverage));
          if (clinical) {
            out.push(
              ...(await encounterRows(tx, { patientId }, all, this.reader(ctx))).map(
                toFhirEncounter,
              ),
            );
            out.push(...(await conditionRows(tx, { patientId }, all)).map(toFhirCondition));
            out.push(...more.procedure.map(toFhirProcedure));
            out.push(...more.observation.map(toFhirObservation));
            out.push(...more.immunization.map(toFhirImmunization));
            out.push(...more.medication.map(toFhirMedicationRequest));
            out.push(...more.allergy.map(toFhirAllergy));
          }
          return out;
        })
      : null;
    await this.audit.read(ctx.audit, {
      action: 'read',
      recordType: 'fhir:Patient/$everything',
      recordId: patientId.slice(0, 64),
      patientId: resources ? patientId : null,
      outcome: resources ? 'success' : 'failed',
      reason: resources
        ? `${resources.length} resources${clinical ? '' : ', clinical left out'}`
        : 'not found',
    });
    if (!resources) throw notFound('Patient', patientId);
    return searchBundle(fhirListFor(ctx.actor.role, resources), url, null);
  }
}

function patientOf(resource: Resource): string | null {
  let ref: string | undefined;
  switch (resource.resourceType) {
    case 'Patient':
      return resource.id ?? null;
    case 'Appointment':
      ref = resource.participant[0]?.actor?.reference;
      break;
    case 'Encounter':
    case 'Condition':
    case 'Communication':
      ref = resource.subject?.reference;
      break;
    default:
      ref = undefined;
  }
  return ref?.startsWith('Patient/') ? ref.slice(8) : null;
}

async function readOne(
  tx: Db,
  type: ReadableType,
  id: string,
  reader: Reader,
): Promise<Resource | null> {
  const one: PageQuery = { limit: 1, after: null };
  switch (type) {
    case 'Patient': {
      const [record] = await loadPatients(tx, [id]);
      return record ? toFhirPatient(record) : null;
    }
    case 'Encounter': {
      const [row] = await encounterRows(tx, { id }, one, reader);
      return row ? toFhirEncounter(row) : null;
    }
    case 'Condition': {
      const [row] = await conditionRows(tx, { id }, one);
      return row ? toFhirCondition(row) : null;
    }
    case 'Appointment': {
      const [row] = await appointmentRows(tx, { id }, one, reader);
      return row ? toFhirAppointment(row) : null;
    }
    case 'Communication': {
      const [row] = await communicationRows(tx, { id }, one);
      return row ? toFhirCommunication(row) : null;
    }
  }
}

const iso = (v: Date | string) => new Date(v).toISOString();

async function byPatient(
  tx: Db,
  type: Exclude<ReadableType, 'Patient'>,
  patientId: string,
  page: PageQuery,
  reader: Reader,
): Promise<{ resources: Resource[]; next: string | null }> {
  const cut = <R extends { id: string }>(rows: R[], time: (r: R) => Date | string) => {
    const shown = rows.slice(0, page.limit - 1);
    const last = shown.at(-1);
    return {
      shown,
      next: rows.length >= page.limit && last ? encodeCursor([iso(time(last)), last.id]) : null,
    };
  };
  switch (type) {
    case 'Encounter': {
      const { shown, next } = cut(
        await encounterRows(tx, { patientId }, page, reader),
        (r) => r.startAt,
      );
      return { resources: shown.map(toFhirEncounter), next };
    }
    case 'Appointment': {
      const rows = await appointmentRows(tx, { patientId }, page, reader);
      const { shown, next } = cut(rows, (r) => r.startAt);
      return { resources: shown.map(toFhirAppointment), next };
    }
    case 'Condition': {
      const { shown, next } = cut(
        await conditionRows(tx, { patientId }, page),
        (r) => r.recordedAt,
      );
      return { resources: shown.map(toFhirCondition), next };
    }
    case 'Communication': {
      const { shown, next } = cut(
        await communicationRows(tx, { patientId }, page),
        (r) => r.createdAt,
      );
      return { resources: shown.map(toFhirCommunication), next };
    }
  }
}

/** `visible`: rows a parameter on a field other than the name may match (`notHidden`). */
function patientConditions(query: PatientSearch, insuranceIds: boolean, visible: SQL): SQL[] {
  const conditions: SQL[] = [sql`true`];
  for (const token of query.name ? nameTokens(query.name) : []) {
    const like = `${token.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    conditions.push(
      sql`(p.search_name like ${like} or p.search_name like ${`% ${like}`} or p.search_given like ${like})`,
    );
  }
  if (query.birthdate) {
    const range = parseDateParam(query.birthdate);
    const inside = sql`(${range.from === null ? sql`true` : sql`p.birth_date >= ${range.from}::date`}
      and ${range.to === null ? sql`true` : sql`p.birth_date < ${range.to}::date`})`;
    conditions.push(range.negate ? sql`not ${inside}` : inside);
  }
  if (query.identifier) {
    const token = parseToken(query.identifier);
    conditions.push(sql`exists (select 1 from patient_identifiers i where i.patient_id = p.id
      and i.value = ${token.value} ${token.system ? sql`and i.system = ${token.system}` : sql``}
      and ${searchableIdentifier(insuranceIds)})`);
  }
  if (query.telecom) {
    const t = telecomValue(query.telecom);
    conditions.push(sql`exists (select 1 from patient_contact_points c where c.patient_id = p.id
      and c.value = ${t.value} ${t.system ? sql`and c.system = ${t.system}` : sql``})`);
  }
  if (query.gender) conditions.push(sql`p.administrative_sex = ${query.gender}`);
  const byField = query.birthdate || query.identifier || query.telecom || query.gender;
  if (byField) conditions.push(visible);
  return conditions;
}
