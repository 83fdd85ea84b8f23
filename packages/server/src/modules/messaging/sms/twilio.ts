import { createHmac, timingSafeEqual } from 'node:crypto';
import type { SmsConfig } from '../../../config.js';
import { type OutboundSms, type SmsProvider, SmsSendError } from './provider.js';

/** A send that takes longer is abandoned (and retried): well inside the outbox's 45 s hold. */
const SEND_TIMEOUT_MS = 15_000;

/**
 * Twilio's Messages API, or any provider that speaks it (docs/adr/0023): POST
 * `{base}/2010-04-01/Accounts/{sid}/Messages.json`, form-encoded To, From, Body and
 * StatusCallback, basic auth with the account sid and auth token. Twilio's API takes no
 * idempotency key for messages; the outbox's key goes in `I-Twilio-Idempotency-Token` (the name
 * Twilio gives the token on its own webhooks) for compatible providers that honour it, so the
 * one window left, a crash after Twilio accepted a text and before the row is marked, can send
 * it twice (as with SMTP, docs/adr/0020).
 */
export class TwilioSms implements SmsProvider {
  readonly name = 'twilio' as const;
  readonly from: string;
  private readonly url: string;
  private readonly authorization: string;

  constructor(config: SmsConfig) {
    this.from = config.from;
    this.url = `${config.baseUrl}/2010-04-01/Accounts/${encodeURIComponent(config.accountSid)}/Messages.json`;
    this.authorization = `Basic ${Buffer.from(`${config.accountSid}:${config.authToken}`).toString('base64')}`;
  }

  async send(sms: OutboundSms): Promise<string> {
    const form = new URLSearchParams({ To: sms.to, From: sms.from, Body: sms.body });
    if (sms.statusCallbackUrl) form.set('StatusCallback', sms.statusCallbackUrl);
    let response: Response;
    try {
      response = await fetch(this.url, {
        method: 'POST',
        headers: {
          authorization: this.authorization,
          'content-type': 'application/x-www-form-urlencoded',
          accept: 'application/json',
          'i-twilio-idempotency-token': sms.idempotencyKey,
        },
        body: form.toString(),
        signal: AbortSignal.timeout(SEND_TIMEOUT_MS),
      });
    } catch (error) {
      const timedOut = error instanceof Error && error.name === 'TimeoutError';
      throw new SmsSendError(timedOut ? 'ETIMEDOUT' : 'ECONNECTION', null, false);
    }
    const reply: unknown = await response.json().catch(() => null);
    if (!response.ok) {
      // Twilio's error code (21211 invalid number, 21610 unsubscribed recipient, …): a number,
      // never the message text. 429 and 5xx are worth retrying; other 4xx are not.
      const code = twilioErrorCode(reply);
      const retry = response.status === 429 || response.status >= 500;
      throw new SmsSendError(code ? `TWILIO_${code}` : 'EREFUSED', response.status, !retry);
    }
    const sid = reply && typeof reply === 'object' ? (reply as { sid?: unknown }).sid : undefined;
    if (typeof sid !== 'string' || !/^[A-Za-z0-9]{2,64}$/.test(sid)) {
      throw new SmsSendError('EBADREPLY', response.status, false);
    }
    return sid;
  }

  close(): void {}
}

function twilioErrorCode(reply: unknown): number | null {
  const code = reply && typeof reply === 'object' ? (reply as { code?: unknown }).code : undefined;
  return typeof code === 'number' && Number.isInteger(code) ? code : null;
}

/**
 * Twilio's request signature (its "Webhooks security" page): HMAC-SHA1, keyed with the auth
 * token, over the full URL Twilio called (scheme, host, path and query) followed by each POST
 * parameter's name and value, parameters sorted by name; base64.
 */
export function twilioSignature(
  authToken: string,
  url: string,
  params: Readonly<Record<string, string>>,
): string {
  const data = Object.keys(params)
    .sort()
    .reduce((text, name) => text + name + params[name], url);
  return createHmac('sha1', authToken).update(data, 'utf8').digest('base64');
}

/** Whether `signature` is Twilio's for this request, compared in constant time. */
export function isTwilioSignatureValid(
  authToken: string,
  url: string,
  params: Readonly<Record<string, string>>,
  signature: string | undefined,
): boolean {
  if (!signature) return false;
  const expected = Buffer.from(twilioSignature(authToken, url, params));
  const given = Buffer.from(signature);
  return given.length === expected.length && timingSafeEqual(given, expected);
}
