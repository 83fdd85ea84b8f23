CREATE TABLE "slot_holds" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"org_id" uuid NOT NULL,
	"practitioner_id" uuid NOT NULL,
	"location_id" uuid NOT NULL,
	"visit_type_id" uuid NOT NULL,
	"start_at" timestamp with time zone NOT NULL,
	"end_at" timestamp with time zone NOT NULL,
	"occupies" "tstzrange" NOT NULL,
	"reason" text NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"released_at" timestamp with time zone,
	"release_reason" text,
	"created_at" timestamp with time zone NOT NULL,
	CONSTRAINT "slot_holds_org_id_id_key" UNIQUE("org_id","id"),
	CONSTRAINT "slot_holds_reason_check" CHECK (reason in ('waitlist-offer', 'booking')),
	CONSTRAINT "slot_holds_range_check" CHECK (lower(occupies) = start_at and upper(occupies) >= end_at)
);
--> statement-breakpoint
CREATE TABLE "waitlist_entries" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"org_id" uuid NOT NULL,
	"patient_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"status" text DEFAULT 'waiting' NOT NULL,
	"priority" text DEFAULT 'routine' NOT NULL,
	"visit_type_id" uuid NOT NULL,
	"practitioner_id" uuid,
	"location_id" uuid,
	"availability" jsonb,
	"earliest" date,
	"book_before" date,
	"source_appointment_id" uuid,
	"appointment_id" uuid,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	CONSTRAINT "waitlist_entries_org_id_id_key" UNIQUE("org_id","id"),
	CONSTRAINT "waitlist_entries_kind_check" CHECK (kind in ('waitlist', 'follow-up')),
	CONSTRAINT "waitlist_entries_status_check" CHECK (status in ('waiting', 'offered', 'booked', 'removed')),
	CONSTRAINT "waitlist_entries_priority_check" CHECK (priority in ('routine', 'soon', 'urgent'))
);
--> statement-breakpoint
CREATE TABLE "waitlist_offers" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"org_id" uuid NOT NULL,
	"entry_id" uuid NOT NULL,
	"patient_id" uuid NOT NULL,
	"hold_id" uuid NOT NULL,
	"token_hash" text NOT NULL,
	"status" text DEFAULT 'pending' NOT NULL,
	"sent_at" timestamp with time zone NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"answered_at" timestamp with time zone,
	"appointment_id" uuid,
	CONSTRAINT "waitlist_offers_org_id_id_key" UNIQUE("org_id","id"),
	CONSTRAINT "waitlist_offers_status_check" CHECK (status in ('pending', 'accepted', 'declined', 'expired', 'taken'))
);
--> statement-breakpoint
CREATE TABLE "waitlist_settings" (
	"org_id" uuid PRIMARY KEY NOT NULL,
	"mode" text DEFAULT 'sequential' NOT NULL,
	"hold_minutes" integer DEFAULT 30 NOT NULL,
	"broadcast_size" integer DEFAULT 3 NOT NULL,
	CONSTRAINT "waitlist_settings_mode_check" CHECK (mode in ('sequential', 'broadcast')),
	CONSTRAINT "waitlist_settings_numbers_check" CHECK (hold_minutes between 5 and 1440 and broadcast_size between 2 and 20)
);
--> statement-breakpoint
ALTER TABLE "slot_holds" ADD CONSTRAINT "slot_holds_org_id_organizations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "slot_holds" ADD CONSTRAINT "slot_holds_practitioner_id_fk" FOREIGN KEY ("org_id","practitioner_id") REFERENCES "public"."practitioners"("org_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "slot_holds" ADD CONSTRAINT "slot_holds_location_id_fk" FOREIGN KEY ("org_id","location_id") REFERENCES "public"."locations"("org_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "slot_holds" ADD CONSTRAINT "slot_holds_visit_type_id_fk" FOREIGN KEY ("org_id","visit_type_id") REFERENCES "public"."visit_types"("org_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "waitlist_entries" ADD CONSTRAINT "waitlist_entries_org_id_organizations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "waitlist_entries" ADD CONSTRAINT "waitlist_entries_patient_id_fk" FOREIGN KEY ("org_id","patient_id") REFERENCES "public"."patients"("org_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "waitlist_entries" ADD CONSTRAINT "waitlist_entries_visit_type_id_fk" FOREIGN KEY ("org_id","visit_type_id") REFERENCES "public"."visit_types"("org_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "waitlist_entries" ADD CONSTRAINT "waitlist_entries_practitioner_id_fk" FOREIGN KEY ("org_id","practitioner_id") REFERENCES "public"."practitioners"("org_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "waitlist_entries" ADD CONSTRAINT "waitlist_entries_location_id_fk" FOREIGN KEY ("org_id","location_id") REFERENCES "public"."locations"("org_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "waitlist_entries" ADD CONSTRAINT "waitlist_entries_source_appointment_id_fk" FOREIGN KEY ("org_id","source_appointment_id") REFERENCES "public"."appointments"("org_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "waitlist_entries" ADD CONSTRAINT "waitlist_entries_appointment_id_fk" FOREIGN KEY ("org_id","appointment_id") REFERENCES "public"."appointments"("org_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "waitlist_offers" ADD CONSTRAINT "waitlist_offers_org_id_organizations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "waitlist_offers" ADD CONSTRAINT "waitlist_offers_entry_id_fk" FOREIGN KEY ("org_id","entry_id") REFERENCES "public"."waitlist_entries"("org_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "waitlist_offers" ADD CONSTRAINT "waitlist_offers_patient_id_fk" FOREIGN KEY ("org_id","patient_id") REFERENCES "public"."patients"("org_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "waitlist_offers" ADD CONSTRAINT "waitlist_offers_hold_id_fk" FOREIGN KEY ("org_id","hold_id") REFERENCES "public"."slot_holds"("org_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "waitlist_offers" ADD CONSTRAINT "waitlist_offers_appointment_id_fk" FOREIGN KEY ("org_id","appointment_id") REFERENCES "public"."appointments"("org_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "waitlist_settings" ADD CONSTRAINT "waitlist_settings_org_id_organizations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "slot_holds_practitioner_idx" ON "slot_holds" USING btree ("org_id","practitioner_id","start_at") WHERE released_at is null;--> statement-breakpoint
CREATE INDEX "slot_holds_expiry_idx" ON "slot_holds" USING btree ("expires_at") WHERE released_at is null;--> statement-breakpoint
CREATE INDEX "waitlist_entries_status_idx" ON "waitlist_entries" USING btree ("org_id","status","visit_type_id");--> statement-breakpoint
CREATE INDEX "waitlist_entries_patient_idx" ON "waitlist_entries" USING btree ("org_id","patient_id");--> statement-breakpoint
CREATE INDEX "waitlist_offers_hold_idx" ON "waitlist_offers" USING btree ("org_id","hold_id");--> statement-breakpoint
CREATE INDEX "waitlist_offers_entry_idx" ON "waitlist_offers" USING btree ("org_id","entry_id");--> statement-breakpoint
CREATE INDEX "waitlist_offers_pending_idx" ON "waitlist_offers" USING btree ("expires_at") WHERE status = 'pending';--> statement-breakpoint
CREATE INDEX "waitlist_offers_token_idx" ON "waitlist_offers" USING btree ("token_hash");--> statement-breakpoint
-- Holds never overlap for one practitioner while they hold (docs/adr/0030-slot-holds-and-offers.md).
-- A booking and a hold of the same time are kept apart by the scheduling service, which checks
-- both under one per-practitioner transaction lock (`pg_advisory_xact_lock`).
ALTER TABLE "slot_holds" ADD CONSTRAINT "slot_holds_no_overlap"
  EXCLUDE USING gist (org_id WITH =, practitioner_id WITH =, occupies WITH &&)
  WHERE (released_at IS NULL);
--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE ON slot_holds TO careloop_app;
--> statement-breakpoint
ALTER TABLE slot_holds ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY tenant_isolation ON slot_holds
  USING (org_id = careloop_current_org()) WITH CHECK (org_id = careloop_current_org());
--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE ON waitlist_entries TO careloop_app;
--> statement-breakpoint
ALTER TABLE waitlist_entries ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY tenant_isolation ON waitlist_entries
  USING (org_id = careloop_current_org()) WITH CHECK (org_id = careloop_current_org());
--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE ON waitlist_offers TO careloop_app;
--> statement-breakpoint
ALTER TABLE waitlist_offers ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY tenant_isolation ON waitlist_offers
  USING (org_id = careloop_current_org()) WITH CHECK (org_id = careloop_current_org());
--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE ON waitlist_settings TO careloop_app;
--> statement-breakpoint
ALTER TABLE waitlist_settings ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY tenant_isolation ON waitlist_settings
  USING (org_id = careloop_current_org()) WITH CHECK (org_id = careloop_current_org());
--> statement-breakpoint
-- An offer's accept link arrives without a session: the one cross-tenant read it needs is which
-- organization and offer its token's hash names, and nothing else.
CREATE FUNCTION careloop_offer_lookup(p_token_hash text)
  RETURNS TABLE (org_id uuid, offer_id uuid)
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
  AS $$
    SELECT o.org_id, o.id FROM waitlist_offers o WHERE o.token_hash = p_token_hash
  $$;
--> statement-breakpoint
REVOKE ALL ON FUNCTION careloop_offer_lookup(text) FROM PUBLIC;
--> statement-breakpoint
GRANT EXECUTE ON FUNCTION careloop_offer_lookup(text) TO careloop_app;
