import {
  type AppointmentPreRegistration,
  type AttachmentUpload,
  badRequest,
  type CardSide,
  type CoverageInput,
  mayRead,
  notFound,
  type PortalPreRegistration,
  type PreRegistrationInput,
  type PreRegistrationSubmitted,
  preRegistrationErrors,
  preRegistrationOf,
  preRegistrationProblem,
  type StaffPreRegistration,
  unknownReference,
} from '@careloop/core';
import { and, desc, eq, gte, inArray } from 'drizzle-orm';
import { emergencyContactAad } from '../../crypto/encrypted-fields.js';
import type { FieldCipher } from '../../crypto/field-cipher.js';
import type { Database, Db } from '../../db/client.js';
import type { RequestContext } from '../../http/actor.js';
import type { AuditLog } from '../audit/service.js';
import { patients } from '../patients/schema.js';
import type { PatientService } from '../patients/service.js';
import { appointments } from '../scheduling/schema.js';
import { preRegistrations } from './schema.js';

/**
 * The coverage owner's portal writer (patients/coverage.ts), as this module uses it: the card
 * sides are checked before any write (`C` is its checked card), then recorded with the coverage.
 */
export interface PortalCoverageWriter<C> {
  checkCard(upload: AttachmentUpload, side: CardSide, path: string): C;
  recordFromPortal(
    ctx: RequestContext,
    patientId: string,
    input: CoverageInput,
    cards: readonly C[],
    at: Date,
  ): Promise<string>;
}

/** Statuses of a visit still to come, for the portal's list of states. */
const UPCOMING = ['booked', 'proposed', 'arrived'];
const MAX_STATES = 500;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Pre-registration before a visit (issue 13, docs/pre-registration.md). What the patient says
 * goes to each record's owner, each write audited in its own transaction: demographics and
 * address to the golden record as the portal source (survivorship decides), insurance to the
 * coverage service with the card images, preferences and consents to the patient service. The
 * pre-registration row is written last, so a visit shows as pre-registered only once every part
 * was saved; a patient who resubmits after a failure updates the same coverage, not a second.
 */
export class PreRegistrationService<C> {
  constructor(
    private readonly database: Database,
    private readonly audit: AuditLog,
    private readonly cipher: FieldCipher,
    private readonly patients: PatientService,
    private readonly coverage: PortalCoverageWriter<C>,
    private readonly clock: () => Date,
  ) {}

  async submit(
    ctx: RequestContext,
    patientId: string,
    input: PreRegistrationInput,
  ): Promise<PreRegistrationSubmitted> {
    const at = this.clock();
    const issues = preRegistrationErrors(input, at);
    if (issues.length > 0) throw preRegistrationProblem(issues);
    const insurance = input.insurance;
    // Every card is decoded and checked (size first) before anything is written.
    const cards: C[] = [];
    if (insurance?.cardFront) {
      cards.push(
        this.coverage.checkCard(
          insurance.cardFront,
          'front',
          '/body/insurance/cardFront/dataBase64',
        ),
      );
    }
    if (insurance?.cardBack) {
      cards.push(
        this.coverage.checkCard(insurance.cardBack, 'back', '/body/insurance/cardBack/dataBase64'),
      );
    }
    const appointmentId = input.appointmentId ?? null;
    if (appointmentId) await this.requireOwnAppointment(ctx, patientId, appointmentId);

    await this.patients.recordPortalDemographics(ctx, patientId, input, at);
    const coverageId = insurance
      ? await this.coverage.recordFromPortal(
          ctx,
          patientId,
          {
            payer: insurance.payer,
            plan: insurance.plan?.trim() || null,
            memberId: insurance.memberId,
            groupNumber: insurance.groupNumber?.trim() || null,
            subscriberRelationship: insurance.subscriberRelationship,
            subscriberName:
              insurance.subscriberRelationship === 'self'
                ? null
                : insurance.subscriberName?.trim() || null,
            subscriberBirthDate:
              insurance.subscriberRelationship === 'self'
                ? null
                : insurance.subscriberBirthDate?.trim() || null,
          },
          cards,
          at,
        )
      : null;
    await this.patients.updatePreferences(
      ctx,
      patientId,
      {
        preferredChannel: input.preferences.preferredChannel,
        preferredLanguage: input.preferences.preferredLanguage,
        consents: input.preferences.communication,
      },
      'portal',
    );

    const orgId = ctx.actor.orgId;
    const id = crypto.randomUUID();
    const contact = input.emergencyContact;
    await this.database.withTenant(orgId, async (tx) => {
      await tx.insert(preRegistrations).values({
        id,
        orgId,
        patientId,
        appointmentId,
        coverageId,
        submittedBy: ctx.actor.userId,
        submittedAt: at,
        treatmentConsent: input.consents.treatment,
        privacyNotice: input.consents.privacyNotice,
        emergencyContactEncrypted: this.cipher.encrypt(
          JSON.stringify({
            name: contact.name.trim(),
            relationship: contact.relationship.trim(),
            phone: contact.phone.trim(),
          }),
          emergencyContactAad(id, orgId),
        ),
      });
      await this.audit.inTransaction(tx, ctx.audit, {
        action: 'create',
        recordType: 'pre-registration',
        recordId: id,
        patientId,
        reason: appointmentId ? 'for an appointment' : 'from the portal home',
      });
    });
    return { id, submittedAt: at.toISOString(), appointmentId, coverageId };
  }

