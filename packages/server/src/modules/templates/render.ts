import {
  appointmentDate,
  appointmentStart,
  appointmentTime,
  type MergeValues,
  renderTemplate,
  type TemplateBodies,
  type TemplateLanguage,
  templateLanguage,
} from '@careloop/core';
import { and, asc, eq, gte, ne } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { locations, organizations, practitioners } from '../directory/schema.js';
import { patients } from '../patients/schema.js';
import { appointments } from '../scheduling/schema.js';
import { messagePolicyOf, patientZone } from './policy.js';

/**
 * Issue 11 (h11v): what signs a visit's survey link (surveys/links.ts's SurveyLinks); declared
 * here by its shape, so templates need not import the surveys module that reads templates.
 */
export interface SurveyLinker {
  link(
    portal: string,
    visit: { orgId: string; patientId: string; appointmentId: string; visitStart: Date },
  ): string;
}

/** What a message is about: the patient, and an appointment when it concerns one. */
export interface MergeContext {
  orgId: string;
  patientId: string;
  appointmentId?: string | null;
  /** The appointment a preview shows when none is named: the patient's next one after this. */
  asOf?: Date;
}

export interface ResolvedMerge {
  values: MergeValues;
  language: TemplateLanguage;
  timeZone: string;
}

/**
 * The merge values for one patient, read in the caller's transaction: names, the appointment in
 * the patient's zone and language, its practitioner and location, the organization, links.
 * Nothing clinical is read (the appointment's reason is not selected).
 */
export async function mergeValuesFor(
  tx: Db,
  context: MergeContext,
  publicUrl: string,
  /** Issue 11 (h11v): signs a visit's survey link; without it (previews) the portal's list. */
  surveyLinks?: SurveyLinker,
): Promise<ResolvedMerge | null> {
  const { orgId, patientId } = context;
  const [patient] = await tx
    .select({
      givenName: patients.givenName,
      familyName: patients.familyName,
      preferredName: patients.preferredName,
      preferredLanguage: patients.preferredLanguage,
      organization: organizations.name,
    })
    .from(patients)
    .innerJoin(organizations, eq(organizations.id, patients.orgId))
    .where(and(eq(patients.orgId, orgId), eq(patients.id, patientId)));
  if (!patient) return null;
  const policy = await messagePolicyOf(tx, orgId);
  const language =
    templateLanguage(patient.preferredLanguage) ?? templateLanguage(policy.defaultLanguage) ?? 'en';
  const timeZone = await patientZone(tx, orgId, patientId);
  const portal = `${publicUrl.replace(/\/$/, '')}/portal`;
  const values: MergeValues = {
    'patient.firstName': patient.preferredName ?? patient.givenName,
    'patient.lastName': patient.familyName,
    'organization.name': patient.organization,
    'links.portal': portal,
    'links.survey': `${portal}/surveys`,
  };
  const appointment = await appointmentOf(tx, context);
  if (appointment) {
    const at = appointment.startAt;
    values['appointment.start'] = appointmentStart(at, timeZone, language);
    values['appointment.date'] = appointmentDate(at, timeZone, language);
    values['appointment.time'] = appointmentTime(at, timeZone, language);
    values['links.confirm'] = `${portal}/appointments/${appointment.id}?action=confirm`;
    values['links.reschedule'] = `${portal}/appointments/${appointment.id}?action=reschedule`;
    // Issue 11 (h11v): the visit's own survey, signed for its patient (docs/adr/0042).
    if (surveyLinks && context.appointmentId)
      values['links.survey'] = surveyLinks.link(portal, {
        orgId,
        patientId,
        appointmentId: appointment.id,
        visitStart: at,
      });
    if (appointment.practitionerGiven)
      values['practitioner.name'] = [
        appointment.practitionerPrefix,
        appointment.practitionerGiven,
        appointment.practitionerFamily,
      ]
        .filter(Boolean)
        .join(' ');
    if (appointment.locationName) {
      values['location.name'] = appointment.locationName;
      values['location.address'] = [appointment.locationLine1, appointment.locationCity]
        .filter(Boolean)
        .join(', ');
      values['location.phone'] = appointment.locationPhone ?? '';
    }
  }
  return { values, language, timeZone };
}

async function appointmentOf(tx: Db, context: MergeContext) {
  const { orgId, patientId } = context;
  const base = tx
    .select({
      id: appointments.id,
      startAt: appointments.startAt,
      practitionerPrefix: practitioners.prefix,
      practitionerGiven: practitioners.givenName,
      practitionerFamily: practitioners.familyName,
      locationName: locations.name,
      locationLine1: locations.line1,
      locationCity: locations.city,
      locationPhone: locations.phone,
    })
    .from(appointments)
    .leftJoin(
      practitioners,
      and(
        eq(practitioners.orgId, appointments.orgId),
        eq(practitioners.id, appointments.practitionerId),
      ),
    )
    .leftJoin(
      locations,
      and(eq(locations.orgId, appointments.orgId), eq(locations.id, appointments.locationId)),
    );
  if (context.appointmentId) {
    const [row] = await base.where(
      and(
        eq(appointments.orgId, orgId),
        eq(appointments.patientId, patientId),
        eq(appointments.id, context.appointmentId),
      ),
    );
    return row ?? null;
  }
  if (!context.asOf) return null;
  const [next] = await base
    .where(
      and(
        eq(appointments.orgId, orgId),
        eq(appointments.patientId, patientId),
        gte(appointments.startAt, context.asOf),
        ne(appointments.status, 'cancelled'),
      ),
    )
    .orderBy(asc(appointments.startAt))
    .limit(1);
  return next ?? null;
}

/** Renders a version's bodies with the values: text as is, HTML with every value escaped. */
export function renderBodies(bodies: TemplateBodies, values: MergeValues) {
  return {
    subject: bodies.subject ? renderTemplate(bodies.subject, values, 'text') : null,
    text: renderTemplate(bodies.text, values, 'text'),
    html: bodies.html ? renderTemplate(bodies.html, values, 'html') : null,
  };
}
