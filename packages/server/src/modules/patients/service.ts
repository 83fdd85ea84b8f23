import {
  badRequest,
  type Channel,
  type ConsentStatus,
  conflict,
  isFutureDate,
  mayRead,
  normalizePhone,
  notFound,
  type Patient360,
  type PatientCreate,
  type PatientListQuery,
  type PatientUpdate,
  type PreferencesUpdate,
  type PreRegistrationInput,
  type Purpose,
  policyClass,
  redact360,
  searchColumns,
  type TimelineQuery,
  touchpointFor,
  unknownReference,
} from '@careloop/core';
import { and, eq, inArray, sql } from 'drizzle-orm';
import type { FieldCipher } from '../../crypto/field-cipher.js';
import type { Database, Db } from '../../db/client.js';
import { FeedCache } from '../../db/feed-cache.js';
import type { RequestContext } from '../../http/actor.js';
import type { AuditLog } from '../audit/service.js';
import { locations } from '../directory/schema.js';
import type { DomainEvent, DomainEventSink } from '../integrations/webhooks/events.js';
import {
  identifierOwners,
  MpiConflictError,
  matchPerson,
  type SourcePerson,
} from '../mpi/match.js';
import {
  goldenDemographics,
  PORTAL_SOURCE,
  STAFF_SOURCE,
  sourceDemographics,
} from '../mpi/sources.js';
import { appendTouchpoints, type NewTouchpoint } from '../timeline/service.js';
import { normalizeContactPoints } from './contact.js';
import {
  addContactPoints,
  createGoldenRecord,
  type GoldenSource,
  MergedRecord,
  updateGoldenRecord,
} from './golden-record.js';
import { from360Row, load360, type Result360, sectionAccess, statement360 } from './read-model.js';
import { registrationDefaults } from './registration-defaults.js';
import {
  patientAddresses,
  patientConsents,
  patientContactPoints,
  patientIdentifiers,
  patients,
} from './schema.js';
import { searchPatients, timelinePage } from './search.js';

/** The patient list's filters, for the FHIR API's Patient search. */
export { notHidden, searchableIdentifier } from './search.js';

type Source = 'staff' | 'portal';

/** A birth date cannot be in the future (it was stored, 9999-12-31 included). */
function assertBorn(birthDate: string | undefined, ctx: RequestContext): void {
  if (birthDate !== undefined && isFutureDate(birthDate, ctx.asOf ?? new Date())) {
    throw badRequest('The birth date is in the future', '/body/birthDate');
  }
}

/**
 * A primary location must be one of the organization's own: row-level security hides the
 * others, so an unknown id and another tenant's read the same (422 naming the field).
 */
async function assertLocation(tx: Db, locationId: string | null | undefined): Promise<void> {
  if (!locationId) return;
  const [found] = await tx
    .select({ id: locations.id })
    .from(locations)
    .where(eq(locations.id, locationId));
  if (!found) throw unknownReference('primaryLocationId', 'location');
}

/** A registration at the desk, as the master patient index sees it. */
function staffPerson(
  id: string,
  input: PatientCreate,
  contactPoints: ReturnType<typeof normalizeContactPoints>,
): SourcePerson {
  const address = input.addresses?.[0];
  return {
    kind: 'staff',
    system: STAFF_SOURCE,
    sourceId: id,
    demographics: {
      given: input.givenName,
      middle: input.middleName ?? null,
      family: input.familyName,
      birthDate: input.birthDate,
      sex: input.administrativeSex,
      language: input.preferredLanguage ?? null,
      line: address?.line1 ?? null,
      city: address?.city ?? null,
      state: address?.state ?? null,
      postalCode: address?.postalCode ?? null,
      phone: contactPoints.find((c) => c.system === 'phone')?.value ?? null,
      email: contactPoints.find((c) => c.system === 'email')?.value ?? null,
      identifiers: (input.identifiers ?? []).map((i) => ({ system: i.system, value: i.value })),
    },
  };
}

/** A merged record's id still resolves, but its data lives on the survivor: write there. */
const mergedRecord = () =>
  conflict('This record was merged into another; open the surviving record instead');