  /** The patient's latest pre-registration and the state of each of their upcoming visits. */
  async mine(ctx: RequestContext, patientId: string): Promise<PortalPreRegistration> {
    const now = this.clock();
    const { submissions, upcoming } = await this.database.withTenant(
      ctx.actor.orgId,
      async (tx) => ({
        submissions: await submissionsOf(tx, [patientId]),
        upcoming: await tx
          .select({ id: appointments.id, startAt: appointments.startAt })
          .from(appointments)
          .where(
            and(
              eq(appointments.patientId, patientId),
              gte(appointments.endAt, now),
              inArray(appointments.status, UPCOMING),
            ),
          ),
      }),
    );
    await this.audit.read(ctx.audit, {
      action: 'read',
      recordType: 'pre-registration',
      recordId: patientId,
      patientId,
    });
    const [latest] = submissions;
    return {
      latest: latest
        ? {
            id: latest.id,
            submittedAt: latest.submittedAt,
            appointmentId: latest.appointmentId,
          }
        : null,
      appointments: upcoming.map((a) => stateOf(a.id, a.startAt, submissions)),
    };
  }

  /**
   * Each appointment's state, for the calendar's badge. Appointments of patients the reader may
   * not open (`hidden`: restricted) read as not started, as the calendar shows them nameless.
   */
  async states(
    ctx: RequestContext,
    appointmentIdList: string,
    hidden: (patientIds: string[], tx: Db) => Promise<Set<string>>,
  ): Promise<AppointmentPreRegistration[]> {
    const ids = [...new Set(appointmentIdList.split(',').map((s) => s.trim()))];
    if (ids.length > MAX_STATES) {
      throw badRequest(`Ask for at most ${MAX_STATES} appointments`, '/query/appointmentIds');
    }
    if (!ids.every((id) => UUID.test(id))) {
      throw badRequest(
        'appointmentIds must be appointment ids, comma-separated',
        '/query/appointmentIds',
      );
    }
    return this.database.withTenant(ctx.actor.orgId, async (tx) => {
      const rows = await tx
        .select({
          id: appointments.id,
          patientId: appointments.patientId,
          startAt: appointments.startAt,
        })
        .from(appointments)
        .where(inArray(appointments.id, ids));
      const patientIds = [...new Set(rows.map((r) => r.patientId))];
      const masked = await hidden(patientIds, tx);
      const submissions = await submissionsOf(
        tx,
        patientIds.filter((p) => !masked.has(p)),
      );
      if (patientIds.length > 0) {
        await this.audit.inTransaction(tx, ctx.audit, {
          action: 'search',
          recordType: 'pre-registration',
          reason: `calendar badges: ${rows.length} appointments of ${patientIds.length} patients`,
        });
      }
      return rows.map((r) =>
        masked.has(r.patientId)
          ? { appointmentId: r.id, state: 'not-started' as const, submittedAt: null }
          : stateOf(
              r.id,
              r.startAt,
              submissions.filter((s) => s.patientId === r.patientId),
            ),
      );
    });
  }

