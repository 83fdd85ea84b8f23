CREATE TABLE "kpi_daily_counts" (
	"org_id" uuid NOT NULL,
	"day" date NOT NULL,
	"location_id" uuid,
	"practitioner_id" uuid,
	"service_line_id" uuid,
	"appointments" bigint DEFAULT 0 NOT NULL,
	"appointments_cancelled" bigint DEFAULT 0 NOT NULL,
	"appointments_noshow" bigint DEFAULT 0 NOT NULL,
	"appointments_fulfilled" bigint DEFAULT 0 NOT NULL,
	"new_patients" bigint DEFAULT 0 NOT NULL,
	"visits" bigint DEFAULT 0 NOT NULL,
	"visits_returned_12m" bigint DEFAULT 0 NOT NULL,
	"visits_returned_18m" bigint DEFAULT 0 NOT NULL,
	"discharges" bigint DEFAULT 0 NOT NULL,
	"readmissions_30d" bigint DEFAULT 0 NOT NULL,
	"messages" bigint DEFAULT 0 NOT NULL,
	"messages_delivered" bigint DEFAULT 0 NOT NULL,
	"messages_answered" bigint DEFAULT 0 NOT NULL,
	"outreach" bigint DEFAULT 0 NOT NULL,
	"outreach_automated" bigint DEFAULT 0 NOT NULL,
	"claims" bigint DEFAULT 0 NOT NULL,
	"billed_cents" bigint DEFAULT 0 NOT NULL,
	"nps_responses" bigint DEFAULT 0 NOT NULL,
	"nps_promoters" bigint DEFAULT 0 NOT NULL,
	"nps_detractors" bigint DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE TABLE "kpi_refreshes" (
	"org_id" uuid PRIMARY KEY NOT NULL,
	"refreshed_at" timestamp with time zone NOT NULL,
	"from_day" date NOT NULL,
	"to_day" date NOT NULL,
	CONSTRAINT "kpi_refreshes_days_check" CHECK (from_day <= to_day)
);
--> statement-breakpoint
ALTER TABLE "organizations" ADD COLUMN "aggregate_suppression_threshold" integer DEFAULT 11 NOT NULL;--> statement-breakpoint
ALTER TABLE "kpi_daily_counts" ADD CONSTRAINT "kpi_daily_counts_org_id_organizations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "kpi_refreshes" ADD CONSTRAINT "kpi_refreshes_org_id_organizations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "kpi_daily_counts_org_day_idx" ON "kpi_daily_counts" USING btree ("org_id","day");
--> statement-breakpoint
ALTER TABLE "organizations" ADD CONSTRAINT "organizations_aggregate_suppression_threshold_check" CHECK (aggregate_suppression_threshold between 1 and 1000);
--> statement-breakpoint
-- The KPI rollup (docs/adr/0027): tables, not materialized views, because a materialized view
-- carries no row-level security. The refresh job runs as careloop_app for one organization
-- at a time: it deletes a day range and inserts it again; requests only read.
GRANT SELECT, INSERT, DELETE ON kpi_daily_counts TO careloop_app;
--> statement-breakpoint
ALTER TABLE kpi_daily_counts ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY tenant_isolation ON kpi_daily_counts
  USING (org_id = careloop_current_org()) WITH CHECK (org_id = careloop_current_org());
--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE ON kpi_refreshes TO careloop_app;
--> statement-breakpoint
ALTER TABLE kpi_refreshes ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY tenant_isolation ON kpi_refreshes
  USING (org_id = careloop_current_org()) WITH CHECK (org_id = careloop_current_org());
