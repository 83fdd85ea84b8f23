import type { FieldCipher } from '../../../crypto/field-cipher.js';
import type { Db } from '../../../db/client.js';
import type { AuditEntry } from '../../audit/service.js';
import type { ClosedReferral, ImportedReferral } from '../../clinical/service.js';
import type { DomainEvent } from '../../integrations/webhooks/events.js';
import type { ImportedAppointmentChange } from '../../scheduling/service.js';
import type { NewTouchpoint } from '../../timeline/service.js';
import type { BatchState } from '../batch/state.js';
import { readTime } from '../parse/datatypes.js';
import type { Hl7Read, MessageHeader } from '../parse/message.js';

/** What a message handler knows besides the message: whose it is, from whom, when. */
export interface HandlerContext {
  orgId: string;
  /** The sending facility (else application): scopes the sender's own ids. */
  sender: string;
  /** `hl7:<sender>`, the source system of source links and identifiers. */
  sourceSystem: string;
  /** The organization's time zone: HL7 times without an offset are read in it. */
  timeZone: string;
  receivedAt: Date;
  /** When the event happened at the sender (see `eventTime`). */
  eventAt: Date;
  header: MessageHeader;
  /** `ADT^A01`, for summaries. */
  label: string;
  /** Records an audit event, appended with the message's effects when they commit. */
  audit(entry: AuditEntry): void;
  /** The batch's shared reads and deferred writes: lookups and writes go through here. */
  batch: BatchState;
  /** The key ring: appointment reasons are stored encrypted. */
  cipher: FieldCipher;
  /** Tells journeys about an appointment the message created or changed, once it commits. */
  appointmentChanged(change: ImportedAppointmentChange): void;
  /** Tells subscribed webhooks of a merge or a discharge, once the message commits. */
  domainEvent(event: DomainEvent): void;
  // Issue 11 (h11w): referrals over HL7 announced to journeys.
  /** Tells journeys of a referral the message created that is news, once it commits. */
  referralCreated(referral: ImportedReferral): void;
  // Issue 11 (h11l): a merge's list memberships follow the person (docs/adr/0040, addendum).
  /** After a merge, in its transaction: the merged record's lists pass to the survivor. */
  followMerge(tx: Db, survivorId: string, mergedId: string): Promise<void>;
  // Issue 11 (h11r): a cancel ends the journeys the referral started (docs/adr/0045).
  /** Tells journeys of a referral the message closed (core's referralClosed), once it commits. */
  referralClosed(referral: ClosedReferral): void;
}

export interface HandlerResult {
  /** The golden record the message was about, when there is one. */
  patientId: string | null;
}

export type Hl7Handler = (tx: Db, message: Hl7Read, hc: HandlerContext) => Promise<HandlerResult>;

/** A touchpoint from an HL7 feed: inbound, from source system `hl7`. */
export function hl7Touchpoint(
  hc: HandlerContext,
  event: Omit<NewTouchpoint, 'orgId' | 'sourceSystem' | 'direction' | 'channel'> &
    Partial<Pick<NewTouchpoint, 'direction' | 'channel'>>,
): NewTouchpoint {
  return {
    channel: 'system',
    direction: 'inbound',
    ...event,
    orgId: hc.orgId,
    sourceSystem: 'hl7',
  };
}

/**
 * When the event happened: EVN-6 (occurred), else EVN-2 (recorded), else MSH-7, else when
 * Careloop received the message. A time more than a day after receipt is a sender's clock or
 * typing error, not a future event; receipt time is used instead.
 */
export function eventTime(
  message: Hl7Read,
  hc: Pick<HandlerContext, 'timeZone' | 'header' | 'receivedAt'>,
): Date {
  const evn = message.segment('EVN');
  for (const text of [evn?.value(6), evn?.value(2), hc.header.messageTime]) {
    const t = text ? readTime(text, hc.timeZone) : null;
    if (t)
      return t.instant.getTime() > hc.receivedAt.getTime() + 86_400_000 ? hc.receivedAt : t.instant;
  }
  return hc.receivedAt;
}

const whenFormats = new Map<string, Intl.DateTimeFormat>();

/** An instant as the organization's people read it, for timeline summaries. */
export function localWhen(instant: Date, timeZone: string): string {
  let f = whenFormats.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone, dateStyle: 'medium', timeStyle: 'short' });
    whenFormats.set(timeZone, f);
  }
  return f.format(instant);
}
