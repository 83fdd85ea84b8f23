import { describe, expect, it } from 'vitest';
import { isTwilioSignatureValid, twilioSignature } from './twilio.js';

// The examples of Twilio's own documentation (api-snippets, security/signature_validation).
const url = 'https://mycompany.com/myapp.php?foo=1&bar=2';
const params = (caller: string) => ({
  CallSid: 'CA1234567890ABCDE',
  Caller: caller,
  Digits: '1234',
  From: caller,
  To: '+18005551212',
});

describe("Twilio's request signature", () => {
  it("computes the signatures of Twilio's documented examples", () => {
    expect(twilioSignature('12345', url, params('+14158675309'))).toBe(
      'RSOYDt4T1cUTdK1PDd93/VVr8B8=',
    );
    expect(twilioSignature('12345', url, params('+14158675310'))).toBe(
      'GvWf1cFY/Q7PnoempGyD5oXAezc=',
    );
  });

  it('accepts the right signature and refuses any change to the URL, a parameter or the key', () => {
    const good = 'RSOYDt4T1cUTdK1PDd93/VVr8B8=';
    expect(isTwilioSignatureValid('12345', url, params('+14158675309'), good)).toBe(true);
    expect(isTwilioSignatureValid('12345', `${url}&x=1`, params('+14158675309'), good)).toBe(false);
    expect(isTwilioSignatureValid('12345', url, params('+14158675300'), good)).toBe(false);
    expect(isTwilioSignatureValid('54321', url, params('+14158675309'), good)).toBe(false);
    expect(isTwilioSignatureValid('12345', url, params('+14158675309'), undefined)).toBe(false);
    expect(isTwilioSignatureValid('12345', url, params('+14158675309'), 'short')).toBe(false);
  });
});
