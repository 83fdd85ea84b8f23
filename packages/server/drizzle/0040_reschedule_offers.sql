CREATE TABLE "reschedule_offers" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"org_id" uuid NOT NULL,
	"patient_id" uuid NOT NULL,
	"appointment_id" uuid NOT NULL,
	"status" text NOT NULL,
	"slots" jsonb NOT NULL,
	"round" integer DEFAULT 1 NOT NULL,
	"source_key" text NOT NULL,
	"chosen" smallint,
	"answer_key" text,
	"created_at" timestamp with time zone NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"answered_at" timestamp with time zone,
	CONSTRAINT "reschedule_offers_org_id_id_key" UNIQUE("org_id","id"),
	CONSTRAINT "reschedule_offers_status_check" CHECK (status in ('open', 'accepted', 'replaced', 'expired', 'handed-off'))
);
--> statement-breakpoint
ALTER TABLE "reschedule_offers" ADD CONSTRAINT "reschedule_offers_org_id_organizations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "reschedule_offers" ADD CONSTRAINT "reschedule_offers_patient_id_fk" FOREIGN KEY ("org_id","patient_id") REFERENCES "public"."patients"("org_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "reschedule_offers" ADD CONSTRAINT "reschedule_offers_appointment_id_fk" FOREIGN KEY ("org_id","appointment_id") REFERENCES "public"."appointments"("org_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "reschedule_offers_source_key" ON "reschedule_offers" USING btree ("org_id","source_key");--> statement-breakpoint
CREATE INDEX "reschedule_offers_patient_idx" ON "reschedule_offers" USING btree ("org_id","patient_id","created_at");--> statement-breakpoint
-- Issue 11 (h11r): offers of open slots by text, made and answered by the journeys worker as
-- the app's role (no DELETE: an offer's outcome is history).
GRANT SELECT, INSERT, UPDATE ON reschedule_offers TO careloop_app;
--> statement-breakpoint
ALTER TABLE reschedule_offers ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY tenant_isolation ON reschedule_offers
  USING (org_id = careloop_current_org()) WITH CHECK (org_id = careloop_current_org());