  /** The latest pre-registration as staff see it from the 360 page; an audited read. */
  async ofPatient(ctx: RequestContext, patientId: string): Promise<StaffPreRegistration> {
    const orgId = ctx.actor.orgId;
    const row = await this.database.withTenant(orgId, async (tx) => {
      const [patient] = await tx
        .select({ id: patients.id })
        .from(patients)
        .where(eq(patients.id, patientId));
      if (!patient) throw notFound('Patient');
      const [latest] = await tx
        .select()
        .from(preRegistrations)
        .where(eq(preRegistrations.patientId, patientId))
        .orderBy(desc(preRegistrations.submittedAt))
        .limit(1);
      return latest ?? null;
    });
    await this.audit.read(ctx.audit, {
      action: 'read',
      recordType: 'pre-registration',
      recordId: row?.id ?? null,
      patientId,
    });
    if (!row) return { latest: null };
    const contact = mayRead(ctx.actor.role, 'preRegistration', 'emergencyContact')
      ? parseContact(
          this.cipher.decrypt(row.emergencyContactEncrypted, emergencyContactAad(row.id, orgId)),
        )
      : null;
    return {
      latest: {
        id: row.id,
        submittedAt: row.submittedAt.toISOString(),
        appointmentId: row.appointmentId,
        coverageId: row.coverageId,
        treatmentConsent: row.treatmentConsent,
        privacyNotice: row.privacyNotice,
        emergencyContact: contact,
      },
    };
  }

  private async requireOwnAppointment(
    ctx: RequestContext,
    patientId: string,
    appointmentId: string,
  ): Promise<void> {
    const [own] = await this.database.withTenant(ctx.actor.orgId, (tx) =>
      tx
        .select({ id: appointments.id })
        .from(appointments)
        .where(and(eq(appointments.id, appointmentId), eq(appointments.patientId, patientId))),
    );
    // Another patient's visit reads as unknown: the answer tells nothing about it.
    if (!own) throw unknownReference('appointmentId', 'visit of yours');
  }
}

interface Submission {
  id: string;
  patientId: string;
  appointmentId: string | null;
  submittedAt: string;
}

/** Submissions of these patients, newest first. */
async function submissionsOf(tx: Db, patientIds: readonly string[]): Promise<Submission[]> {
  if (patientIds.length === 0) return [];
  const rows = await tx
    .select({
      id: preRegistrations.id,
      patientId: preRegistrations.patientId,
      appointmentId: preRegistrations.appointmentId,
      submittedAt: preRegistrations.submittedAt,
    })
    .from(preRegistrations)
    .where(inArray(preRegistrations.patientId, [...patientIds]))
    .orderBy(desc(preRegistrations.submittedAt));
  return rows.map((r) => ({ ...r, submittedAt: r.submittedAt.toISOString() }));
}

function stateOf(
  appointmentId: string,
  startAt: Date,
  submissions: readonly Submission[],
): AppointmentPreRegistration {
  return {
    appointmentId,
    ...preRegistrationOf({ id: appointmentId, start: startAt.toISOString() }, submissions),
  };
}

/** The sealed contact, checked like any input read back. */
function parseContact(text: string): { name: string; relationship: string; phone: string } {
  const value: unknown = JSON.parse(text);
  if (
    typeof value === 'object' &&
    value !== null &&
    'name' in value &&
    'relationship' in value &&
    'phone' in value &&
    typeof value.name === 'string' &&
    typeof value.relationship === 'string' &&
    typeof value.phone === 'string'
  ) {
    return { name: value.name, relationship: value.relationship, phone: value.phone };
  }
  throw new Error('emergency contact: unexpected sealed value');
}
