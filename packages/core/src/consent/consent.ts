/** The channels Careloop can reach a patient on. */
export const CHANNELS = ['email', 'sms', 'phone', 'portal', 'mail'] as const;
export type Channel = (typeof CHANNELS)[number];

/** Why a message is sent. Consent is recorded per channel and purpose. */
export const PURPOSES = ['treatment-reminders', 'care-follow-up', 'marketing'] as const;
export type Purpose = (typeof PURPOSES)[number];

export type ConsentStatus = 'granted' | 'denied';

export interface ConsentRecord {
  channel: Channel;
  purpose: Purpose;
  status: ConsentStatus;
  recordedAt: string;
  source: string;
}

/**
 * Whether a patient may be contacted on a channel for a purpose. Treatment reminders and
 * care follow-up are allowed unless the patient opted out (they are part of care, as under
 * HIPAA's treatment exception); marketing needs an explicit opt-in.
 */
export function mayContact(
  consents: readonly Pick<ConsentRecord, 'channel' | 'purpose' | 'status'>[],
  channel: Channel,
  purpose: Purpose,
): boolean {
  const record = consents.find((c) => c.channel === channel && c.purpose === purpose);
  if (record) {
    return record.status === 'granted';
  }
  return purpose !== 'marketing';
}

/** The full channel × purpose grid with the effective decision for each cell. */
export function consentGrid(
  consents: readonly Pick<ConsentRecord, 'channel' | 'purpose' | 'status'>[],
): { channel: Channel; purpose: Purpose; allowed: boolean; explicit: boolean }[] {
  return CHANNELS.flatMap((channel) =>
    PURPOSES.map((purpose) => ({
      channel,
      purpose,
      allowed: mayContact(consents, channel, purpose),
      explicit: consents.some((c) => c.channel === channel && c.purpose === purpose),
    })),
  );
}
