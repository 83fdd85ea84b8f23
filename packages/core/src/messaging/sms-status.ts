import type { MessageStatus } from './outbox.js';

/**
 * Delivery statuses as an SMS provider reports them (Twilio's names, which compatible providers
 * share), mapped to the outbox's. `null`: a step we do not record (queued, accepted, sending at
 * the provider are still "sent" for us; `receiving`/`received` are inbound).
 */
export function smsStatusFromProvider(reported: string): MessageStatus | null {
  switch (reported.trim().toLowerCase()) {
    case 'sent':
      return 'sent';
    case 'delivered':
    case 'read':
      return 'delivered';
    case 'undelivered':
    case 'failed':
      return 'failed';
    default:
      return null;
  }
}

const RANK: Readonly<Record<MessageStatus, number>> = {
  queued: 0,
  sent: 1,
  delivered: 2,
  failed: 2,
  bounced: 2,
  replied: 3,
  // A portal message opened by the patient (never an SMS status: no provider reports it).
  read: 3,
  // Final before sending: a text past its window or withdrawn was never sent.
  expired: 4,
  withdrawn: 4,
};

/**
 * The status after a report: callbacks arrive out of order and more than once, so a status only
 * moves forward (queued → sent → delivered/failed → replied); a late "sent" after "delivered",
 * or a "delivered" after a reply, changes nothing. Returns null when nothing changes.
 */
export function nextMessageStatus(
  current: MessageStatus,
  reported: MessageStatus,
): MessageStatus | null {
  if (reported === current) return null;
  if (RANK[reported] <= RANK[current]) return null;
  return reported;
}
