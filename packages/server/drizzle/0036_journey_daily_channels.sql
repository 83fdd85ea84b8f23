CREATE TABLE "journey_daily_channels" (
	"org_id" uuid NOT NULL,
	"day" date NOT NULL,
	"stage" text NOT NULL,
	"channel" text NOT NULL,
	"type" text NOT NULL,
	"touchpoints" integer NOT NULL,
	CONSTRAINT "journey_daily_channels_org_id_day_stage_channel_type_pk" PRIMARY KEY("org_id","day","stage","channel","type")
);
--> statement-breakpoint
ALTER TABLE "journey_repeated_contacts" ADD COLUMN "location_id" uuid;--> statement-breakpoint
ALTER TABLE "journey_repeated_contacts" ADD COLUMN "birth_date" date;--> statement-breakpoint
ALTER TABLE "journey_stage_segments" ADD COLUMN "location_id" uuid;--> statement-breakpoint
ALTER TABLE "journey_stage_segments" ADD COLUMN "birth_date" date;--> statement-breakpoint
ALTER TABLE "journey_daily_channels" ADD CONSTRAINT "journey_daily_channels_org_id_organizations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "touchpoints_org_type_time_idx" ON "touchpoints" USING btree ("org_id","type","occurred_at");--> statement-breakpoint
-- The journey map's daily counts (docs/adr/0034): kept by the rollup's refresh job as
-- careloop_app of one organization at a time (delete a day range, insert it again).
GRANT SELECT, INSERT, DELETE ON journey_daily_channels TO careloop_app;
--> statement-breakpoint
ALTER TABLE journey_daily_channels ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY tenant_isolation ON journey_daily_channels
  USING (org_id = careloop_current_org()) WITH CHECK (org_id = careloop_current_org());
--> statement-breakpoint
-- Rollups built before this table have no daily counts: forget them, so the map reads the
-- touchpoints until the next refresh rebuilds everything whole.
DELETE FROM journey_stage_refreshes;
