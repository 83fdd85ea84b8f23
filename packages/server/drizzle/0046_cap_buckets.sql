ALTER TABLE "outbound_messages" ADD COLUMN "cap_bucket" text;--> statement-breakpoint
ALTER TABLE "message_templates" ADD COLUMN "cap_bucket" text DEFAULT 'purpose' NOT NULL;--> statement-breakpoint
ALTER TABLE "outbound_messages" ADD CONSTRAINT "outbound_messages_cap_bucket_check" CHECK (cap_bucket in ('treatment', 'operations', 'marketing', 'requested-series'));--> statement-breakpoint
ALTER TABLE "message_templates" ADD CONSTRAINT "message_templates_cap_bucket_check" CHECK (cap_bucket = 'purpose' or (cap_bucket = 'requested-series' and purpose <> 'marketing'));--> statement-breakpoint
-- docs/adr/0043: Careloop's daily medication reminder is a series the patient asked for, in every
-- organization that already has it (edited or not), so its reminders stop using up the treatment cap.
UPDATE "message_templates" SET "cap_bucket" = 'requested-series' WHERE "key" = 'medication-reminder' AND "purpose" <> 'marketing';
