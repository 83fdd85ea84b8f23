CREATE TABLE "conversation_attachments" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"org_id" uuid NOT NULL,
	"entry_id" uuid NOT NULL,
	"content_type" text NOT NULL,
	"size_bytes" integer NOT NULL,
	"name_encrypted" text NOT NULL,
	"data_encrypted" text NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	CONSTRAINT "conversation_attachments_org_id_id_key" UNIQUE("org_id","id"),
	CONSTRAINT "conversation_attachments_type_check" CHECK (content_type in ('application/pdf', 'image/png', 'image/jpeg')),
	CONSTRAINT "conversation_attachments_size_check" CHECK (size_bytes > 0 and size_bytes <= 5242880)
);
--> statement-breakpoint
CREATE TABLE "conversation_entries" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"org_id" uuid NOT NULL,
	"conversation_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"body_encrypted" text NOT NULL,
	"author_id" uuid,
	"inbound_message_id" uuid,
	"outbound_message_id" uuid,
	"created_at" timestamp with time zone NOT NULL,
	"read_at" timestamp with time zone,
	CONSTRAINT "conversation_entries_org_id_id_key" UNIQUE("org_id","id"),
	CONSTRAINT "conversation_entries_kind_check" CHECK (kind in ('patient', 'staff', 'note'))
);
--> statement-breakpoint
CREATE TABLE "conversations" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"org_id" uuid NOT NULL,
	"patient_id" uuid,
	"channel" text NOT NULL,
	"counterpart" text,
	"status" text DEFAULT 'open' NOT NULL,
	"team" text,
	"location_id" uuid,
	"assignee_id" uuid,
	"last_message_at" timestamp with time zone NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"text_key" text,
	CONSTRAINT "conversations_org_id_id_key" UNIQUE("org_id","id"),
	CONSTRAINT "conversations_channel_check" CHECK (channel in ('sms', 'portal')),
	CONSTRAINT "conversations_status_check" CHECK (status in ('open', 'pending', 'closed')),
	CONSTRAINT "conversations_team_check" CHECK (team in ('front-desk', 'care-coordination', 'clinical')),
	CONSTRAINT "conversations_party_check" CHECK (patient_id is not null or counterpart is not null)
);
--> statement-breakpoint
ALTER TABLE "tasks" ADD COLUMN "kind" text DEFAULT 'task' NOT NULL;--> statement-breakpoint
ALTER TABLE "tasks" ADD COLUMN "call_script" text;--> statement-breakpoint
ALTER TABLE "tasks" ADD COLUMN "call_outcome" text;--> statement-breakpoint
ALTER TABLE "tasks" ADD COLUMN "call_note_encrypted" text;--> statement-breakpoint
ALTER TABLE "tasks" ADD COLUMN "call_outcome_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "tasks" ADD COLUMN "call_attempts" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "conversation_attachments" ADD CONSTRAINT "conversation_attachments_org_id_organizations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "conversation_attachments" ADD CONSTRAINT "conversation_attachments_entry_id_fk" FOREIGN KEY ("org_id","entry_id") REFERENCES "public"."conversation_entries"("org_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "conversation_entries" ADD CONSTRAINT "conversation_entries_org_id_organizations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "conversation_entries" ADD CONSTRAINT "conversation_entries_conversation_id_fk" FOREIGN KEY ("org_id","conversation_id") REFERENCES "public"."conversations"("org_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "conversation_entries" ADD CONSTRAINT "conversation_entries_author_id_fk" FOREIGN KEY ("org_id","author_id") REFERENCES "public"."users"("org_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "conversation_entries" ADD CONSTRAINT "conversation_entries_inbound_message_id_fk" FOREIGN KEY ("org_id","inbound_message_id") REFERENCES "public"."inbound_messages"("org_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "conversation_entries" ADD CONSTRAINT "conversation_entries_outbound_message_id_fk" FOREIGN KEY ("org_id","outbound_message_id") REFERENCES "public"."outbound_messages"("org_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "conversations" ADD CONSTRAINT "conversations_org_id_organizations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "conversations" ADD CONSTRAINT "conversations_patient_id_fk" FOREIGN KEY ("org_id","patient_id") REFERENCES "public"."patients"("org_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "conversations" ADD CONSTRAINT "conversations_location_id_fk" FOREIGN KEY ("org_id","location_id") REFERENCES "public"."locations"("org_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "conversations" ADD CONSTRAINT "conversations_assignee_id_fk" FOREIGN KEY ("org_id","assignee_id") REFERENCES "public"."users"("org_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "conversation_attachments_entry_idx" ON "conversation_attachments" USING btree ("org_id","entry_id");--> statement-breakpoint
CREATE INDEX "conversation_entries_conversation_idx" ON "conversation_entries" USING btree ("org_id","conversation_id","created_at");--> statement-breakpoint
CREATE INDEX "conversation_entries_unread_idx" ON "conversation_entries" USING btree ("org_id","conversation_id","kind") WHERE read_at is null;--> statement-breakpoint
CREATE UNIQUE INDEX "conversation_entries_inbound_key" ON "conversation_entries" USING btree ("org_id","inbound_message_id");--> statement-breakpoint
CREATE INDEX "conversations_queue_idx" ON "conversations" USING btree ("org_id","status","last_message_at");--> statement-breakpoint
CREATE INDEX "conversations_patient_idx" ON "conversations" USING btree ("org_id","patient_id","channel");--> statement-breakpoint
CREATE UNIQUE INDEX "conversations_text_key" ON "conversations" USING btree ("org_id","text_key");--> statement-breakpoint
ALTER TABLE "tasks" ADD CONSTRAINT "tasks_kind_check" CHECK (kind in ('task', 'call'));--> statement-breakpoint
ALTER TABLE "tasks" ADD CONSTRAINT "tasks_call_outcome_check" CHECK (call_outcome in ('reached', 'voicemail', 'no-answer', 'wrong-number', 'declined'));--> statement-breakpoint
ALTER TABLE "tasks" ADD CONSTRAINT "tasks_call_script_check" CHECK (kind <> 'call' or call_script is not null);--> statement-breakpoint
-- The shared inbox, portal secure messaging and call tasks (issue 11, docs/inbox.md): staff and
-- patients reach conversations through the app's role, under row-level security. Nothing is
-- deleted: a conversation is closed, never removed.
GRANT SELECT, INSERT, UPDATE ON conversations TO careloop_app;
--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE ON conversation_entries TO careloop_app;
--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE ON conversation_attachments TO careloop_app;
--> statement-breakpoint
ALTER TABLE conversations ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY tenant_isolation ON conversations
  USING (org_id = careloop_current_org()) WITH CHECK (org_id = careloop_current_org());
--> statement-breakpoint
ALTER TABLE conversation_entries ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY tenant_isolation ON conversation_entries
  USING (org_id = careloop_current_org()) WITH CHECK (org_id = careloop_current_org());
--> statement-breakpoint
ALTER TABLE conversation_attachments ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY tenant_isolation ON conversation_attachments
  USING (org_id = careloop_current_org()) WITH CHECK (org_id = careloop_current_org());
