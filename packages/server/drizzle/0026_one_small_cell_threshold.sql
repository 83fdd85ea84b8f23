-- One small-cell threshold per organization for every aggregate (the journey map and the KPIs):
-- a threshold set on the journey map before this migration carries over.
UPDATE "organizations" AS o SET "aggregate_suppression_threshold" = s."suppression_threshold"
  FROM "journey_map_settings" AS s
  WHERE s."org_id" = o."id" AND s."suppression_threshold" <> 11;--> statement-breakpoint
ALTER TABLE "journey_map_settings" DROP COLUMN "suppression_threshold";