/** Views kept per process: ~15 kB each, so at most ~75 MB. */
const VIEW_CACHE_ENTRIES = 5_000;
/** A backstop for writes that send no notification (triggers disabled by a restore). */
const VIEW_CACHE_TTL_MS = 30_000;

interface ViewTags {
  orgId: string;
  patientId: string;
}

/** The golden record: registration, updates, preferences and consents, and its read views. */
export class PatientService {
  /** 360 views by organization, patient and access level (docs/adr/0005); null on PGlite. */
  private readonly views: FeedCache<ViewTags, Patient360> | null;

  constructor(
    private readonly database: Database,
    private readonly audit: AuditLog,
    private readonly cipher: FieldCipher,
    /** Issue 11: `consent.changed` to subscribed webhooks, in the change's transaction. */
    private readonly events: DomainEventSink | null = null,
  ) {
    this.views = database.changes
      ? new FeedCache(database.changes, {
          maxEntries: VIEW_CACHE_ENTRIES,
          ttlMs: VIEW_CACHE_TTL_MS,
          affects: (change, tags) =>
            (change.kind === 'patient' &&
              change.patientId === tags.patientId &&
              change.orgId === tags.orgId) ||
            (change.kind === 'org' && change.orgId === tags.orgId),
        })
      : null;
  }

  /**
   * The 360 view, redacted for the actor's role, and audited: every call appends one read
   * event, whether the view came from the database or from the cache.
   */
  async get360(ctx: RequestContext, patientId: string): Promise<Patient360> {
    const access = sectionAccess(ctx.actor.role);
    const orgId = ctx.actor.orgId;
    const role = ctx.actor.role;
    const read = async () => {
      const [row] = await this.database.tenantRead<Result360>(
        orgId,
        statement360(patientId, access),
      );
      const full = from360Row(row, { access, cipher: this.cipher, orgId });
      return full && redact360(role, full);
    };
    // A cached view is already redacted, so it is keyed by policy class (the roles that read
    // exactly the same fields, docs/adr/0011) and task access: a role never receives a view
    // made for a role that may read more.
    const key = `${orgId}:${patientId}:${policyClass(role)}:${+access.tasks}`;
    const view = this.views
      ? await this.views.get(
          key,
          () => ({ orgId, patientId }),
          ctx.receivedAt ?? performance.now(),
          read,
        )
      : await read();
    await this.audit.read(ctx.audit, {
      action: 'read',
      recordType: 'patient',
      recordId: patientId,
      patientId: view ? patientId : null,
      outcome: view ? 'success' : 'failed',
      reason: view ? null : 'not found',
    });
    if (!view) throw notFound('Patient');
    return view;
  }

  /**
   * The patient list. `hidden`: restricted patients the reader may not open
   * (`RestrictionGuard.hiddenPatients`), kept out of matches and orderings on masked fields.
   */
  async search(ctx: RequestContext, query: PatientListQuery, hidden: ReadonlySet<string>) {
    const insuranceIds = mayRead(ctx.actor.role, 'coverage', 'memberId');
    const page = await this.database.withTenant(ctx.actor.orgId, (tx) =>
      searchPatients(tx, query, { insuranceIds, hidden: [...hidden] }),
    );
    await this.audit.read(ctx.audit, {
      action: 'search',
      recordType: 'patient',
      reason: `${page.items.length} patients listed`,
    });
    return page;
  }

  async timeline(ctx: RequestContext, patientId: string, query: TimelineQuery) {
    const stored = await this.database.withTenant(ctx.actor.orgId, async (tx) => {
      await this.requireExists(tx, patientId);
      return timelinePage(tx, patientId, query);
    });
    const page = {
      ...stored,
      items: stored.items.map((t) => touchpointFor(ctx.actor.role, t)),
    };
    await this.audit.read(ctx.audit, {
      action: 'read',
      recordType: 'timeline',
      patientId,
      recordId: patientId,
    });
    return page;
  }

