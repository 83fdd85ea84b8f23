-- Issue 9: an appointment's cancellation reason is free text that may be clinical ("Admitted with
-- chest pain"). New values are written to cancel_reason_encrypted, bound to the appointment; the
-- plain column stays, nullable, for rows written before this migration until `careloop keys
-- rotate` has sealed them (a migration is SQL and holds no key; docs/encryption.md).
ALTER TABLE "appointments" ADD COLUMN "cancel_reason_encrypted" text;
