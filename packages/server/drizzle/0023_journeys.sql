CREATE TABLE "journey_enrolments" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"org_id" uuid NOT NULL,
	"journey_id" uuid NOT NULL,
	"version_id" uuid NOT NULL,
	"patient_id" uuid NOT NULL,
	"context_key" text NOT NULL,
	"appointment_id" uuid,
	"context" jsonb NOT NULL,
	"state" jsonb NOT NULL,
	"status" text DEFAULT 'active' NOT NULL,
	"current_node" text NOT NULL,
	"wake_at" timestamp with time zone,
	"converted_at" timestamp with time zone,
	"last_error" text,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	CONSTRAINT "journey_enrolments_org_id_id_key" UNIQUE("org_id","id"),
	CONSTRAINT "journey_enrolments_status_check" CHECK (status in ('active', 'completed', 'exited', 'failed'))
);
--> statement-breakpoint
CREATE TABLE "journey_steps" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"org_id" uuid NOT NULL,
	"enrolment_id" uuid NOT NULL,
	"journey_id" uuid NOT NULL,
	"node_id" text NOT NULL,
	"occurrence" integer NOT NULL,
	"outcome" text NOT NULL,
	"message_id" uuid,
	"at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "journey_versions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"org_id" uuid NOT NULL,
	"journey_id" uuid NOT NULL,
	"version" integer NOT NULL,
	"definition" jsonb NOT NULL,
	"published_at" timestamp with time zone NOT NULL,
	"published_by" uuid,
	CONSTRAINT "journey_versions_org_id_id_key" UNIQUE("org_id","id")
);
--> statement-breakpoint
CREATE TABLE "journeys" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"org_id" uuid NOT NULL,
	"key" text NOT NULL,
	"name" text NOT NULL,
	"status" text DEFAULT 'draft' NOT NULL,
	"draft" jsonb NOT NULL,
	"published_version" integer,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "journeys_org_id_id_key" UNIQUE("org_id","id"),
	CONSTRAINT "journeys_status_check" CHECK (status in ('draft', 'published', 'paused', 'archived'))
);
--> statement-breakpoint
ALTER TABLE "outbound_messages" DROP CONSTRAINT "outbound_messages_status_check";--> statement-breakpoint
ALTER TABLE "outbound_messages" ADD COLUMN "valid_until" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "journey_enrolments" ADD CONSTRAINT "journey_enrolments_org_id_organizations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "journey_enrolments" ADD CONSTRAINT "journey_enrolments_journey_id_fk" FOREIGN KEY ("org_id","journey_id") REFERENCES "public"."journeys"("org_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "journey_enrolments" ADD CONSTRAINT "journey_enrolments_version_id_fk" FOREIGN KEY ("org_id","version_id") REFERENCES "public"."journey_versions"("org_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "journey_enrolments" ADD CONSTRAINT "journey_enrolments_patient_id_fk" FOREIGN KEY ("org_id","patient_id") REFERENCES "public"."patients"("org_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "journey_steps" ADD CONSTRAINT "journey_steps_org_id_organizations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "journey_steps" ADD CONSTRAINT "journey_steps_enrolment_id_fk" FOREIGN KEY ("org_id","enrolment_id") REFERENCES "public"."journey_enrolments"("org_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "journey_steps" ADD CONSTRAINT "journey_steps_journey_id_fk" FOREIGN KEY ("org_id","journey_id") REFERENCES "public"."journeys"("org_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "journey_versions" ADD CONSTRAINT "journey_versions_org_id_organizations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "journey_versions" ADD CONSTRAINT "journey_versions_journey_id_fk" FOREIGN KEY ("org_id","journey_id") REFERENCES "public"."journeys"("org_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "journeys" ADD CONSTRAINT "journeys_org_id_organizations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "journey_enrolments_journey_idx" ON "journey_enrolments" USING btree ("org_id","journey_id","status","current_node");--> statement-breakpoint
CREATE INDEX "journey_enrolments_patient_idx" ON "journey_enrolments" USING btree ("org_id","patient_id","status");--> statement-breakpoint
CREATE INDEX "journey_enrolments_appointment_idx" ON "journey_enrolments" USING btree ("org_id","appointment_id") WHERE appointment_id is not null;--> statement-breakpoint
CREATE INDEX "journey_enrolments_context_idx" ON "journey_enrolments" USING btree ("org_id","journey_id","patient_id","context_key");--> statement-breakpoint
CREATE UNIQUE INDEX "journey_steps_occurrence" ON "journey_steps" USING btree ("org_id","enrolment_id","node_id","occurrence");--> statement-breakpoint
CREATE INDEX "journey_steps_journey_idx" ON "journey_steps" USING btree ("org_id","journey_id","node_id");--> statement-breakpoint
CREATE UNIQUE INDEX "journey_versions_version" ON "journey_versions" USING btree ("org_id","journey_id","version");--> statement-breakpoint
CREATE UNIQUE INDEX "journeys_key" ON "journeys" USING btree ("org_id","key");--> statement-breakpoint
ALTER TABLE "outbound_messages" ADD CONSTRAINT "outbound_messages_status_check" CHECK (status in ('queued', 'sent', 'delivered', 'failed', 'bounced', 'expired', 'withdrawn'));--> statement-breakpoint
-- Journeys (docs/adr/0025). Published versions are immutable: the app's role may insert them,
-- never update or delete them. Enrolments and their state change with each step; steps are
-- appended once per (enrolment, node, occurrence).
GRANT SELECT, INSERT, UPDATE ON journeys TO careloop_app;
--> statement-breakpoint
GRANT SELECT, INSERT ON journey_versions TO careloop_app;
--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE ON journey_enrolments TO careloop_app;
--> statement-breakpoint
GRANT SELECT, INSERT ON journey_steps TO careloop_app;
--> statement-breakpoint
ALTER TABLE journeys ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY tenant_isolation ON journeys
  USING (org_id = careloop_current_org()) WITH CHECK (org_id = careloop_current_org());
--> statement-breakpoint
ALTER TABLE journey_versions ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY tenant_isolation ON journey_versions
  USING (org_id = careloop_current_org()) WITH CHECK (org_id = careloop_current_org());
--> statement-breakpoint
ALTER TABLE journey_enrolments ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY tenant_isolation ON journey_enrolments
  USING (org_id = careloop_current_org()) WITH CHECK (org_id = careloop_current_org());
--> statement-breakpoint
ALTER TABLE journey_steps ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY tenant_isolation ON journey_steps
  USING (org_id = careloop_current_org()) WITH CHECK (org_id = careloop_current_org());