  async create(ctx: RequestContext, input: PatientCreate): Promise<Patient360> {
    const contactPoints = normalizeContactPoints(input.contactPoints ?? []);
    return this.database.withTenant(ctx.actor.orgId, async (tx) => {
      const orgId = ctx.actor.orgId;
      assertBorn(input.birthDate, ctx);
      await assertLocation(tx, input.primaryLocationId);
      const id = crypto.randomUUID();
      const person = staffPerson(id, input, contactPoints);
      const decision = await matchPerson(tx, person, { allowScoreLink: false }).catch(
        (error: unknown) => {
          if (error instanceof MpiConflictError) throw conflict(error.message, '/body/identifiers');
          throw error;
        },
      );
      if (decision.kind === 'existing') {
        const owned = await identifierOwners(tx, input.identifiers ?? []);
        const index = (input.identifiers ?? []).findIndex((i) =>
          owned.some((o) => o.system === i.system && o.value === i.value),
        );
        throw conflict(
          'A patient with this identifier is already registered; open that record instead',
          index >= 0 ? `/body/identifiers/${index}/value` : '/body/identifiers',
        );
      }
      const defaults = await registrationDefaults(tx, ctx.actor, input);
      const identifiers = [...(input.identifiers ?? []), ...(defaults.mrn ? [defaults.mrn] : [])];
      // Possible duplicates go to the review queue; staff registration never links by score.
      await createGoldenRecord(
        tx,
        {
          id,
          orgId,
          givenName: input.givenName.trim(),
          middleName: input.middleName ?? null,
          familyName: input.familyName.trim(),
          preferredName: input.preferredName ?? null,
          ...searchColumns(input.familyName, input.givenName),
          birthDate: input.birthDate,
          administrativeSex: input.administrativeSex,
          genderIdentity: input.genderIdentity ?? null,
          preferredLanguage: input.preferredLanguage ?? 'en',
          preferredChannel: input.preferredChannel ?? null,
          timeZone: input.timeZone ?? null,
          primaryLocationId: defaults.primaryLocationId,
          flags: input.flags ?? [],
        },
        { person, decision },
      );
      const row = { id };
      await this.replaceAddresses(tx, orgId, row.id, input.addresses ?? []);
      await this.replaceContactPoints(tx, orgId, row.id, contactPoints);
      await this.replaceIdentifiers(tx, orgId, row.id, identifiers);
      await appendTouchpoints(tx, [
        {
          orgId,
          patientId: row.id,
          channel: 'system',
          direction: 'internal',
          type: 'patient.registered',
          stage: 'awareness',
          summary: `Registered by ${ctx.actor.displayName}`,
          nonClinicalSummary: `Registered by ${ctx.actor.displayName}`,
          subjectType: 'patient',
          subjectId: row.id,
        },
      ]);
      await this.audit.inTransaction(tx, ctx.audit, {
        action: 'create',
        recordType: 'patient',
        recordId: row.id,
        patientId: row.id,
      });
      return this.view(tx, ctx, row.id);
    });
  }

