CREATE TABLE "availability_exceptions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"org_id" uuid NOT NULL,
	"practitioner_id" uuid,
	"location_id" uuid,
	"date" date NOT NULL,
	"hours" text,
	"note" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "availability_exceptions_org_id_id_key" UNIQUE("org_id","id")
);
--> statement-breakpoint
CREATE TABLE "availability_rules" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"org_id" uuid NOT NULL,
	"practitioner_id" uuid NOT NULL,
	"location_id" uuid NOT NULL,
	"weekday" smallint NOT NULL,
	"kind" text DEFAULT 'hours' NOT NULL,
	"start_time" text NOT NULL,
	"end_time" text NOT NULL,
	"valid_from" date,
	"valid_until" date,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "availability_rules_org_id_id_key" UNIQUE("org_id","id"),
	CONSTRAINT "availability_rules_weekday_check" CHECK (weekday between 0 and 6),
	CONSTRAINT "availability_rules_kind_check" CHECK (kind in ('hours', 'break')),
	CONSTRAINT "availability_rules_times_check" CHECK (start_time ~ '^([01][0-9]|2[0-3]):[0-5][0-9]$' and end_time ~ '^(([01][0-9]|2[0-3]):[0-5][0-9]|24:00)$' and start_time < end_time)
);
--> statement-breakpoint
CREATE TABLE "booking_requests" (
	"org_id" uuid NOT NULL,
	"user_id" uuid NOT NULL,
	"idempotency_key" text NOT NULL,
	"body_hash" text NOT NULL,
	"appointment_id" uuid NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "booking_requests_org_id_user_id_idempotency_key_pk" PRIMARY KEY("org_id","user_id","idempotency_key")
);
--> statement-breakpoint
CREATE TABLE "scheduling_settings" (
	"org_id" uuid PRIMARY KEY NOT NULL,
	"telehealth_url_template" text,
	"late_cancel_hours" integer DEFAULT 24 NOT NULL
);
--> statement-breakpoint
CREATE TABLE "visit_type_locations" (
	"org_id" uuid NOT NULL,
	"visit_type_id" uuid NOT NULL,
	"location_id" uuid NOT NULL,
	CONSTRAINT "visit_type_locations_org_id_visit_type_id_location_id_pk" PRIMARY KEY("org_id","visit_type_id","location_id")
);
--> statement-breakpoint
CREATE TABLE "visit_type_practitioners" (
	"org_id" uuid NOT NULL,
	"visit_type_id" uuid NOT NULL,
	"practitioner_id" uuid NOT NULL,
	CONSTRAINT "visit_type_practitioners_org_id_visit_type_id_practitioner_id_pk" PRIMARY KEY("org_id","visit_type_id","practitioner_id")
);
--> statement-breakpoint
CREATE TABLE "visit_types" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"org_id" uuid NOT NULL,
	"name" text NOT NULL,
	"duration_minutes" integer NOT NULL,
	"buffer_minutes" integer DEFAULT 0 NOT NULL,
	"modality" text NOT NULL,
	"patient_rule" text DEFAULT 'any' NOT NULL,
	"active" boolean DEFAULT true NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "visit_types_org_id_id_key" UNIQUE("org_id","id"),
	CONSTRAINT "visit_types_modality_check" CHECK (modality in ('in-person', 'telehealth')),
	CONSTRAINT "visit_types_patient_rule_check" CHECK (patient_rule in ('any', 'new', 'established')),
	CONSTRAINT "visit_types_minutes_check" CHECK (duration_minutes between 5 and 480 and buffer_minutes between 0 and 120)
);
--> statement-breakpoint
ALTER TABLE "appointments" ADD COLUMN "visit_type_id" uuid;--> statement-breakpoint
ALTER TABLE "appointments" ADD COLUMN "occupies" "tstzrange";--> statement-breakpoint
ALTER TABLE "appointments" ADD COLUMN "join_token" text;--> statement-breakpoint
ALTER TABLE "appointments" ADD COLUMN "late_cancel" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "appointments" ADD COLUMN "updated_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "appointments" ADD CONSTRAINT "appointments_org_id_id_key" UNIQUE("org_id","id");--> statement-breakpoint
ALTER TABLE "availability_exceptions" ADD CONSTRAINT "availability_exceptions_org_id_organizations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "availability_exceptions" ADD CONSTRAINT "availability_exceptions_practitioner_id_fk" FOREIGN KEY ("org_id","practitioner_id") REFERENCES "public"."practitioners"("org_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "availability_exceptions" ADD CONSTRAINT "availability_exceptions_location_id_fk" FOREIGN KEY ("org_id","location_id") REFERENCES "public"."locations"("org_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "availability_rules" ADD CONSTRAINT "availability_rules_org_id_organizations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "availability_rules" ADD CONSTRAINT "availability_rules_practitioner_id_fk" FOREIGN KEY ("org_id","practitioner_id") REFERENCES "public"."practitioners"("org_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "availability_rules" ADD CONSTRAINT "availability_rules_location_id_fk" FOREIGN KEY ("org_id","location_id") REFERENCES "public"."locations"("org_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "booking_requests" ADD CONSTRAINT "booking_requests_org_id_organizations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "booking_requests" ADD CONSTRAINT "booking_requests_user_id_fk" FOREIGN KEY ("org_id","user_id") REFERENCES "public"."users"("org_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "booking_requests" ADD CONSTRAINT "booking_requests_appointment_id_fk" FOREIGN KEY ("org_id","appointment_id") REFERENCES "public"."appointments"("org_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "scheduling_settings" ADD CONSTRAINT "scheduling_settings_org_id_organizations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "visit_type_locations" ADD CONSTRAINT "visit_type_locations_org_id_organizations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "visit_type_locations" ADD CONSTRAINT "visit_type_locations_visit_type_id_fk" FOREIGN KEY ("org_id","visit_type_id") REFERENCES "public"."visit_types"("org_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "visit_type_locations" ADD CONSTRAINT "visit_type_locations_location_id_fk" FOREIGN KEY ("org_id","location_id") REFERENCES "public"."locations"("org_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "visit_type_practitioners" ADD CONSTRAINT "visit_type_practitioners_org_id_organizations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "visit_type_practitioners" ADD CONSTRAINT "visit_type_practitioners_visit_type_id_fk" FOREIGN KEY ("org_id","visit_type_id") REFERENCES "public"."visit_types"("org_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "visit_type_practitioners" ADD CONSTRAINT "visit_type_practitioners_practitioner_id_fk" FOREIGN KEY ("org_id","practitioner_id") REFERENCES "public"."practitioners"("org_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "visit_types" ADD CONSTRAINT "visit_types_org_id_organizations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "availability_exceptions_date_idx" ON "availability_exceptions" USING btree ("org_id","date");--> statement-breakpoint
CREATE INDEX "availability_rules_practitioner_idx" ON "availability_rules" USING btree ("org_id","practitioner_id","location_id");--> statement-breakpoint
CREATE INDEX "availability_rules_location_idx" ON "availability_rules" USING btree ("org_id","location_id");--> statement-breakpoint
CREATE UNIQUE INDEX "visit_types_org_name_key" ON "visit_types" USING btree ("org_id","name");--> statement-breakpoint
ALTER TABLE "appointments" ADD CONSTRAINT "appointments_visit_type_id_fk" FOREIGN KEY ("org_id","visit_type_id") REFERENCES "public"."visit_types"("org_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "appointments_practitioner_start_idx" ON "appointments" USING btree ("org_id","practitioner_id","start_at");--> statement-breakpoint
-- No double booking, ever (docs/adr/0022-race-safe-booking.md): the time each appointment
-- booked in Careloop holds (its visit and buffer, `occupies`) may not overlap another's for the
-- same practitioner. PostgreSQL checks it under concurrency, so of any number of requests for
-- one slot exactly one commits. btree_gist lets uuid equality join the range's gist index;
-- PGlite ships it as @electric-sql/pglite/contrib/btree_gist (db/client.ts loads it).
CREATE EXTENSION IF NOT EXISTS btree_gist;
--> statement-breakpoint
ALTER TABLE "appointments" ADD CONSTRAINT "appointments_no_double_booking"
  EXCLUDE USING gist (org_id WITH =, practitioner_id WITH =, occupies WITH &&)
  WHERE (occupies IS NOT NULL);
--> statement-breakpoint
ALTER TABLE "appointments" ADD CONSTRAINT "appointments_occupies_check"
  CHECK (occupies IS NULL OR (practitioner_id IS NOT NULL AND lower(occupies) = start_at AND upper(occupies) >= end_at));
--> statement-breakpoint
ALTER TABLE "appointments" ADD CONSTRAINT "appointments_status_check"
  CHECK (occupies IS NULL OR status IN ('proposed', 'booked', 'arrived', 'fulfilled'));
--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE, DELETE ON visit_types TO careloop_app;
--> statement-breakpoint
ALTER TABLE visit_types ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY tenant_isolation ON visit_types
  USING (org_id = careloop_current_org()) WITH CHECK (org_id = careloop_current_org());
--> statement-breakpoint
GRANT SELECT, INSERT, DELETE ON visit_type_practitioners TO careloop_app;
--> statement-breakpoint
ALTER TABLE visit_type_practitioners ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY tenant_isolation ON visit_type_practitioners
  USING (org_id = careloop_current_org()) WITH CHECK (org_id = careloop_current_org());
--> statement-breakpoint
GRANT SELECT, INSERT, DELETE ON visit_type_locations TO careloop_app;
--> statement-breakpoint
ALTER TABLE visit_type_locations ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY tenant_isolation ON visit_type_locations
  USING (org_id = careloop_current_org()) WITH CHECK (org_id = careloop_current_org());
--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE, DELETE ON availability_rules TO careloop_app;
--> statement-breakpoint
ALTER TABLE availability_rules ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY tenant_isolation ON availability_rules
  USING (org_id = careloop_current_org()) WITH CHECK (org_id = careloop_current_org());
--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE, DELETE ON availability_exceptions TO careloop_app;
--> statement-breakpoint
ALTER TABLE availability_exceptions ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY tenant_isolation ON availability_exceptions
  USING (org_id = careloop_current_org()) WITH CHECK (org_id = careloop_current_org());
--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE ON scheduling_settings TO careloop_app;
--> statement-breakpoint
ALTER TABLE scheduling_settings ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY tenant_isolation ON scheduling_settings
  USING (org_id = careloop_current_org()) WITH CHECK (org_id = careloop_current_org());
--> statement-breakpoint
-- Booking requests are kept, never changed: a key answers the same appointment for good.
GRANT SELECT, INSERT ON booking_requests TO careloop_app;
--> statement-breakpoint
ALTER TABLE booking_requests ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY tenant_isolation ON booking_requests
  USING (org_id = careloop_current_org()) WITH CHECK (org_id = careloop_current_org());
