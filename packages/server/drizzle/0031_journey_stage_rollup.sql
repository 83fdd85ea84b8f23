CREATE TABLE "journey_repeated_contacts" (
	"org_id" uuid NOT NULL,
	"patient_id" uuid NOT NULL,
	"first_at" timestamp with time zone NOT NULL,
	"third_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "journey_stage_refreshes" (
	"org_id" uuid PRIMARY KEY NOT NULL,
	"mapping_hash" text NOT NULL,
	"from_day" date NOT NULL,
	"to_day" date NOT NULL,
	"refreshed_at" timestamp with time zone NOT NULL,
	"rebuilt_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "journey_stage_segments" (
	"org_id" uuid NOT NULL,
	"patient_id" uuid NOT NULL,
	"first_at" timestamp with time zone NOT NULL,
	"first_id" uuid NOT NULL,
	"stage" text NOT NULL,
	"touchpoints" integer NOT NULL,
	"channels" jsonb NOT NULL,
	"no_show" boolean NOT NULL,
	"negative_feedback" boolean NOT NULL,
	CONSTRAINT "journey_stage_segments_org_id_patient_id_first_at_first_id_pk" PRIMARY KEY("org_id","patient_id","first_at","first_id")
);
--> statement-breakpoint
ALTER TABLE "journey_repeated_contacts" ADD CONSTRAINT "journey_repeated_contacts_org_id_organizations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "journey_stage_refreshes" ADD CONSTRAINT "journey_stage_refreshes_org_id_organizations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "journey_stage_segments" ADD CONSTRAINT "journey_stage_segments_org_id_organizations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "journey_repeated_contacts_org_time_idx" ON "journey_repeated_contacts" USING btree ("org_id","third_at");--> statement-breakpoint
CREATE INDEX "journey_stage_segments_org_time_idx" ON "journey_stage_segments" USING btree ("org_id","first_at");--> statement-breakpoint
-- The journey map's stage-entry rollup (docs/adr/0026): tables with row-level security, kept by
-- the refresh job as careloop_app of one organization at a time (delete a day range, insert it
-- again); requests only read.
GRANT SELECT, INSERT, DELETE ON journey_stage_segments TO careloop_app;
--> statement-breakpoint
ALTER TABLE journey_stage_segments ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY tenant_isolation ON journey_stage_segments
  USING (org_id = careloop_current_org()) WITH CHECK (org_id = careloop_current_org());
--> statement-breakpoint
GRANT SELECT, INSERT, DELETE ON journey_repeated_contacts TO careloop_app;
--> statement-breakpoint
ALTER TABLE journey_repeated_contacts ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY tenant_isolation ON journey_repeated_contacts
  USING (org_id = careloop_current_org()) WITH CHECK (org_id = careloop_current_org());
--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE ON journey_stage_refreshes TO careloop_app;
--> statement-breakpoint
ALTER TABLE journey_stage_refreshes ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY tenant_isolation ON journey_stage_refreshes
  USING (org_id = careloop_current_org()) WITH CHECK (org_id = careloop_current_org());
