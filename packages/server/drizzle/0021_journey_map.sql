CREATE TABLE "journey_map_settings" (
	"org_id" uuid PRIMARY KEY NOT NULL,
	"stages" jsonb NOT NULL,
	"mapping" jsonb NOT NULL,
	"definitions" jsonb NOT NULL,
	"suppression_threshold" integer DEFAULT 11 NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_by" uuid
);
--> statement-breakpoint
CREATE TABLE "patient_list_members" (
	"org_id" uuid NOT NULL,
	"list_id" uuid NOT NULL,
	"patient_id" uuid NOT NULL,
	CONSTRAINT "patient_list_members_org_id_list_id_patient_id_pk" PRIMARY KEY("org_id","list_id","patient_id")
);
--> statement-breakpoint
CREATE TABLE "patient_lists" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"org_id" uuid NOT NULL,
	"name" text NOT NULL,
	"source" text NOT NULL,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "patient_lists_org_id_id_key" UNIQUE("org_id","id")
);
--> statement-breakpoint
ALTER TABLE "journey_map_settings" ADD CONSTRAINT "journey_map_settings_org_id_organizations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "journey_map_settings" ADD CONSTRAINT "journey_map_settings_updated_by_fk" FOREIGN KEY ("org_id","updated_by") REFERENCES "public"."users"("org_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "patient_list_members" ADD CONSTRAINT "patient_list_members_org_id_organizations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "patient_list_members" ADD CONSTRAINT "patient_list_members_list_id_fk" FOREIGN KEY ("org_id","list_id") REFERENCES "public"."patient_lists"("org_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "patient_list_members" ADD CONSTRAINT "patient_list_members_patient_id_fk" FOREIGN KEY ("org_id","patient_id") REFERENCES "public"."patients"("org_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "patient_lists" ADD CONSTRAINT "patient_lists_org_id_organizations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "patient_lists" ADD CONSTRAINT "patient_lists_created_by_fk" FOREIGN KEY ("org_id","created_by") REFERENCES "public"."users"("org_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "patient_lists_org_created_idx" ON "patient_lists" USING btree ("org_id","created_at");--> statement-breakpoint
CREATE INDEX "touchpoints_org_time_idx" ON "touchpoints" USING btree ("org_id","occurred_at");--> statement-breakpoint
-- The journey map (issue 12): settings are read by every staff role and replaced by admins and
-- analysts; patient lists are created from drill-downs and never changed in place.
GRANT SELECT, INSERT, UPDATE ON journey_map_settings TO careloop_app;
--> statement-breakpoint
ALTER TABLE journey_map_settings ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY tenant_isolation ON journey_map_settings
  USING (org_id = careloop_current_org()) WITH CHECK (org_id = careloop_current_org());
--> statement-breakpoint
GRANT SELECT, INSERT ON patient_lists TO careloop_app;
--> statement-breakpoint
ALTER TABLE patient_lists ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY tenant_isolation ON patient_lists
  USING (org_id = careloop_current_org()) WITH CHECK (org_id = careloop_current_org());
--> statement-breakpoint
GRANT SELECT, INSERT ON patient_list_members TO careloop_app;
--> statement-breakpoint
ALTER TABLE patient_list_members ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY tenant_isolation ON patient_list_members
  USING (org_id = careloop_current_org()) WITH CHECK (org_id = careloop_current_org());
