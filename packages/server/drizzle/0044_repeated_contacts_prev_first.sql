ALTER TABLE "journey_repeated_contacts" ADD COLUMN "prev_first_at" timestamp with time zone;--> statement-breakpoint
CREATE INDEX "journey_repeated_contacts_patient_idx" ON "journey_repeated_contacts" USING btree ("org_id","patient_id","third_at");--> statement-breakpoint
-- Repeated contacts counted before this column have none: forget the rollups, so the map reads
-- the touchpoints until the next refresh rebuilds everything whole (docs/adr/0044).
DELETE FROM journey_stage_refreshes;
