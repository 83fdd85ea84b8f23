import { CareloopError, portalMessageNotice } from '@careloop/core';
import { and, desc, eq } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { organizations } from '../directory/schema.js';
import type { OutboxService } from '../messaging/outbox.js';
import { patientContactPoints, patients } from '../patients/schema.js';
import { messageTemplates, messageTemplateVersions } from '../templates/schema.js';
import { mergeValuesFor, renderBodies } from '../templates/service.js';

const E164 = /^\+[1-9]\d{6,14}$/;

/**
 * Tells the patient a message waits in the portal, by their preferred channel (else the one
 * they can be reached on): the organization's name and nothing else, never a word of the
 * message (docs/inbox.md). Queued in the outbox as an operations message, so consent and quiet
 * hours are checked when it is delivered. Returns its id; null when the patient has no address.
 */
export async function notifyPatient(
  tx: Db,
  outbox: OutboxService,
  notice: { orgId: string; patientId: string; idempotencyKey: string },
): Promise<string | null> {
  const { orgId, patientId } = notice;
  const [patient] = await tx
    .select({ preferredChannel: patients.preferredChannel, organization: organizations.name })
    .from(patients)
    .innerJoin(organizations, eq(organizations.id, patients.orgId))
    .where(and(eq(patients.orgId, orgId), eq(patients.id, patientId)));
  if (!patient) return null;
  const contacts = await tx
    .select({ system: patientContactPoints.system, value: patientContactPoints.value })
    .from(patientContactPoints)
    .where(
      and(eq(patientContactPoints.orgId, orgId), eq(patientContactPoints.patientId, patientId)),
    )
    .orderBy(desc(patientContactPoints.isPrimary), patientContactPoints.id);
  const email = contacts.find((c) => c.system === 'email')?.value ?? null;
  const phone = contacts.find((c) => c.system === 'phone' && E164.test(c.value))?.value ?? null;
  const text = portalMessageNotice(patient.organization);
  const bySms = phone && (patient.preferredChannel === 'sms' || !email);
  if (bySms) {
    return outbox.queueSms(tx, {
      orgId,
      patientId,
      purpose: 'operations',
      to: phone,
      text: text.text,
      idempotencyKey: notice.idempotencyKey,
    });
  }
  if (!email) return null;
  return outbox.queueEmail(tx, {
    orgId,
    patientId,
    purpose: 'operations',
    to: email,
    subject: text.subject,
    text: text.text,
    idempotencyKey: notice.idempotencyKey,
  });
}

/**
 * A quick reply's text for a portal thread: the template's portal version in the patient's
 * language (docs/adr/0046), else its SMS version (short), else its email text, rendered for the
 * patient. Templates are linted free of clinical merge fields when saved.
 */
export async function renderQuickReply(
  tx: Db,
  orgId: string,
  patientId: string,
  templateKey: string,
  publicUrl: string,
): Promise<string> {
  const [template] = await tx
    .select({ id: messageTemplates.id })
    .from(messageTemplates)
    .where(and(eq(messageTemplates.orgId, orgId), eq(messageTemplates.key, templateKey)));
  if (!template)
    throw new CareloopError('unknown_reference', 'No such template', '/body/templateKey');
  const merge = await mergeValuesFor(tx, { orgId, patientId }, publicUrl);
  if (!merge) throw new CareloopError('unknown_reference', 'No such patient', '/params/id');
  const versions = await tx
    .select()
    .from(messageTemplateVersions)
    .where(
      and(
        eq(messageTemplateVersions.orgId, orgId),
        eq(messageTemplateVersions.templateId, template.id),
      ),
    );
  const rank = (v: { channel: string; language: string }) =>
    (v.language === merge.language ? 0 : 3) +
    (v.channel === 'portal' ? 0 : v.channel === 'sms' ? 1 : 2);
  const [version] = [...versions].sort((a, b) => rank(a) - rank(b));
  if (!version)
    throw new CareloopError(
      'unknown_reference',
      'The template has no text yet',
      '/body/templateKey',
    );
  return renderBodies({ subject: null, text: version.textBody, html: null }, merge.values).text;
}
