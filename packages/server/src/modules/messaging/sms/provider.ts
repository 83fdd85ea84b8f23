import { createHash } from 'node:crypto';

/** One text as the outbox hands it to an SMS provider. */
export interface OutboundSms {
  /** E.164. */
  to: string;
  from: string;
  body: string;
  /** The outbox row's key: the same message always carries the same one. */
  idempotencyKey: string;
  /** Where the provider reports delivery (signed); null when it reports nothing. */
  statusCallbackUrl: string | null;
}

export type SmsProviderName = 'twilio' | 'local-sms';

/** An SMS provider (docs/adr/0023): Twilio's REST API, or the built-in local gateway. */
export interface SmsProvider {
  readonly name: SmsProviderName;
  /** The number texts come from, as a phone shows it. */
  readonly from: string;
  /** Sends; resolves to the provider's id for the message. Throws `SmsSendError` on failure. */
  send(sms: OutboundSms): Promise<string>;
  close(): void;
}

/** A failed send, described without PHI: no number, no text, only codes. */
export class SmsSendError extends Error {
  constructor(
    readonly code: string,
    /** The provider's HTTP status, when it answered. */
    readonly httpStatus: number | null,
    /** Refused for good (a bad number, an unsubscribed recipient): retrying will not help. */
    readonly permanent: boolean,
  ) {
    super(`sms not sent: ${code}${httpStatus ? ` (HTTP ${httpStatus})` : ''}`);
    this.name = 'SmsSendError';
  }
}

/**
 * The built-in local SMS gateway, when no provider is configured (`npm start`, tests): nothing
 * leaves the machine; the outbox row is the delivered text, and admins read a number's
 * conversation on the console's Test phone page. Its id is derived from the idempotency key,
 * so a resend after a crash carries the same id, as a provider's would.
 */
export class LocalSmsGateway implements SmsProvider {
  readonly name = 'local-sms' as const;
  readonly from = 'Careloop';

  async send(sms: OutboundSms): Promise<string> {
    return `LM${createHash('sha256').update(`local-sms\0${sms.idempotencyKey}`).digest('hex').slice(0, 32)}`;
  }

  close(): void {}
}
