CREATE TABLE "survey_responses" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"org_id" uuid NOT NULL,
	"patient_id" uuid NOT NULL,
	"appointment_id" uuid NOT NULL,
	"answered_at" timestamp with time zone NOT NULL,
	"via" text NOT NULL,
	"language" text NOT NULL,
	"nps" smallint NOT NULL,
	"category" text NOT NULL,
	"communication" text,
	"scheduling" text,
	"comment_encrypted" text,
	CONSTRAINT "survey_responses_org_id_id_key" UNIQUE("org_id","id"),
	CONSTRAINT "survey_responses_nps_check" CHECK (nps between 0 and 10),
	CONSTRAINT "survey_responses_category_check" CHECK (category in ('detractor', 'passive', 'promoter')),
	CONSTRAINT "survey_responses_via_check" CHECK (via in ('link', 'portal')),
	CONSTRAINT "survey_responses_communication_check" CHECK (communication in ('never', 'sometimes', 'usually', 'always')),
	CONSTRAINT "survey_responses_scheduling_check" CHECK (scheduling in ('never', 'sometimes', 'usually', 'always'))
);
--> statement-breakpoint
ALTER TABLE "survey_responses" ADD CONSTRAINT "survey_responses_org_id_organizations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "survey_responses" ADD CONSTRAINT "survey_responses_patient_id_fk" FOREIGN KEY ("org_id","patient_id") REFERENCES "public"."patients"("org_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "survey_responses" ADD CONSTRAINT "survey_responses_appointment_id_fk" FOREIGN KEY ("org_id","appointment_id") REFERENCES "public"."appointments"("org_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "survey_responses_appointment_key" ON "survey_responses" USING btree ("org_id","appointment_id");--> statement-breakpoint
CREATE INDEX "survey_responses_patient_idx" ON "survey_responses" USING btree ("org_id","patient_id","answered_at");--> statement-breakpoint
-- Hand-written: grants and row-level security (see 0001_security.sql). An answer is appended
-- once per visit and never changed by the app.
GRANT SELECT, INSERT ON survey_responses TO careloop_app;
--> statement-breakpoint
ALTER TABLE survey_responses ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY tenant_isolation ON survey_responses
  USING (org_id = careloop_current_org()) WITH CHECK (org_id = careloop_current_org());
