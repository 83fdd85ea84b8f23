import { appointmentCancelReasonAad, appointmentReasonAad } from '../../crypto/encrypted-fields.js';
import { type FieldCipher, openForView } from '../../crypto/field-cipher.js';

/** An appointment's reason as stored: sealed to the appointment, the plain column emptied. */
export function sealedReason(
  cipher: FieldCipher,
  reason: string | null | undefined,
  id: string,
  orgId: string,
): { reason: null; reasonEncrypted: string | null } {
  return {
    reason: null,
    reasonEncrypted: reason ? cipher.encrypt(reason, appointmentReasonAad(id, orgId)) : null,
  };
}

/** An appointment's reason: decrypted, or plain on an appointment from before encryption. */
export function appointmentReason(
  row: { id: string; reason: string | null; reasonEncrypted: string | null },
  cipher: FieldCipher,
  orgId: string,
): string | null {
  if (row.reasonEncrypted === null) return row.reason;
  return openForView(cipher, row.reasonEncrypted, appointmentReasonAad(row.id, orgId));
}

/** Why an appointment was cancelled, as stored: sealed to the appointment, the plain column emptied. */
export function sealedCancelReason(
  cipher: FieldCipher,
  cancelReason: string | null | undefined,
  id: string,
  orgId: string,
): { cancelReason: null; cancelReasonEncrypted: string | null } {
  return {
    cancelReason: null,
    cancelReasonEncrypted: cancelReason
      ? cipher.encrypt(cancelReason, appointmentCancelReasonAad(id, orgId))
      : null,
  };
}

/** Why an appointment was cancelled: decrypted, or plain on a row from before migration 0035. */
export function appointmentCancelReason(
  row: { id: string; cancelReason: string | null; cancelReasonEncrypted: string | null },
  cipher: FieldCipher,
  orgId: string,
): string | null {
  if (row.cancelReasonEncrypted === null) return row.cancelReason;
  return openForView(cipher, row.cancelReasonEncrypted, appointmentCancelReasonAad(row.id, orgId));
}
