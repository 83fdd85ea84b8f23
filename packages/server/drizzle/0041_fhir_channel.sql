-- Issue 13 (h13f): the outbox carries booking requests to an EHR's FHIR server (channel 'fhir').
-- Added NOT VALID and validated apart, so the table is not locked against writes while its rows
-- are checked.
ALTER TABLE "outbound_messages" DROP CONSTRAINT "outbound_messages_channel_check";--> statement-breakpoint
ALTER TABLE "outbound_messages" ADD CONSTRAINT "outbound_messages_channel_check" CHECK (channel in ('email', 'sms', 'hl7', 'webhook', 'fhir')) NOT VALID;--> statement-breakpoint
ALTER TABLE "outbound_messages" VALIDATE CONSTRAINT "outbound_messages_channel_check";
