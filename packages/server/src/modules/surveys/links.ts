import { createHmac, type KeyObject, timingSafeEqual } from 'node:crypto';
import {
  encodeSurveyToken,
  type SurveyToken,
  surveyLinkExpiry,
  surveyTokenSignedText,
} from '@careloop/core';
import type { FieldCipher } from '../../crypto/field-cipher.js';

/** The HKDF purpose of the survey links' subkey: never the encryption key as is. */
const PURPOSE = 'careloop survey link v1';

/** One visit a link is for. */
export interface SurveyVisit {
  orgId: string;
  patientId: string;
  appointmentId: string;
  visitStart: Date;
}

/**
 * Signed survey links (docs/adr/0042-survey-links.md): the token names the organization, the
 * visit and the expiry, and carries a MAC that also covers the visit's patient, under a subkey
 * of the field-encryption key ring (the current key signs, every key of the ring verifies).
 * Nothing is stored per link: the answer's unique key (one per visit) is what makes it work once.
 */
export class SurveyLinks {
  constructor(private readonly keys: readonly KeyObject[]) {
    if (keys.length === 0) throw new Error('survey links need a key');
  }

  static fromCipher(cipher: FieldCipher): SurveyLinks {
    return new SurveyLinks(cipher.subkeys(PURPOSE));
  }

  private mac(key: KeyObject, text: string): Uint8Array {
    return createHmac('sha256', key).update(text).digest().subarray(0, 16);
  }

  /** The token of a visit's survey link, working for 30 days from the visit's start. */
  token(visit: SurveyVisit): string {
    const [current] = this.keys;
    if (!current) throw new Error('survey links need a key');
    const expiresAt = new Date(
      Math.floor(surveyLinkExpiry(visit.visitStart).getTime() / 1000) * 1000,
    );
    const unsigned = { orgId: visit.orgId, appointmentId: visit.appointmentId, expiresAt };
    const mac = this.mac(current, surveyTokenSignedText(unsigned, visit.patientId));
    return encodeSurveyToken({ ...unsigned, mac });
  }

  /** The portal address of a visit's survey: the token in the query (never logged). */
  link(portal: string, visit: SurveyVisit): string {
    return `${portal}/surveys?token=${this.token(visit)}`;
  }

  /** Whether a decoded token was signed here for this visit's patient (constant time). */
  verifies(token: SurveyToken, patientId: string): boolean {
    const text = surveyTokenSignedText(token, patientId);
    const given = Buffer.from(token.mac);
    return this.keys.some((key) => timingSafeEqual(Buffer.from(this.mac(key, text)), given));
  }
}