  async update(ctx: RequestContext, patientId: string, input: PatientUpdate): Promise<Patient360> {
    const contactPoints = input.contactPoints ? normalizeContactPoints(input.contactPoints) : null;
    return this.database.withTenant(ctx.actor.orgId, async (tx) => {
      const orgId = ctx.actor.orgId;
      const [current] = await tx
        .select()
        .from(patients)
        .where(eq(patients.id, patientId))
        .for('update');
      if (!current) throw notFound('Patient');
      if (current.status === 'merged') throw mergedRecord();
      assertBorn(input.birthDate, ctx);
      await assertLocation(tx, input.primaryLocationId);
      if (input.addresses) await this.replaceAddresses(tx, orgId, patientId, input.addresses);
      if (contactPoints) await this.replaceContactPoints(tx, orgId, patientId, contactPoints);
      if (input.identifiers) await this.replaceIdentifiers(tx, orgId, patientId, input.identifiers);
      // What staff saved is the staff source's description now: the record as it stands with
      // the fields staff changed. Survivorship keeps it unless a clinical system sends
      // something newer, or the patient states a preference.
      const stands = await goldenDemographics(tx, patientId);
      const staff: GoldenSource = {
        person: {
          kind: 'staff',
          system: STAFF_SOURCE,
          sourceId: patientId,
          demographics: {
            ...stands,
            ...(input.givenName !== undefined && { given: input.givenName }),
            ...(input.middleName !== undefined && { middle: input.middleName }),
            ...(input.familyName !== undefined && { family: input.familyName }),
            ...(input.birthDate !== undefined && { birthDate: input.birthDate }),
            ...(input.administrativeSex !== undefined && { sex: input.administrativeSex }),
            ...(input.preferredLanguage !== undefined && { language: input.preferredLanguage }),
          },
        },
        decision: { kind: 'existing', patientId, method: 'source', score: null },
      };
      await updateGoldenRecord(tx, orgId, patientId, staff, {
        ...(input.preferredName !== undefined && { preferredName: input.preferredName }),
        ...(input.genderIdentity !== undefined && { genderIdentity: input.genderIdentity }),
        ...(input.preferredChannel !== undefined && { preferredChannel: input.preferredChannel }),
        ...(input.timeZone !== undefined && { timeZone: input.timeZone }),
        ...(input.primaryLocationId !== undefined && {
          primaryLocationId: input.primaryLocationId,
        }),
        ...(input.flags !== undefined && { flags: input.flags }),
      });
      const fields = Object.keys(input).filter(
        (k) => input[k as keyof PatientUpdate] !== undefined,
      );
      await appendTouchpoints(tx, [
        {
          orgId,
          patientId,
          channel: 'system',
          direction: 'internal',
          type: 'patient.updated',
          stage: 'awareness',
          // Field names only: the values are PHI and live in the record itself.
          summary: `Record updated by ${ctx.actor.displayName}: ${fields.join(', ') || 'no fields'}`,
          nonClinicalSummary: `Record updated by ${ctx.actor.displayName}: ${fields.join(', ') || 'no fields'}`,
          subjectType: 'patient',
          subjectId: patientId,
        },
      ]);
      await this.audit.inTransaction(tx, ctx.audit, {
        action: 'update',
        recordType: 'patient',
        recordId: patientId,
        patientId,
        reason: fields.length ? `fields: ${fields.join(', ')}` : null,
      });
      return this.view(tx, ctx, patientId);
    });
  }

  // Issue 11: consent a patient gives or withdraws by an SMS keyword (STOP, START).
  /**
   * Sets the patient's consent for `channel` and each of `purposes` to `status`, inside the
   * caller's transaction (the inbound message that asked for it), with a touchpoint per change.
   * Returns the purposes that changed: none when the patient had already decided so.
   */
  async recordChannelConsent(
    tx: Db,
    change: {
      orgId: string;
      patientId: string;
      channel: Channel;
      purposes: readonly Purpose[];
      status: ConsentStatus;
      /** What the patient did, for the consent's source: e.g. `sms-keyword`. */
      source: string;
      at: Date;
    },
  ): Promise<Purpose[]> {
    const { orgId, patientId, channel, status, source, at } = change;
    const existing = await tx
      .select({ purpose: patientConsents.purpose, status: patientConsents.status })
      .from(patientConsents)
      .where(and(eq(patientConsents.patientId, patientId), eq(patientConsents.channel, channel)));
    const changed = change.purposes.filter(
      (purpose) => existing.find((c) => c.purpose === purpose)?.status !== status,
    );
    if (changed.length === 0) return [];
    await tx
      .insert(patientConsents)
      .values(
        changed.map((purpose) => ({
          orgId,
          patientId,
          channel,
          purpose,
          status,
          source,
          recordedAt: at,
        })),
      )
      .onConflictDoUpdate({
        target: [patientConsents.patientId, patientConsents.channel, patientConsents.purpose],
        set: { status, source, recordedAt: at },
      });
    const verb = status === 'granted' ? 'Opted in to' : 'Opted out of';
    await appendTouchpoints(
      tx,
      changed.map((purpose) => {
        const summary = `${verb} ${purpose.replace(/-/g, ' ')} by ${channel}`;
        return {
          orgId,
          patientId,
          channel,
          direction: 'inbound' as const,
          type: status === 'granted' ? 'consent.granted' : 'consent.withdrawn',
          stage: 'follow-up' as const,
          summary,
          nonClinicalSummary: summary,
          outcome: status,
          subjectType: 'consent',
          occurredAt: at,
        };
      }),
    );
    await this.events?.emit(
      tx,
      orgId,
      changed.map((purpose) => consentChanged(patientId, channel, purpose, status)),
    );
    return changed;
  }

