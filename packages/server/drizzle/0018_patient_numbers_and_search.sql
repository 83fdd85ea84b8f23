-- Typo-tolerant patient search (trigram similarity of search_name); pg_trgm is a trusted
-- contrib extension (PostgreSQL 13+), so the database owner may create it. PGlite loads it too.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
--> statement-breakpoint
CREATE TABLE "mrn_counters" (
	"org_id" uuid PRIMARY KEY NOT NULL,
	"last_value" bigint DEFAULT 0 NOT NULL
);
--> statement-breakpoint
ALTER TABLE "organizations" ADD COLUMN "mrn_format" text DEFAULT 'CL-{seq:6}' NOT NULL;--> statement-breakpoint
ALTER TABLE "organizations" ADD COLUMN "portal_sign_up_listed" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "organizations" ADD COLUMN "default_location_id" uuid;--> statement-breakpoint
ALTER TABLE "coverages" ADD COLUMN "subscriber_name" text;--> statement-breakpoint
ALTER TABLE "coverages" ADD COLUMN "subscriber_relationship" text DEFAULT 'self' NOT NULL;--> statement-breakpoint
ALTER TABLE "mrn_counters" ADD CONSTRAINT "mrn_counters_org_id_organizations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "organizations" ADD CONSTRAINT "organizations_default_location_id_fk" FOREIGN KEY ("id","default_location_id") REFERENCES "public"."locations"("org_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "patients_search_name_trgm_idx" ON "patients" USING gin ("search_name" gin_trgm_ops);
--> statement-breakpoint
-- Registration takes the next number with INSERT … ON CONFLICT DO UPDATE … RETURNING.
GRANT SELECT, INSERT, UPDATE ON mrn_counters TO careloop_app;
--> statement-breakpoint
ALTER TABLE mrn_counters ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY tenant_isolation ON mrn_counters
  USING (org_id = careloop_current_org()) WITH CHECK (org_id = careloop_current_org());
