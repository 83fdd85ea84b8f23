import { randomUUID } from 'node:crypto';
import {
  badRequest,
  CareloopError,
  conflict,
  mayRead,
  type NpsCategory,
  npsCategory,
  npsOutcome,
  parseSurveyToken,
  type StaffSurveyResponse,
  SURVEY_FREQUENCIES,
  SURVEY_LINK_DAYS,
  type SurveyAnswerByToken,
  type SurveyAnswered,
  type SurveyAnswers,
  type SurveyFrequency,
  type SurveyInvitation,
  surveyTokenValid,
  templateLanguage,
} from '@careloop/core';
import { and, desc, eq, gte, isNull, lte } from 'drizzle-orm';
import { surveyCommentAad } from '../../crypto/encrypted-fields.js';
import type { FieldCipher } from '../../crypto/field-cipher.js';
import type { Database, Db } from '../../db/client.js';
import type { RequestContext } from '../../http/actor.js';
import type { Actor } from '../../http/context.js';
import type { AuditActor, AuditLog } from '../audit/service.js';
import { organizations } from '../directory/schema.js';
import type { DomainEventSink } from '../integrations/webhooks/events.js';
import type { JobRunner } from '../jobs/runner.js';
import { patients } from '../patients/schema.js';
import { appointments } from '../scheduling/schema.js';
import { messagePolicyOf, patientZones } from '../templates/service.js';
import { appendTouchpoints } from '../timeline/service.js';
import type { SurveyLinks } from './links.js';
import { surveyResponses } from './schema.js';

/** Where a request came from, for the audit log of an answer given through a link. */
export interface RequestOrigin {
  ip: string | null;
  userAgent: string | null;
}

/** A visit a survey is for, as its link or the portal found it. */
interface Visit {
  orgId: string;
  patientId: string;
  appointmentId: string;
  startAt: Date;
}

const TOKEN_FIELD = '/body/token';
const DAY = 86_400_000;

/**
 * The post-visit survey (issue 11, docs/adr/0042-survey-links.md): what a link opens, the one
 * answer per visit (stored, on the timeline as `survey.completed` for the NPS KPI and the
 * journey map, told to journeys and webhooks as `survey.answered` in the same transaction),
 * the signed-in portal's open surveys, and what staff read of the answers.
 */
export class SurveyService {
  constructor(
    private readonly database: Database,
    private readonly audit: AuditLog,
    private readonly cipher: FieldCipher,
    private readonly links: SurveyLinks,
    private readonly jobs: JobRunner,
    private readonly events: DomainEventSink,
    private readonly clock: () => Date,
  ) {}

  /** What a link opens: the organization, the visit's day, whether it was answered. */
  async open(tokenText: string): Promise<SurveyInvitation> {
    const token = parseSurveyToken(tokenText, TOKEN_FIELD);
    return this.database.withTenant(token.orgId, async (tx) => {
      const visit = await this.visitOfToken(tx, tokenText);
      return this.invitation(tx, visit);
    });
  }

  /** Answers a link's survey: once per visit, else a 409. */
  async answerByToken(body: SurveyAnswerByToken, from: RequestOrigin): Promise<SurveyAnswered> {
    const token = parseSurveyToken(body.token, TOKEN_FIELD);
    const { token: _token, ...answers } = body;
    return this.database.withTenant(token.orgId, async (tx) => {
      const visit = await this.visitOfToken(tx, body.token);
      // The link is the patient's credential: the audit names the patient, not a user.
      const actor: AuditActor = {
        orgId: visit.orgId,
        userId: null,
        email: null,
        role: 'patient',
        ip: from.ip,
        userAgent: from.userAgent,
      };
      return this.record(tx, visit, answers, 'link', actor, TOKEN_FIELD);
    });
  }

  /** The signed-in patient's completed visits of the last 30 days not yet answered. */
  async mine(ctx: RequestContext, patientId: string): Promise<SurveyInvitation[]> {
    const now = this.clock();
    return this.database.withTenant(ctx.actor.orgId, async (tx) => {
      const rows = await tx
        .select({ id: appointments.id, startAt: appointments.startAt })
        .from(appointments)
        .leftJoin(
          surveyResponses,
          and(
            eq(surveyResponses.orgId, appointments.orgId),
            eq(surveyResponses.appointmentId, appointments.id),
          ),
        )
        .where(
          and(
            eq(appointments.orgId, ctx.actor.orgId),
            eq(appointments.patientId, patientId),
            eq(appointments.status, 'completed'),
            gte(appointments.startAt, new Date(now.getTime() - SURVEY_LINK_DAYS * DAY)),
            lte(appointments.startAt, now),
            isNull(surveyResponses.id),
          ),
        )
        .orderBy(desc(appointments.startAt))
        .limit(20);
      const items: SurveyInvitation[] = [];
      for (const row of rows) {
        items.push(
          await this.invitation(tx, {
            orgId: ctx.actor.orgId,
            patientId,
            appointmentId: row.id,
            startAt: row.startAt,
          }),
        );
      }
      await this.audit.inTransaction(tx, ctx.audit, {
        action: 'read',
        recordType: 'survey_response',
        patientId,
        reason: 'portal: open surveys',
      });
      return items;
    });
  }