  /**
   * Records preference and consent changes, each consent change as a touchpoint, whether a
   * patient made it in the portal or staff recorded it.
   */
  async updatePreferences(
    ctx: RequestContext,
    patientId: string,
    input: PreferencesUpdate,
    source: Source,
  ): Promise<void> {
    await this.database.withTenant(ctx.actor.orgId, async (tx) => {
      const orgId = ctx.actor.orgId;
      await this.requireExists(tx, patientId);
      const now = new Date();
      if (input.preferredChannel !== undefined || input.preferredLanguage !== undefined) {
        // The language is survivorship's to decide: it is recorded as what this source (the
        // patient's account, or staff) states, and ranks above what clinical feeds send.
        const language =
          input.preferredLanguage !== undefined
            ? await this.statedLanguage(tx, ctx, patientId, source, input.preferredLanguage)
            : null;
        await updateGoldenRecord(
          tx,
          orgId,
          patientId,
          language,
          input.preferredChannel !== undefined ? { preferredChannel: input.preferredChannel } : {},
          now,
        ).catch((error: unknown) => {
          if (error instanceof MergedRecord) throw mergedRecord();
          throw error;
        });
      }
      const existing = await tx
        .select()
        .from(patientConsents)
        .where(eq(patientConsents.patientId, patientId));
      const events: NewTouchpoint[] = [];
      const channel = source === 'portal' ? 'portal' : 'system';
      const direction = source === 'portal' ? 'inbound' : 'internal';
      for (const change of input.consents ?? []) {
        const before = existing.find(
          (c) => c.channel === change.channel && c.purpose === change.purpose,
        );
        if (before?.status === change.status) continue;
        await tx
          .insert(patientConsents)
          .values({
            orgId,
            patientId,
            channel: change.channel,
            purpose: change.purpose,
            status: change.status,
            source,
            recordedAt: now,
          })
          .onConflictDoUpdate({
            target: [patientConsents.patientId, patientConsents.channel, patientConsents.purpose],
            set: { status: change.status, source, recordedAt: now },
          });
        events.push({
          orgId,
          patientId,
          channel,
          direction,
          type: change.status === 'granted' ? 'consent.granted' : 'consent.withdrawn',
          stage: 'follow-up',
          summary: `${change.status === 'granted' ? 'Opted in to' : 'Opted out of'} ${change.purpose.replace(/-/g, ' ')} by ${change.channel}`,
          nonClinicalSummary: `${change.status === 'granted' ? 'Opted in to' : 'Opted out of'} ${change.purpose.replace(/-/g, ' ')} by ${change.channel}`,
          outcome: change.status,
          subjectType: 'consent',
          occurredAt: now,
        });
      }
      if (input.preferredChannel !== undefined || input.preferredLanguage !== undefined) {
        const summary = [
          input.preferredChannel && `Preferred channel: ${input.preferredChannel}`,
          input.preferredLanguage && `Preferred language: ${input.preferredLanguage}`,
        ]
          .filter(Boolean)
          .join('; ');
        events.push({
          orgId,
          patientId,
          channel,
          direction,
          type: 'preferences.updated',
          stage: 'follow-up',
          summary,
          nonClinicalSummary: summary,
          subjectType: 'patient',
          subjectId: patientId,
          occurredAt: now,
        });
      }
      await appendTouchpoints(tx, events);
      await this.events?.emit(
        tx,
        orgId,
        (input.consents ?? [])
          .filter(
            (change) =>
              existing.find((c) => c.channel === change.channel && c.purpose === change.purpose)
                ?.status !== change.status,
          )
          .map((change) =>
            consentChanged(patientId, change.channel, change.purpose, change.status),
          ),
      );
      await this.audit.inTransaction(tx, ctx.audit, {
        action: 'update',
        recordType: 'consent',
        recordId: patientId,
        patientId,
        reason: `${events.length} preference changes via ${source}`,
      });
    });
  }

