/**
 * The outbox's rules (docs/adr/0020): what a message is for, where it stands, and what a failed
 * attempt leads to. Pure, so the worker and its tests share them.
 */

export const MESSAGE_PURPOSES = ['treatment', 'operations', 'marketing', 'account'] as const;
export type MessagePurpose = (typeof MESSAGE_PURPOSES)[number];

/**
 * `replied`: an inbound reply answered the message (SMS). `read`: the patient opened it in the
 * portal (a portal message is `delivered` when posted into their thread; docs/adr/0046).
 */
export const MESSAGE_STATUSES = [
  'queued',
  'sent',
  'delivered',
  'failed',
  'bounced',
  'replied',
  'read',
  // Issue 11, journeys: past its validity window, or withdrawn (the appointment changed).
  'expired',
  'withdrawn',
] as const;
export type MessageStatus = (typeof MESSAGE_STATUSES)[number];

/** `portal`: posted into the patient's portal thread by the outbox worker (docs/adr/0046). */
export const MESSAGE_CHANNELS = ['email', 'sms', 'portal'] as const;
export type MessageChannel = (typeof MESSAGE_CHANNELS)[number];

/** Attempts at one message before it is `failed`: the first and four retries. */
export const MESSAGE_MAX_ATTEMPTS = 5;

/** Seconds before the first retry; each next one waits about twice as long. */
export const MESSAGE_RETRY_DELAY_SECONDS = 5;

/**
 * After attempt number `attempt` (1-based) failed: try again later, or give up and show the
 * message as failed to admins.
 */
export function afterFailedAttempt(
  attempt: number,
  maxAttempts: number = MESSAGE_MAX_ATTEMPTS,
): 'retry' | 'failed' {
  return attempt >= maxAttempts ? 'failed' : 'retry';
}

/** Whether a worker may take a message now: still queued, and nobody else holds it. */
export function isClaimable(
  message: { status: MessageStatus; claimedUntil: Date | null },
  now: Date,
): boolean {
  if (message.status !== 'queued') return false;
  return message.claimedUntil === null || message.claimedUntil.getTime() <= now.getTime();
}
