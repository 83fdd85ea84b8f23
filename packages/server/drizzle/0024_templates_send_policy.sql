CREATE TABLE "message_policies" (
	"org_id" uuid PRIMARY KEY NOT NULL,
	"default_language" text DEFAULT 'en' NOT NULL,
	"quiet_start_minute" integer DEFAULT 480 NOT NULL,
	"quiet_end_minute" integer DEFAULT 1260 NOT NULL,
	"frequency_caps" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "message_policies_window_check" CHECK (quiet_start_minute >= 0 and quiet_start_minute < quiet_end_minute and quiet_end_minute <= 1440)
);
--> statement-breakpoint
CREATE TABLE "message_template_versions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"org_id" uuid NOT NULL,
	"template_id" uuid NOT NULL,
	"channel" text NOT NULL,
	"language" text NOT NULL,
	"subject" text,
	"text_body" text NOT NULL,
	"html_body" text,
	"revision" integer DEFAULT 1 NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_by" uuid,
	CONSTRAINT "message_template_versions_channel_check" CHECK (channel in ('email', 'sms'))
);
--> statement-breakpoint
CREATE TABLE "message_templates" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"org_id" uuid NOT NULL,
	"key" text NOT NULL,
	"name" text NOT NULL,
	"purpose" text NOT NULL,
	"description" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "message_templates_org_id_id_key" UNIQUE("org_id","id"),
	CONSTRAINT "message_templates_purpose_check" CHECK (purpose in ('treatment', 'operations', 'marketing'))
);
--> statement-breakpoint
ALTER TABLE "outbound_messages" DROP CONSTRAINT "outbound_messages_status_check";--> statement-breakpoint
ALTER TABLE "outbound_messages" ADD COLUMN "suppression_reason" text;--> statement-breakpoint
ALTER TABLE "outbound_messages" ADD COLUMN "admitted_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "outbound_messages" ADD COLUMN "not_before" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "outbound_messages" ADD COLUMN "template_key" text;--> statement-breakpoint
ALTER TABLE "message_policies" ADD CONSTRAINT "message_policies_org_id_organizations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "message_template_versions" ADD CONSTRAINT "message_template_versions_org_id_organizations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "message_template_versions" ADD CONSTRAINT "message_template_versions_template_id_fk" FOREIGN KEY ("org_id","template_id") REFERENCES "public"."message_templates"("org_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "message_templates" ADD CONSTRAINT "message_templates_org_id_organizations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "message_template_versions_key" ON "message_template_versions" USING btree ("org_id","template_id","channel","language");--> statement-breakpoint
CREATE INDEX "message_template_versions_template_idx" ON "message_template_versions" USING btree ("template_id");--> statement-breakpoint
CREATE UNIQUE INDEX "message_templates_key" ON "message_templates" USING btree ("org_id","key");--> statement-breakpoint
CREATE INDEX "outbound_messages_patient_admitted_idx" ON "outbound_messages" USING btree ("org_id","patient_id","purpose","admitted_at") WHERE admitted_at is not null;--> statement-breakpoint
ALTER TABLE "outbound_messages" ADD CONSTRAINT "outbound_messages_status_check" CHECK (status in ('queued', 'sent', 'delivered', 'failed', 'bounced', 'replied', 'expired', 'withdrawn', 'suppressed'));--> statement-breakpoint
-- Templates and the send-time policy (issue 11, docs/adr/0024): staff read and edit templates
-- and their organization's policy through the app's role, under row-level security.
GRANT SELECT, INSERT, UPDATE ON message_templates TO careloop_app;
--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE ON message_template_versions TO careloop_app;
--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE ON message_policies TO careloop_app;
--> statement-breakpoint
ALTER TABLE message_templates ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY tenant_isolation ON message_templates
  USING (org_id = careloop_current_org()) WITH CHECK (org_id = careloop_current_org());
--> statement-breakpoint
ALTER TABLE message_template_versions ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY tenant_isolation ON message_template_versions
  USING (org_id = careloop_current_org()) WITH CHECK (org_id = careloop_current_org());
--> statement-breakpoint
ALTER TABLE message_policies ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY tenant_isolation ON message_policies
  USING (org_id = careloop_current_org()) WITH CHECK (org_id = careloop_current_org());