  /**
   * A preferred language as its source states it: the patient's account (the portal source its
   * sign-up recorded) or the staff source, each keeping what else it said before.
   */
  private async statedLanguage(
    tx: Db,
    ctx: RequestContext,
    patientId: string,
    source: Source,
    language: string,
  ): Promise<GoldenSource> {
    const system = source === 'portal' ? PORTAL_SOURCE : STAFF_SOURCE;
    const sourceId = source === 'portal' ? ctx.actor.userId : patientId;
    const before = await sourceDemographics(tx, system, sourceId);
    return {
      person: {
        kind: source,
        system,
        sourceId,
        demographics: { identifiers: [], ...before, language },
      },
      decision: { kind: 'existing', patientId, method: 'source', score: null },
    };
  }

  private async view(tx: Db, ctx: RequestContext, patientId: string): Promise<Patient360> {
    const view = await load360(tx, patientId, {
      access: sectionAccess(ctx.actor.role),
      cipher: this.cipher,
      orgId: ctx.actor.orgId,
    });
    if (!view) throw notFound('Patient');
    return redact360(ctx.actor.role, view);
  }

  private async requireExists(tx: Db, patientId: string): Promise<void> {
    const [row] = await tx
      .select({ id: patients.id })
      .from(patients)
      .where(eq(patients.id, patientId));
    if (!row) throw notFound('Patient');
  }

  private async replaceAddresses(
    tx: Db,
    orgId: string,
    patientId: string,
    addresses: NonNullable<PatientCreate['addresses']>,
  ): Promise<void> {
    await tx.delete(patientAddresses).where(eq(patientAddresses.patientId, patientId));
    if (addresses.length === 0) return;
    await tx.insert(patientAddresses).values(
      addresses.map((a, position) => ({
        orgId,
        patientId,
        use: a.use ?? 'home',
        line1: a.line1,
        line2: a.line2 ?? null,
        city: a.city,
        state: a.state,
        postalCode: a.postalCode,
        country: a.country ?? 'US',
        position,
      })),
    );
  }

  private async replaceContactPoints(
    tx: Db,
    orgId: string,
    patientId: string,
    points: ReturnType<typeof normalizeContactPoints>,
  ): Promise<void> {
    await tx.delete(patientContactPoints).where(eq(patientContactPoints.patientId, patientId));
    if (points.length === 0) return;
    await tx.insert(patientContactPoints).values(points.map((p) => ({ ...p, orgId, patientId })));
  }

