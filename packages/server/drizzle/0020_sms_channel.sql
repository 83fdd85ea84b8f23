CREATE TABLE "inbound_messages" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"org_id" uuid NOT NULL,
	"patient_id" uuid,
	"channel" text NOT NULL,
	"sender" text NOT NULL,
	"recipient" text,
	"body_encrypted" text NOT NULL,
	"keyword" text,
	"provider" text NOT NULL,
	"provider_message_id" text NOT NULL,
	"in_reply_to" uuid,
	"received_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "inbound_messages_org_id_id_key" UNIQUE("org_id","id"),
	CONSTRAINT "inbound_messages_channel_check" CHECK (channel in ('sms')),
	CONSTRAINT "inbound_messages_keyword_check" CHECK (keyword in ('stop', 'start', 'help'))
);
--> statement-breakpoint
ALTER TABLE "outbound_messages" DROP CONSTRAINT "outbound_messages_channel_check";--> statement-breakpoint
ALTER TABLE "outbound_messages" DROP CONSTRAINT "outbound_messages_status_check";--> statement-breakpoint
ALTER TABLE "outbound_messages" ALTER COLUMN "subject_encrypted" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "inbound_messages" ADD CONSTRAINT "inbound_messages_org_id_organizations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "inbound_messages" ADD CONSTRAINT "inbound_messages_patient_id_fk" FOREIGN KEY ("org_id","patient_id") REFERENCES "public"."patients"("org_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "inbound_messages" ADD CONSTRAINT "inbound_messages_in_reply_to_fk" FOREIGN KEY ("org_id","in_reply_to") REFERENCES "public"."outbound_messages"("org_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "inbound_messages_provider_message_key" ON "inbound_messages" USING btree ("org_id","provider","provider_message_id");--> statement-breakpoint
CREATE INDEX "inbound_messages_sender_idx" ON "inbound_messages" USING btree ("org_id","channel","sender","received_at");--> statement-breakpoint
CREATE INDEX "inbound_messages_patient_idx" ON "inbound_messages" USING btree ("org_id","patient_id");--> statement-breakpoint
CREATE INDEX "outbound_messages_recipient_idx" ON "outbound_messages" USING btree ("org_id","channel","recipient","created_at");--> statement-breakpoint
ALTER TABLE "outbound_messages" ADD CONSTRAINT "outbound_messages_email_subject_check" CHECK (channel <> 'email' or subject_encrypted is not null);--> statement-breakpoint
ALTER TABLE "outbound_messages" ADD CONSTRAINT "outbound_messages_channel_check" CHECK (channel in ('email', 'sms'));--> statement-breakpoint
ALTER TABLE "outbound_messages" ADD CONSTRAINT "outbound_messages_status_check" CHECK (status in ('queued', 'sent', 'delivered', 'failed', 'bounced', 'replied'));--> statement-breakpoint
-- Inbound messages (issue 11, docs/adr/0023): written once as they arrive and never deleted
-- by the app. UPDATE because a merge of two patients re-points every row it may update
-- (mpi/merge.ts reads the privilege from the catalog): a reply follows its patient.
GRANT SELECT, INSERT, UPDATE ON inbound_messages TO careloop_app;
--> statement-breakpoint
ALTER TABLE inbound_messages ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY tenant_isolation ON inbound_messages
  USING (org_id = careloop_current_org()) WITH CHECK (org_id = careloop_current_org());
