import { encounterReasonAad } from '../../crypto/encrypted-fields.js';
import { type FieldCipher, openForView } from '../../crypto/field-cipher.js';

/** An encounter's reason as stored: sealed to the encounter, the plain column emptied. */
export function sealedEncounterReason(
  cipher: FieldCipher,
  reason: string | null | undefined,
  id: string,
  orgId: string,
): { reason: null; reasonEncrypted: string | null } {
  return {
    reason: null,
    reasonEncrypted: reason ? cipher.encrypt(reason, encounterReasonAad(id, orgId)) : null,
  };
}

/** An encounter's reason: decrypted, or plain on an encounter from before migration 0015. */
export function encounterReason(
  row: { id: string; reason: string | null; reasonEncrypted: string | null },
  cipher: FieldCipher,
  orgId: string,
): string | null {
  if (row.reasonEncrypted === null) return row.reason;
  return openForView(cipher, row.reasonEncrypted, encounterReasonAad(row.id, orgId));
}
