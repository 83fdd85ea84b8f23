CREATE TABLE "journey_map_months" (
	"org_id" uuid NOT NULL,
	"month" date NOT NULL,
	"version" uuid NOT NULL,
	"rows" integer NOT NULL,
	"types" text[] NOT NULL,
	"channels" text[] NOT NULL,
	"stages" text[] NOT NULL,
	"data" "bytea" NOT NULL,
	CONSTRAINT "journey_map_months_org_id_month_pk" PRIMARY KEY("org_id","month")
);
--> statement-breakpoint
CREATE TABLE "journey_map_patients" (
	"org_id" uuid PRIMARY KEY NOT NULL,
	"version" uuid NOT NULL,
	"count" integer NOT NULL,
	"locations" text[] NOT NULL,
	"data" "bytea" NOT NULL
);
--> statement-breakpoint
CREATE TABLE "journey_patient_numbers" (
	"org_id" uuid NOT NULL,
	"patient_id" uuid NOT NULL,
	"number" integer NOT NULL,
	CONSTRAINT "journey_patient_numbers_org_id_patient_id_pk" PRIMARY KEY("org_id","patient_id")
);
--> statement-breakpoint
DROP TABLE "journey_daily_channels" CASCADE;--> statement-breakpoint
DROP TABLE "journey_repeated_contacts" CASCADE;--> statement-breakpoint
DROP TABLE "journey_stage_segments" CASCADE;--> statement-breakpoint
ALTER TABLE "journey_map_months" ADD CONSTRAINT "journey_map_months_org_id_organizations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "journey_map_patients" ADD CONSTRAINT "journey_map_patients_org_id_organizations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "journey_patient_numbers" ADD CONSTRAINT "journey_patient_numbers_org_id_organizations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "journey_patient_numbers_number_idx" ON "journey_patient_numbers" USING btree ("org_id","number");--> statement-breakpoint
-- The journey map's columns (docs/adr/0048), kept by the refresh job as careloop_app of one
-- organization at a time. Their records are mostly incompressible and read whole: stored
-- uncompressed, out of line.
ALTER TABLE journey_map_months ALTER COLUMN data SET STORAGE EXTERNAL;
--> statement-breakpoint
ALTER TABLE journey_map_patients ALTER COLUMN data SET STORAGE EXTERNAL;
--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE, DELETE ON journey_map_months TO careloop_app;
--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE, DELETE ON journey_map_patients TO careloop_app;
--> statement-breakpoint
GRANT SELECT, INSERT ON journey_patient_numbers TO careloop_app;
--> statement-breakpoint
ALTER TABLE journey_map_months ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY tenant_isolation ON journey_map_months
  USING (org_id = careloop_current_org()) WITH CHECK (org_id = careloop_current_org());
--> statement-breakpoint
ALTER TABLE journey_map_patients ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY tenant_isolation ON journey_map_patients
  USING (org_id = careloop_current_org()) WITH CHECK (org_id = careloop_current_org());
--> statement-breakpoint
ALTER TABLE journey_patient_numbers ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY tenant_isolation ON journey_patient_numbers
  USING (org_id = careloop_current_org()) WITH CHECK (org_id = careloop_current_org());
--> statement-breakpoint
-- Rollups of the stage segments are gone: the map reads the touchpoints until the next refresh
-- writes the columns.
DELETE FROM journey_stage_refreshes;
