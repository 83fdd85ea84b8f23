import { appointmentStart, appointmentTime } from '@careloop/core';
import { and, eq } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { messageTemplates, messageTemplateVersions } from '../templates/schema.js';
import {
  ensureTemplates,
  mergeValuesFor,
  READY_TEMPLATES,
  renderBodies,
} from '../templates/service.js';
import type { OfferText } from './message.js';

/** The ready template of waitlist offers (templates/ready.ts), editable like the others. */
export const WAITLIST_OFFER_TEMPLATE = 'waitlist-offer';

/**
 * A waitlist offer rendered from the organization's `waitlist-offer` template for `channel`, in
 * the patient's language (else English): the patient's and organization's fields, the offered
 * time in the location's zone, the end of the offer and the accept link. An organization without
 * the template (one created before organizations got the ready templates) gets Careloop's ready
 * one written first, in this transaction, so its offers are never generic text. Null when its
 * template has no version for the channel (staff wrote their own): no message on it.
 */
export async function offerFromTemplate(
  tx: Db,
  input: {
    orgId: string;
    patientId: string;
    channel: 'sms' | 'email';
    start: Date;
    expiresAt: Date;
    timeZone: string;
    location: string | null;
    link: string;
    publicUrl: string;
    /** When a missing template is written. */
    now: Date;
  },
): Promise<OfferText | null> {
  const find = () =>
    tx
      .select({ id: messageTemplates.id })
      .from(messageTemplates)
      .where(
        and(
          eq(messageTemplates.orgId, input.orgId),
          eq(messageTemplates.key, WAITLIST_OFFER_TEMPLATE),
        ),
      );
  let [template] = await find();
  if (!template) {
    const ready = READY_TEMPLATES.filter((t) => t.key === WAITLIST_OFFER_TEMPLATE);
    await ensureTemplates(tx, input.orgId, ready, input.now);
    [template] = await find();
  }
  if (!template) return null;
  const merge = await mergeValuesFor(
    tx,
    { orgId: input.orgId, patientId: input.patientId },
    input.publicUrl,
  );
  if (!merge) return null;
  const versions = await tx
    .select()
    .from(messageTemplateVersions)
    .where(
      and(
        eq(messageTemplateVersions.orgId, input.orgId),
        eq(messageTemplateVersions.templateId, template.id),
        eq(messageTemplateVersions.channel, input.channel),
      ),
    );
  const version =
    versions.find((v) => v.language === merge.language) ??
    versions.find((v) => v.language === 'en');
  if (!version) return null;
  const values = {
    ...merge.values,
    'offer.start': appointmentStart(input.start, input.timeZone, merge.language),
    'offer.expires': appointmentTime(input.expiresAt, input.timeZone, merge.language),
    'links.offer': input.link,
    ...(input.location ? { 'location.name': input.location } : {}),
  };
  const rendered = renderBodies(
    { subject: version.subject, text: version.textBody, html: null },
    values,
  );
  return { subject: rendered.subject ?? '', body: rendered.text };
}
