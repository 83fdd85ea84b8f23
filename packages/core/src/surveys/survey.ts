import { CareloopError } from '../errors/problem.js';

/**
 * The post-visit survey (issue 11): a Net Promoter question, two HCAHPS-style items and a free
 * text, answered once per visit through a signed link (docs/adr/0042-survey-links.md). Pure:
 * the server signs and checks the link's MAC, the portal page and the server share the rules.
 */

/** The HCAHPS-style items, each answered never/sometimes/usually/always. */
export const SURVEY_ITEMS = ['communication', 'scheduling'] as const;
export type SurveyItem = (typeof SURVEY_ITEMS)[number];

/** HCAHPS's four-point frequency scale, lowest first. */
export const SURVEY_FREQUENCIES = ['never', 'sometimes', 'usually', 'always'] as const;
export type SurveyFrequency = (typeof SURVEY_FREQUENCIES)[number];

/** The Net Promoter categories: 0–6 detractor, 7–8 passive, 9–10 promoter. */
export const NPS_CATEGORIES = ['detractor', 'passive', 'promoter'] as const;
export type NpsCategory = (typeof NPS_CATEGORIES)[number];

/** The longest "what could we do better?" a patient may write. */
export const SURVEY_COMMENT_MAX = 2000;

/** How long a survey link works, counted from the visit's start. */
export const SURVEY_LINK_DAYS = 30;

/** Whether `score` is an NPS answer: a whole number from 0 to 10. */
export function isNpsScore(score: number): boolean {
  return Number.isInteger(score) && score >= 0 && score <= 10;
}

/** The category of an NPS answer; throws on a score that is not one. */
export function npsCategory(score: number): NpsCategory {
  if (!isNpsScore(score)) throw new RangeError(`not an NPS score: ${score}`);
  if (score >= 9) return 'promoter';
  if (score >= 7) return 'passive';
  return 'detractor';
}

/** The touchpoint sentiment of a category (the journey map's markers read it). */
export function npsSentiment(category: NpsCategory): 'positive' | 'neutral' | 'negative' {
  switch (category) {
    case 'promoter':
      return 'positive';
    case 'passive':
      return 'neutral';
    case 'detractor':
      return 'negative';
  }
}

/** The touchpoint outcome the NPS KPI counts (`nps:0`..`nps:10`). */
export function npsOutcome(score: number): string {
  if (!isNpsScore(score)) throw new RangeError(`not an NPS score: ${score}`);
  return `nps:${score}`;
}

/** When a visit's survey link stops working. */
export function surveyLinkExpiry(visitStart: Date): Date {
  return new Date(visitStart.getTime() + SURVEY_LINK_DAYS * 86_400_000);
}

/** What a survey link carries: whose visit, until when, and the server's MAC over it. */
export interface SurveyToken {
  orgId: string;
  appointmentId: string;
  /** Whole seconds: the link works before this instant. */
  expiresAt: Date;
  /** 16 bytes of HMAC-SHA256 over `surveyTokenSignedText` (with the visit's patient). */
  mac: Uint8Array;
}

const VERSION = 1;
const MAC_BYTES = 16;
/** version (1) ‖ organization (16) ‖ appointment (16) ‖ expiry, seconds (4) ‖ MAC (16). */
const TOKEN_BYTES = 1 + 16 + 16 + 4 + MAC_BYTES;
const TOKEN_TEXT = /^[A-Za-z0-9_-]{71}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

const uuidBytes = (uuid: string): number[] => {
  if (!UUID.test(uuid)) throw new RangeError('not a lower-case UUID');
  const hex = uuid.replace(/-/g, '');
  return Array.from({ length: 16 }, (_, i) => Number.parseInt(hex.slice(i * 2, i * 2 + 2), 16));
};

const uuidOf = (bytes: Uint8Array): string => {
  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
};

const toBase64Url = (bytes: Uint8Array) =>
  btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');

/** The text the MAC covers: purpose, version, organization, visit, patient and expiry. */
export function surveyTokenSignedText(
  token: Pick<SurveyToken, 'orgId' | 'appointmentId' | 'expiresAt'>,
  patientId: string,
): string {
  const seconds = Math.floor(token.expiresAt.getTime() / 1000);
  return [
    'careloop survey link',
    VERSION,
    token.orgId,
    token.appointmentId,
    patientId,
    seconds,
  ].join('\0');
}

/** The link's token: 71 base64url characters. */
export function encodeSurveyToken(token: SurveyToken): string {
  if (token.mac.length !== MAC_BYTES) throw new RangeError('a survey MAC is 16 bytes');
  const seconds = Math.floor(token.expiresAt.getTime() / 1000);
  if (seconds < 0 || seconds > 0xffff_ffff) throw new RangeError('expiry out of range');
  const bytes = new Uint8Array(TOKEN_BYTES);
  bytes[0] = VERSION;
  bytes.set(uuidBytes(token.orgId), 1);
  bytes.set(uuidBytes(token.appointmentId), 17);
  new DataView(bytes.buffer).setUint32(33, seconds);
  bytes.set(token.mac, 37);
  return toBase64Url(bytes);
}

/**
 * A token as a link brings it back, decoded and checked for shape like any input; anything else
 * is a 400 naming `field`. The MAC and the expiry are the server's to check.
 */
export function parseSurveyToken(text: unknown, field = '/body/token'): SurveyToken {
  const refuse = () => new CareloopError('bad_request', 'This survey link is not valid', field);
  if (typeof text !== 'string' || !TOKEN_TEXT.test(text)) throw refuse();
  const binary = atob(text.replace(/-/g, '+').replace(/_/g, '/'));
  const bytes = Uint8Array.from(binary, (c) => c.charCodeAt(0));
  if (bytes.length !== TOKEN_BYTES || bytes[0] !== VERSION) throw refuse();
  const seconds = new DataView(bytes.buffer).getUint32(33);
  return {
    orgId: uuidOf(bytes.subarray(1, 17)),
    appointmentId: uuidOf(bytes.subarray(17, 33)),
    expiresAt: new Date(seconds * 1000),
    mac: bytes.slice(37),
  };
}

/** Whether a link still works at `now`. */
export function surveyTokenValid(token: Pick<SurveyToken, 'expiresAt'>, now: Date): boolean {
  return now.getTime() < token.expiresAt.getTime();
}
