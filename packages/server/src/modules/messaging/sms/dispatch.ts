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