  /** Answers the survey of one of the signed-in patient's completed visits of the last 30 days. */
  async answerMine(
    ctx: RequestContext,
    patientId: string,
    appointmentId: string,
    answers: SurveyAnswers,
  ): Promise<SurveyAnswered> {
    const now = this.clock();
    return this.database.withTenant(ctx.actor.orgId, async (tx) => {
      const [row] = await tx
        .select({ startAt: appointments.startAt, status: appointments.status })
        .from(appointments)
        .where(
          and(
            eq(appointments.orgId, ctx.actor.orgId),
            eq(appointments.patientId, patientId),
            eq(appointments.id, appointmentId),
          ),
        );
      // Another patient's visit reads as none: the answer tells nothing about it.
      if (!row) throw new CareloopError('not_found', 'No such visit', '/params/id');
      const open =
        row.status === 'completed' &&
        row.startAt.getTime() <= now.getTime() &&
        now.getTime() - row.startAt.getTime() < SURVEY_LINK_DAYS * DAY;
      if (!open) throw badRequest('This visit has no survey to answer', '/params/id');
      const visit = { orgId: ctx.actor.orgId, patientId, appointmentId, startAt: row.startAt };
      return this.record(tx, visit, answers, 'portal', ctx.audit, '/params/id');
    });
  }

  /** A patient's answers for staff: scores for every reader, the comment where the policy allows. */
  async ofPatient(ctx: RequestContext, patientId: string): Promise<StaffSurveyResponse[]> {
    const { actor } = ctx;
    const mayReadComment = mayRead(actor.role, 'survey', 'comment');
    return this.database.withTenant(actor.orgId, async (tx) => {
      const rows = await tx
        .select()
        .from(surveyResponses)
        .where(
          and(eq(surveyResponses.orgId, actor.orgId), eq(surveyResponses.patientId, patientId)),
        )
        .orderBy(desc(surveyResponses.answeredAt))
        .limit(100);
      await this.audit.inTransaction(tx, ctx.audit, {
        action: 'read',
        recordType: 'survey_response',
        patientId,
        reason: mayReadComment ? 'survey answers with comments' : 'survey scores',
      });
      return rows.map((r) => this.forStaff(r, actor, mayReadComment));
    });
  }

  private forStaff(
    r: typeof surveyResponses.$inferSelect,
    actor: Actor,
    mayReadComment: boolean,
  ): StaffSurveyResponse {
    const comment =
      mayReadComment && r.commentEncrypted
        ? this.cipher.decrypt(r.commentEncrypted, surveyCommentAad(r.id, actor.orgId))
        : null;
    return {
      id: r.id,
      appointmentId: r.appointmentId,
      answeredAt: r.answeredAt.toISOString(),
      nps: r.nps,
      category: npsCategory(r.nps),
      communication: frequencyOf(r.communication),
      scheduling: frequencyOf(r.scheduling),
      comment,
      commentWithheld: !mayReadComment && r.commentEncrypted !== null,
    };
  }

  /**
   * The visit a link is for: the MAC must verify for the visit's patient, then the link must
   * not have expired. Every failure is a 400 naming the token; only a link signed here learns
   * that it expired.
   */
  private async visitOfToken(tx: Db, tokenText: string): Promise<Visit> {
    const token = parseSurveyToken(tokenText, TOKEN_FIELD);
    const [row] = await tx
      .select({ patientId: appointments.patientId, startAt: appointments.startAt })
      .from(appointments)
      .where(and(eq(appointments.orgId, token.orgId), eq(appointments.id, token.appointmentId)));
    if (!row || !this.links.verifies(token, row.patientId))
      throw badRequest('This survey link is not valid', TOKEN_FIELD);
    if (!surveyTokenValid(token, this.clock()))
      throw badRequest('This survey link has expired', TOKEN_FIELD);
    return {
      orgId: token.orgId,
      patientId: row.patientId,
      appointmentId: token.appointmentId,
      startAt: row.startAt,
    };
  }

