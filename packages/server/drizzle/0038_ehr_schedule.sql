CREATE TABLE "ehr_booking_requests" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"org_id" uuid NOT NULL,
	"appointment_id" uuid NOT NULL,
	"hold_id" uuid,
	"event" text NOT NULL,
	"status" text DEFAULT 'sent' NOT NULL,
	"control_id" text NOT NULL,
	"filler_id" text,
	"requested_start" timestamp with time zone,
	"refusal_reason" text,
	"created_at" timestamp with time zone NOT NULL,
	"answered_at" timestamp with time zone,
	CONSTRAINT "ehr_booking_requests_org_id_id_key" UNIQUE("org_id","id"),
	CONSTRAINT "ehr_booking_requests_event_check" CHECK (event in ('S12', 'S13', 'S15')),
	CONSTRAINT "ehr_booking_requests_status_check" CHECK (status in ('sent', 'accepted', 'refused'))
);
--> statement-breakpoint
ALTER TABLE "scheduling_settings" ADD COLUMN "schedule_mode" text DEFAULT 'careloop' NOT NULL;--> statement-breakpoint
ALTER TABLE "ehr_booking_requests" ADD CONSTRAINT "ehr_booking_requests_org_id_organizations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ehr_booking_requests" ADD CONSTRAINT "ehr_booking_requests_appointment_id_fk" FOREIGN KEY ("org_id","appointment_id") REFERENCES "public"."appointments"("org_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ehr_booking_requests" ADD CONSTRAINT "ehr_booking_requests_hold_id_fk" FOREIGN KEY ("org_id","hold_id") REFERENCES "public"."slot_holds"("org_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "ehr_booking_requests_appointment_idx" ON "ehr_booking_requests" USING btree ("org_id","appointment_id");--> statement-breakpoint
ALTER TABLE "scheduling_settings" ADD CONSTRAINT "scheduling_settings_mode_check"
  CHECK (schedule_mode in ('careloop', 'ehr'));
--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE ON ehr_booking_requests TO careloop_app;
--> statement-breakpoint
ALTER TABLE ehr_booking_requests ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY tenant_isolation ON ehr_booking_requests
  USING (org_id = careloop_current_org()) WITH CHECK (org_id = careloop_current_org());
