/**
 * The SMS keywords Careloop honours itself, whatever provider carries the message (docs/adr/0023).
 *
 * Reading of the rules: the CTIA Messaging Principles and Best Practices require STOP, END,
 * CANCEL, UNSUBSCRIBE and QUIT (and STOPALL) to opt out, START/UNSTOP to opt back in, and HELP
 * to answer with who is sending and how to stop; issue 11 adds REVOKE and OPT OUT. Like
 * Twilio's built-in opt-out handling, a keyword counts only when it is the whole message
 * (case-insensitive, surrounding spaces ignored): "stop it", "please stop" or "don't stop" are
 * not keywords, because a sentence that contains a keyword is a conversation for staff to read,
 * not an instruction we can act on safely (Twilio: "STOP please" does not opt out either).
 * Two allowances beyond Twilio, because phones add them: runs of spaces inside "OPT OUT" count
 * as one, and one trailing full stop or exclamation mark is dropped ("Stop." opts out).
 *
 * Deliberately not keywords: YES (Twilio's opt-in synonym: a reminder asks "reply C to confirm",
 * and a "yes" to that must not re-subscribe anyone) and INFO (reserved for HELP by some
 * carriers; HELP alone is what the issue asks).
 */

export type SmsKeyword = 'stop' | 'start' | 'help';

const KEYWORDS: Readonly<Record<string, SmsKeyword>> = {
  STOP: 'stop',
  STOPALL: 'stop',
  UNSUBSCRIBE: 'stop',
  CANCEL: 'stop',
  END: 'stop',
  QUIT: 'stop',
  REVOKE: 'stop',
  'OPT OUT': 'stop',
  START: 'start',
  UNSTOP: 'start',
  HELP: 'help',
};

/** The keywords by what they do, for the HELP reply and the docs. */
export const SMS_KEYWORDS: Readonly<Record<SmsKeyword, readonly string[]>> = {
  stop: Object.keys(KEYWORDS).filter((k) => KEYWORDS[k] === 'stop'),
  start: Object.keys(KEYWORDS).filter((k) => KEYWORDS[k] === 'start'),
  help: Object.keys(KEYWORDS).filter((k) => KEYWORDS[k] === 'help'),
};

/** The keyword a whole inbound message is, or null when it is anything else. */
export function smsKeyword(body: string): SmsKeyword | null {
  const word = body.trim().replace(/[.!]$/, '').replace(/\s+/g, ' ').toUpperCase();
  return KEYWORDS[word] ?? null;
}

/**
 * What a keyword does to the sender's SMS consent: `withdraw` and `restore` change it (and get
 * one confirmation, only when something changed), `none` leaves it as it is.
 */
export function keywordConsentEffect(keyword: SmsKeyword): 'withdraw' | 'restore' | 'none' {
  switch (keyword) {
    case 'stop':
      return 'withdraw';
    case 'start':
      return 'restore';
    case 'help':
      return 'none';
  }
}

/** The replies to keywords: short, one segment where possible, no PHI. */
export function keywordReply(keyword: SmsKeyword, organizationName: string): string {
  switch (keyword) {
    case 'stop':
      return `${organizationName}: you are unsubscribed and will receive no more text messages from us. Reply START to subscribe again.`;
    case 'start':
      return `${organizationName}: you are subscribed to text messages again. Reply STOP to stop, HELP for help.`;
    case 'help':
      return `${organizationName}: appointment and care messages. Reply STOP to stop receiving texts, START to resume. Msg & data rates may apply. For help, call us.`;
  }
}

const KEYWORD_REPLY_KEY_PREFIX = 'sms-keyword:';

/** The outbox key of the one reply to an inbound keyword (its inbound message's id). */
export const keywordReplyKey = (inboundId: string): string =>
  `${KEYWORD_REPLY_KEY_PREFIX}${inboundId}`;

/**
 * Whether an outbox key is a keyword reply. Such replies answer the patient's own STOP, START or
 * HELP at once, as carriers require: no consent, quiet-hours or cap check holds them (a STOP's
 * confirmation goes to a number that has just opted out).
 */
export const isKeywordReplyKey = (key: string): boolean => key.startsWith(KEYWORD_REPLY_KEY_PREFIX);
