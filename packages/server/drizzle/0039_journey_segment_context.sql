ALTER TABLE "journey_stage_segments" ADD COLUMN "prev_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "journey_stage_segments" ADD COLUMN "prev_stage" text;--> statement-breakpoint
ALTER TABLE "journey_stage_segments" ADD COLUMN "run_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "journey_stage_segments" ADD COLUMN "prev_run_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "journey_stage_segments" ADD COLUMN "entry" integer;--> statement-breakpoint
-- Segments cut before these columns have none: forget the rollups, so the map reads the
-- touchpoints until the next refresh rebuilds everything whole (docs/adr/0037).
DELETE FROM journey_stage_refreshes;
