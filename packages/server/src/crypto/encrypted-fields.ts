import type { FieldAad } from './field-cipher.js';

/**
 * Where each encrypted column's values are bound (docs/encryption.md lists them and why the
 * other columns are not encrypted). Every writer and reader of a column builds its associated
 * data here, and `careloop keys rotate` re-encrypts with the same functions.
 */
const bound =
  (table: string, column: string) =>
  (row: string, orgId: string): FieldAad => ({ table, column, row, orgId });

export const noteBodyAad = bound('notes', 'body_encrypted');
export const hl7RawAad = bound('hl7_messages', 'raw_encrypted');
export const taskDescriptionAad = bound('tasks', 'description_encrypted');
export const appointmentReasonAad = bound('appointments', 'reason_encrypted');
export const encounterReasonAad = bound('encounters', 'reason_encrypted');
export const questionnaireAnswersAad = bound('questionnaire_responses', 'answers_encrypted');
/**
 * A user's TOTP secret, pending or confirmed: one binding for both columns, because enrolment
 * moves the confirmed value from `totp_pending_secret` to `totp_secret` as it is.
 */
export const totpSecretAad = bound('users', 'totp_secret');
export const breakGlassReasonAad = bound('break_glass_grants', 'reason');
export const outboundSubjectAad = bound('outbound_messages', 'subject_encrypted');
export const outboundTextAad = bound('outbound_messages', 'text_encrypted');
export const outboundHtmlAad = bound('outbound_messages', 'html_encrypted');
// Issue 13: a confirmation's calendar file.
export const outboundAttachmentAad = bound('outbound_messages', 'attachment_encrypted');
// Issue 11: what patients text us.
export const inboundBodyAad = bound('inbound_messages', 'body_encrypted');
// Issue 11: webhook endpoints' signing secrets (docs/adr/0029).
export const webhookSecretAad = bound('webhook_endpoints', 'secret_encrypted');
export const webhookPreviousSecretAad = bound('webhook_endpoints', 'previous_secret_encrypted');
// Issue 11 (h11v): the post-visit survey's "what could we do better?".
export const surveyCommentAad = bound('survey_responses', 'comment_encrypted');

/**
 * A raw FHIR resource is written by upsert on its source key, so it is bound to that key (the
 * row's identity for every writer) rather than to an id a concurrent insert may not keep.
 */
export const fhirResourceAad = (
  key: { sourceSystem: string; resourceType: string; sourceId: string },
  orgId: string,
): FieldAad => ({
  table: 'fhir_source_records',
  column: 'resource_encrypted',
  row: JSON.stringify([key.sourceSystem, key.resourceType, key.sourceId]),
  orgId,
});
// Issue 11: the shared inbox, portal messages and call tasks.
export const conversationBodyAad = bound('conversation_entries', 'body_encrypted');
export const attachmentNameAad = bound('conversation_attachments', 'name_encrypted');
export const attachmentDataAad = bound('conversation_attachments', 'data_encrypted');
export const callNoteAad = bound('tasks', 'call_note_encrypted');
// Issue 13 (h13r): pre-registration before a visit.
export const coverageCardAad = bound('coverage_card_images', 'data_encrypted');
export const emergencyContactAad = bound('pre_registrations', 'emergency_contact_encrypted');
// Issue 9: why an appointment was cancelled (free text that may be clinical).
export const appointmentCancelReasonAad = bound('appointments', 'cancel_reason_encrypted');