  private async invitation(tx: Db, visit: Visit): Promise<SurveyInvitation> {
    const [row] = await tx
      .select({ organization: organizations.name, language: patients.preferredLanguage })
      .from(patients)
      .innerJoin(organizations, eq(organizations.id, patients.orgId))
      .where(and(eq(patients.orgId, visit.orgId), eq(patients.id, visit.patientId)));
    const policy = await messagePolicyOf(tx, visit.orgId);
    const zones = await patientZones(tx, visit.orgId, [visit.patientId]);
    const [answered] = await tx
      .select({ id: surveyResponses.id })
      .from(surveyResponses)
      .where(
        and(
          eq(surveyResponses.orgId, visit.orgId),
          eq(surveyResponses.appointmentId, visit.appointmentId),
        ),
      );
    return {
      appointmentId: visit.appointmentId,
      organization: row?.organization ?? '',
      visitDate: dayIn(visit.startAt, zones.get(visit.patientId) ?? 'UTC'),
      language: templateLanguage(row?.language) ?? templateLanguage(policy.defaultLanguage) ?? 'en',
      answered: answered !== undefined,
    };
  }

  /**
   * Stores one answer per visit with its touchpoint, audit entry, webhook deliveries and the
   * `survey.answered` job, all in `tx`. A second answer (or one racing this) is a 409.
   */
  private async record(
    tx: Db,
    visit: Visit,
    answers: SurveyAnswers,
    via: 'link' | 'portal',
    actor: AuditActor,
    field: string,
  ): Promise<SurveyAnswered> {
    const now = this.clock();
    const category = npsCategory(answers.nps);
    const id = randomUUID();
    const comment = answers.comment?.trim() ? answers.comment.trim() : null;
    const invitation = await this.invitation(tx, visit);
    const inserted = await tx
      .insert(surveyResponses)
      .values({
        id,
        orgId: visit.orgId,
        patientId: visit.patientId,
        appointmentId: visit.appointmentId,
        answeredAt: now,
        via,
        language: invitation.language,
        nps: answers.nps,
        category,
        communication: answers.communication ?? null,
        scheduling: answers.scheduling ?? null,
        commentEncrypted: comment
          ? this.cipher.encrypt(comment, surveyCommentAad(id, visit.orgId))
          : null,
      })
      .onConflictDoNothing()
      .returning({ id: surveyResponses.id });
    if (inserted.length === 0)
      throw conflict('This visit’s survey was already answered. Thank you!', field);
    const summary = `Survey: rated the visit ${answers.nps}/10 (${category})`;
    await appendTouchpoints(tx, [
      {
        orgId: visit.orgId,
        patientId: visit.patientId,
        channel: 'web',
        direction: 'inbound',
        stage: 'post-visit',
        type: 'survey.completed',
        outcome: npsOutcome(answers.nps),
        // Scores only: the comment stays sealed in the answer (FIELD_POLICY survey.comment).
        summary,
        nonClinicalSummary: summary,
        // The visit it is about: the NPS KPI takes its location, practitioner and service line.
        subjectType: 'appointment',
        subjectId: visit.appointmentId,
        occurredAt: now,
      },
    ]);
    await this.audit.inTransaction(tx, actor, {
      action: 'create',
      recordType: 'survey_response',
      recordId: id,
      patientId: visit.patientId,
      reason: `post-visit survey answered (${via})`,
    });
    await this.announce(tx, visit, id, category);
    return { id, category };
  }

  /** `survey.answered` to subscribed webhooks (ids and category) and to journeys, in `tx`. */
  private async announce(tx: Db, visit: Visit, id: string, category: NpsCategory): Promise<void> {
    await this.events.emit(tx, visit.orgId, [
      {
        type: 'survey.answered',
        data: {
          patientId: visit.patientId,
          appointmentId: visit.appointmentId,
          surveyResponseId: id,
          category,
        },
      },
    ]);
    // A process without the job runner (a test app, a tool) has no journeys to tell.
    if (this.jobs.running)
      await this.jobs.send(tx, 'survey.answered', { orgId: visit.orgId, surveyResponseId: id });
  }
}

const isFrequency = (value: string | null): value is SurveyFrequency =>
  (SURVEY_FREQUENCIES as readonly (string | null)[]).includes(value);
const frequencyOf = (value: string | null): SurveyFrequency | null =>
  isFrequency(value) ? value : null;

/** The calendar day of an instant in a zone, as YYYY-MM-DD. */
function dayIn(at: Date, timeZone: string): string {
  return new Intl.DateTimeFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).format(at);
}
