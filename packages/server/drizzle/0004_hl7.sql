CREATE TABLE "hl7_messages" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"seq" bigserial NOT NULL,
	"org_id" uuid NOT NULL,
	"control_id" text DEFAULT '' NOT NULL,
	"message_type" text DEFAULT '' NOT NULL,
	"trigger_event" text DEFAULT '' NOT NULL,
	"version" text,
	"sending_application" text,
	"sending_facility" text,
	"message_at" timestamp with time zone,
	"channel" text NOT NULL,
	"raw_encrypted" text NOT NULL,
	"content_hash" text NOT NULL,
	"size_bytes" integer NOT NULL,
	"status" text NOT NULL,
	"ack_code" text,
	"error" text,
	"error_location" text,
	"processing_ms" integer,
	"replayable" boolean DEFAULT false NOT NULL,
	"attempts" integer DEFAULT 1 NOT NULL,
	"patient_id" uuid,
	"received_at" timestamp with time zone DEFAULT now() NOT NULL,
	"processed_at" timestamp with time zone,
	CONSTRAINT "hl7_messages_seq_unique" UNIQUE("seq")
);
--> statement-breakpoint
ALTER TABLE "hl7_messages" ADD CONSTRAINT "hl7_messages_org_id_organizations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "hl7_messages" ADD CONSTRAINT "hl7_messages_patient_id_patients_id_fk" FOREIGN KEY ("patient_id") REFERENCES "public"."patients"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "hl7_messages_org_seq_idx" ON "hl7_messages" USING btree ("org_id","seq");--> statement-breakpoint
CREATE INDEX "hl7_messages_org_status_seq_idx" ON "hl7_messages" USING btree ("org_id","status","seq");--> statement-breakpoint
CREATE INDEX "hl7_messages_org_type_seq_idx" ON "hl7_messages" USING btree ("org_id","message_type","seq");--> statement-breakpoint
CREATE INDEX "hl7_messages_control_idx" ON "hl7_messages" USING btree ("org_id","control_id");--> statement-breakpoint
CREATE INDEX "hl7_messages_patient_idx" ON "hl7_messages" USING btree ("patient_id");