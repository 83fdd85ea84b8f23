import { and, eq, sql } from 'drizzle-orm';
import type { Database } from '../../db/client.js';
import type { JobPayload } from '../jobs/names.js';
import { surveyResponses } from '../surveys/schema.js';
import { type JourneyRuntime, patientContext } from './runtime.js';
import { journeyEnrolments } from './schema.js';

/**
 * Issue 11 (h11v): the `survey.answered` handler. The patient's enrolments waiting for an answer
 * get it, and the journeys it triggers (the detractor follow-up) enrol the patient once per
 * answer, about the visit; conditions read `survey.category` (promoter, passive, detractor),
 * never the comment. Returns the new enrolments' ids.
 */
export async function onSurveyAnswered(
  database: Database,
  runtime: JourneyRuntime,
  payload: JobPayload<'survey.answered'>,
): Promise<string[]> {
  const { orgId, surveyResponseId } = payload;
  const found = await database.withTenant(orgId, async (tx) => {
    const [answer] = await tx
      .select({
        patientId: surveyResponses.patientId,
        appointmentId: surveyResponses.appointmentId,
        category: surveyResponses.category,
      })
      .from(surveyResponses)
      .where(and(eq(surveyResponses.orgId, orgId), eq(surveyResponses.id, surveyResponseId)));
    if (!answer) return null;
    const waiting = await tx
      .select({ id: journeyEnrolments.id })
      .from(journeyEnrolments)
      .where(
        and(
          eq(journeyEnrolments.patientId, answer.patientId),
          eq(journeyEnrolments.status, 'active'),
          sql`${journeyEnrolments.state}->>'awaiting' = 'survey.answered'`,
        ),
      );
    return { answer, waiting };
  });
  if (!found) return [];
  const attributes = { 'survey.category': found.answer.category };
  for (const e of found.waiting) {
    await runtime.runStep(orgId, e.id, { kind: 'event', event: 'survey.answered', attributes });
  }
  return database.withTenant(orgId, async (tx) => {
    const context = await patientContext(tx, found.answer.patientId, { times: {}, attributes });
    return runtime.enrolOnEvent(tx, orgId, 'survey.answered', {
      patientId: found.answer.patientId,
      contextKey: `survey:${surveyResponseId}`,
      appointmentId: found.answer.appointmentId,
      context,
    });
  });
}
