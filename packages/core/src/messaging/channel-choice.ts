import { mayContact, type Purpose } from '../consent/consent.js';
import type { TemplateChannel, TemplatePurpose } from './template-lint.js';

/**
 * The consent purpose a message purpose needs: treatment messages (reminders) ask
 * `treatment-reminders`, operations (follow-up, surveys) `care-follow-up`, marketing an opt-in.
 */
export function consentPurposeFor(purpose: TemplatePurpose): Purpose {
  switch (purpose) {
    case 'treatment':
      return 'treatment-reminders';
    case 'operations':
      return 'care-follow-up';
    case 'marketing':
      return 'marketing';
  }
}

/**
 * Why a channel was passed over. `no-portal-account`: the patient has no portal account that can
 * read messages (none, disabled, or its email not verified yet), so nothing is posted there.
 */
export type ChannelRefusal = 'no-address' | 'no-portal-account' | 'consent' | 'no-template';

export interface ChannelOption {
  channel: TemplateChannel;
  /** The address or number on file, if any; for `portal`, the patient's portal account. */
  address: string | null;
  /** Whether the template has a version for this channel. */
  hasTemplate: boolean;
}

export type ChannelChoice =
  | {
      ok: true;
      channel: TemplateChannel;
      address: string;
      fellBack: boolean;
      /**
       * Every reachable channel is opted out: queued anyway on the first, so that the send-time
       * check suppresses it and the suppression is recorded (a refusal nobody sees is lost).
       */
      optedOut: boolean;
    }
  | { ok: false; reasons: Partial<Record<TemplateChannel, ChannelRefusal>> };

/**
 * Picks the channel of a send: the one asked for, or for `preferred` the patient's preferred
 * channel and then the others in order, skipping a channel without an address (for the portal,
 * an account), a template, or consent for the purpose. The send-time checks ask consent again at
 * delivery.
 */
export function chooseChannel(
  asked: TemplateChannel | 'preferred',
  preferred: string | null,
  options: readonly ChannelOption[],
  consents: Parameters<typeof mayContact>[0],
  purpose: TemplatePurpose,
): ChannelChoice {
  const order: TemplateChannel[] =
    asked !== 'preferred'
      ? [asked]
      : [
          ...options.filter((o) => o.channel === preferred).map((o) => o.channel),
          ...options.filter((o) => o.channel !== preferred).map((o) => o.channel),
        ];
  const reasons: Partial<Record<TemplateChannel, ChannelRefusal>> = {};
  for (const channel of order) {
    const option = options.find((o) => o.channel === channel);
    if (!option?.hasTemplate) reasons[channel] = 'no-template';
    else if (!option.address)
      reasons[channel] = channel === 'portal' ? 'no-portal-account' : 'no-address';
    else if (!mayContact(consents, channel, consentPurposeFor(purpose)))
      reasons[channel] = 'consent';
    else
      return {
        ok: true,
        channel,
        address: option.address,
        fellBack: channel !== order[0],
        optedOut: false,
      };
  }
  const refused = order.find((channel) => reasons[channel] === 'consent');
  const address = options.find((o) => o.channel === refused)?.address;
  if (refused && address)
    return { ok: true, channel: refused, address, fellBack: refused !== order[0], optedOut: true };
  return { ok: false, reasons };
}
