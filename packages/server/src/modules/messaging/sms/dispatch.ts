import type { SmsProvider } from './provider.js';

/** What a channel reports after a send: the outbox marks the row with it. */
export interface ChannelSend {
  /** `sent` when a provider took it (SMTP, Twilio); `delivered` when a local sink kept it. */
  status: 'sent' | 'delivered';
  provider: string;
  providerMessageId: string;
}

/**
 * Where Twilio reports a text's delivery: our public address with the organization and message
 * in the query. Twilio signs the whole URL, query included, so neither can be forged; the
 * callback needs no lookup across organizations to find its row.
 */
export function smsStatusCallbackUrl(publicUrl: string, orgId: string, messageId: string): string {
  return `${publicUrl}/api/sms/twilio/status?org=${orgId}&message=${messageId}`;
}

/**
 * The outbox's SMS channel: sends a claimed row's text with its idempotency key. A provider
 * that reports delivery (Twilio) gets a status callback and leaves the row `sent` until it
 * reports; the local gateway's text is `delivered` at once.
 */
export async function sendSms(
  provider: SmsProvider,
  row: { id: string; orgId: string; recipient: string; idempotencyKey: string },
  text: string,
  publicUrl: string | null,
): Promise<ChannelSend> {
  const providerMessageId = await provider.send({
    to: row.recipient,
    from: provider.from,
    body: text,
    idempotencyKey: row.idempotencyKey,
    statusCallbackUrl:
      provider.name === 'twilio' && publicUrl
        ? smsStatusCallbackUrl(publicUrl, row.orgId, row.id)
        : null,
  });
  const status = provider.name === 'local-sms' ? 'delivered' : 'sent';
  return { status, provider: provider.name, providerMessageId };
}
