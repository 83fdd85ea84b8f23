CREATE TABLE "coverage_card_images" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"org_id" uuid NOT NULL,
	"coverage_id" uuid NOT NULL,
	"side" text NOT NULL,
	"content_type" text NOT NULL,
	"size_bytes" integer NOT NULL,
	"data_encrypted" text NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	CONSTRAINT "coverage_card_images_org_id_id_key" UNIQUE("org_id","id"),
	CONSTRAINT "coverage_card_images_side_check" CHECK (side in ('front', 'back')),
	CONSTRAINT "coverage_card_images_type_check" CHECK (content_type in ('application/pdf', 'image/png', 'image/jpeg')),
	CONSTRAINT "coverage_card_images_size_check" CHECK (size_bytes > 0 and size_bytes <= 5242880)
);
--> statement-breakpoint
CREATE TABLE "pre_registrations" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"org_id" uuid NOT NULL,
	"patient_id" uuid NOT NULL,
	"appointment_id" uuid,
	"coverage_id" uuid,
	"submitted_by" uuid NOT NULL,
	"submitted_at" timestamp with time zone NOT NULL,
	"treatment_consent" boolean NOT NULL,
	"privacy_notice" boolean NOT NULL,
	"emergency_contact_encrypted" text NOT NULL,
	CONSTRAINT "pre_registrations_org_id_id_key" UNIQUE("org_id","id")
);
--> statement-breakpoint
ALTER TABLE "coverages" ADD COLUMN "subscriber_birth_date" date;--> statement-breakpoint
-- Moved before the keys that reference it (drizzle-kit put it last, where those fail).
ALTER TABLE "coverages" ADD CONSTRAINT "coverages_org_id_id_key" UNIQUE("org_id","id");--> statement-breakpoint
ALTER TABLE "coverage_card_images" ADD CONSTRAINT "coverage_card_images_org_id_organizations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "coverage_card_images" ADD CONSTRAINT "coverage_card_images_coverage_id_fk" FOREIGN KEY ("org_id","coverage_id") REFERENCES "public"."coverages"("org_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "pre_registrations" ADD CONSTRAINT "pre_registrations_org_id_organizations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "pre_registrations" ADD CONSTRAINT "pre_registrations_patient_id_fk" FOREIGN KEY ("org_id","patient_id") REFERENCES "public"."patients"("org_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "pre_registrations" ADD CONSTRAINT "pre_registrations_appointment_id_fk" FOREIGN KEY ("org_id","appointment_id") REFERENCES "public"."appointments"("org_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "pre_registrations" ADD CONSTRAINT "pre_registrations_coverage_id_fk" FOREIGN KEY ("org_id","coverage_id") REFERENCES "public"."coverages"("org_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "pre_registrations" ADD CONSTRAINT "pre_registrations_submitted_by_fk" FOREIGN KEY ("org_id","submitted_by") REFERENCES "public"."users"("org_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "coverage_card_images_side_key" ON "coverage_card_images" USING btree ("org_id","coverage_id","side");--> statement-breakpoint
CREATE INDEX "pre_registrations_patient_idx" ON "pre_registrations" USING btree ("org_id","patient_id","submitted_at");--> statement-breakpoint
-- Hand-written: grants and row-level security for the new tenant tables (see 0001_security.sql).
-- Card images are replaced side by side (upsert); pre-registrations are appended, never changed.
GRANT SELECT, INSERT, UPDATE ON coverage_card_images TO careloop_app;
--> statement-breakpoint
ALTER TABLE coverage_card_images ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY tenant_isolation ON coverage_card_images
  USING (org_id = careloop_current_org()) WITH CHECK (org_id = careloop_current_org());
--> statement-breakpoint
GRANT SELECT, INSERT ON pre_registrations TO careloop_app;
--> statement-breakpoint
ALTER TABLE pre_registrations ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY tenant_isolation ON pre_registrations
  USING (org_id = careloop_current_org()) WITH CHECK (org_id = careloop_current_org());
