ALTER TABLE "outbound_messages" DROP CONSTRAINT "outbound_messages_channel_check";--> statement-breakpoint
ALTER TABLE "outbound_messages" DROP CONSTRAINT "outbound_messages_status_check";--> statement-breakpoint
ALTER TABLE "message_template_versions" DROP CONSTRAINT "message_template_versions_channel_check";--> statement-breakpoint
CREATE UNIQUE INDEX "conversation_entries_outbound_key" ON "conversation_entries" USING btree ("org_id","outbound_message_id");--> statement-breakpoint
ALTER TABLE "outbound_messages" ADD CONSTRAINT "outbound_messages_channel_check" CHECK (channel in ('email', 'sms', 'hl7', 'webhook', 'fhir', 'portal'));--> statement-breakpoint
ALTER TABLE "outbound_messages" ADD CONSTRAINT "outbound_messages_status_check" CHECK (status in ('queued', 'sent', 'delivered', 'failed', 'bounced', 'replied', 'read', 'expired', 'withdrawn', 'suppressed', 'complained'));--> statement-breakpoint
ALTER TABLE "message_template_versions" ADD CONSTRAINT "message_template_versions_channel_check" CHECK (channel in ('email', 'sms', 'portal'));