  private async replaceIdentifiers(
    tx: Db,
    orgId: string,
    patientId: string,
    identifiers: NonNullable<PatientCreate['identifiers']>,
  ): Promise<void> {
    if (identifiers.length > 0) {
      const taken = await tx
        .select({ system: patientIdentifiers.system, value: patientIdentifiers.value })
        .from(patientIdentifiers)
        .where(
          and(
            inArray(
              patientIdentifiers.value,
              identifiers.map((i) => i.value),
            ),
            sql`${patientIdentifiers.patientId} <> ${patientId}`,
          ),
        );
      const clash = identifiers.findIndex((i) =>
        taken.some((t) => t.system === i.system && t.value === i.value),
      );
      if (clash >= 0) {
        throw conflict(
          'Another patient already has this identifier',
          `/body/identifiers/${clash}/value`,
        );
      }
    }
    await tx.delete(patientIdentifiers).where(eq(patientIdentifiers.patientId, patientId));
    if (identifiers.length === 0) return;
    await tx.insert(patientIdentifiers).values(
      identifiers.map((i) => ({
        orgId,
        patientId,
        system: i.system,
        value: i.value,
        type: i.type ?? null,
        source: i.source ?? 'careloop',
      })),
    );
  }
  // Issue 13 (h13r): pre-registration before a visit.
  /**
   * What a patient states about themselves when pre-registering, as the portal source: name,
   * birth date and sex go to survivorship (which keeps what staff or the EHR registered over
   * what a patient typed), the preferred name and gender identity are set, the home address is
   * replaced (other addresses stay) and a new phone is added. Audited, with a touchpoint.
   */
  async recordPortalDemographics(
    ctx: RequestContext,
    patientId: string,
    input: Pick<PreRegistrationInput, 'demographics' | 'address' | 'phone'>,
    at: Date,
  ): Promise<void> {
    const orgId = ctx.actor.orgId;
    const phone = input.phone?.trim() ? normalizePhone(input.phone) : null;
    await this.database.withTenant(orgId, async (tx) => {
      await this.requireExists(tx, patientId);
      const d = input.demographics;
      const a = input.address;
      const before = await sourceDemographics(tx, PORTAL_SOURCE, ctx.actor.userId);
      const portal: GoldenSource = {
        person: {
          kind: 'portal',
          system: PORTAL_SOURCE,
          sourceId: ctx.actor.userId,
          demographics: {
            identifiers: [],
            ...before,
            given: d.givenName.trim(),
            middle: d.middleName?.trim() || null,
            family: d.familyName.trim(),
            birthDate: d.birthDate,
            sex: d.administrativeSex,
            line: [a.line1, a.line2].filter((l) => l?.trim()).join(', '),
            city: a.city.trim(),
            state: a.state.trim(),
            postalCode: a.postalCode.trim(),
            ...(phone && { phone: phone.e164 }),
          },
        },
        decision: { kind: 'existing', patientId, method: 'source', score: null },
      };
      await updateGoldenRecord(
        tx,
        orgId,
        patientId,
        portal,
        {
          preferredName: d.preferredName?.trim() || null,
          genderIdentity: d.genderIdentity?.trim() || null,
        },
        at,
      ).catch((error: unknown) => {
        if (error instanceof MergedRecord) throw mergedRecord();
        throw error;
      });
      // The home address is the patient's to state; other addresses (mailing, work, what a
      // feed sent) stay as they are, after it.
      await tx
        .delete(patientAddresses)
        .where(and(eq(patientAddresses.patientId, patientId), eq(patientAddresses.use, 'home')));
      await tx
        .update(patientAddresses)
        .set({ position: sql`${patientAddresses.position} + 1` })
        .where(eq(patientAddresses.patientId, patientId));
      await tx.insert(patientAddresses).values({
        orgId,
        patientId,
        use: 'home',
        line1: a.line1.trim(),
        line2: a.line2?.trim() || null,
        city: a.city.trim(),
        state: a.state.trim(),
        postalCode: a.postalCode.trim(),
        country: a.country ?? 'US',
        position: 0,
      });
      if (phone) {
        const known = await tx
          .select({ value: patientContactPoints.value })
          .from(patientContactPoints)
          .where(
            and(
              eq(patientContactPoints.patientId, patientId),
              eq(patientContactPoints.system, 'phone'),
            ),
          );
        if (!known.some((k) => k.value === phone.e164)) {
          await addContactPoints(tx, [
            {
              orgId,
              patientId,
              system: 'phone',
              value: phone.e164,
              display: phone.display,
              use: 'mobile',
              isPrimary: known.length === 0,
            },
          ]);
        }
      }
      const summary = 'Pre-registered in the portal: demographics and address';
      await appendTouchpoints(tx, [
        {
          orgId,
          patientId,
          channel: 'portal',
          direction: 'inbound',
          type: 'patient.pre-registered',
          stage: 'pre-visit',
          summary,
          nonClinicalSummary: summary,
          subjectType: 'patient',
          subjectId: patientId,
          occurredAt: at,
        },
      ]);
      await this.audit.inTransaction(tx, ctx.audit, {
        action: 'update',
        recordType: 'patient',
        recordId: patientId,
        patientId,
        reason: 'pre-registration via portal: demographics, address',
      });
    });
  }
}

/** A consent change as webhooks tell it: whose, which consent, and what it became. */
function consentChanged(
  patientId: string,
  channel: string,
  purpose: string,
  status: string,
): DomainEvent {
  return { type: 'consent.changed', data: { patientId, channel, purpose, status } };
}
