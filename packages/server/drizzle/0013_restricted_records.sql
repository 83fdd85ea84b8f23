-- Restricted records and break-the-glass (docs/restricted-records.md, docs/adr/0012).
-- Composite foreign keys carry org_id, so a restriction, a care-team membership or a grant can
-- never point at another organization's patient or user: they reference the (org_id, id) keys
-- that 0010 made unique on both.
CREATE TABLE "break_glass_grants" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"org_id" uuid NOT NULL,
	"user_id" uuid NOT NULL,
	"patient_id" uuid NOT NULL,
	"reason" text NOT NULL,
	"granted_at" timestamp with time zone NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	CONSTRAINT "break_glass_grants_expiry_check" CHECK (expires_at > granted_at)
);
--> statement-breakpoint
CREATE TABLE "patient_care_team_users" (
	"org_id" uuid NOT NULL,
	"patient_id" uuid NOT NULL,
	"user_id" uuid NOT NULL,
	"added_by" uuid NOT NULL,
	"added_at" timestamp with time zone NOT NULL,
	CONSTRAINT "patient_care_team_users_org_id_patient_id_user_id_pk" PRIMARY KEY("org_id","patient_id","user_id")
);
--> statement-breakpoint
CREATE TABLE "patient_restrictions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"org_id" uuid NOT NULL,
	"patient_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"set_by" uuid NOT NULL,
	"set_at" timestamp with time zone NOT NULL,
	"cleared_by" uuid,
	"cleared_at" timestamp with time zone,
	CONSTRAINT "patient_restrictions_kind_check" CHECK (kind in ('confidential', 'vip', 'employee'))
);
--> statement-breakpoint
ALTER TABLE "users" ADD COLUMN "privacy_officer" boolean DEFAULT false NOT NULL;
--> statement-breakpoint
ALTER TABLE "break_glass_grants" ADD CONSTRAINT "break_glass_grants_org_id_organizations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE no action ON UPDATE no action;
--> statement-breakpoint
ALTER TABLE "break_glass_grants" ADD CONSTRAINT "break_glass_grants_patient_fk" FOREIGN KEY ("org_id","patient_id") REFERENCES "public"."patients"("org_id","id") ON DELETE no action ON UPDATE no action;
--> statement-breakpoint
ALTER TABLE "break_glass_grants" ADD CONSTRAINT "break_glass_grants_user_fk" FOREIGN KEY ("org_id","user_id") REFERENCES "public"."users"("org_id","id") ON DELETE no action ON UPDATE no action;
--> statement-breakpoint
ALTER TABLE "patient_care_team_users" ADD CONSTRAINT "patient_care_team_users_org_id_organizations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE no action ON UPDATE no action;
--> statement-breakpoint
ALTER TABLE "patient_care_team_users" ADD CONSTRAINT "patient_care_team_users_patient_fk" FOREIGN KEY ("org_id","patient_id") REFERENCES "public"."patients"("org_id","id") ON DELETE no action ON UPDATE no action;
--> statement-breakpoint
ALTER TABLE "patient_care_team_users" ADD CONSTRAINT "patient_care_team_users_user_fk" FOREIGN KEY ("org_id","user_id") REFERENCES "public"."users"("org_id","id") ON DELETE no action ON UPDATE no action;
--> statement-breakpoint
ALTER TABLE "patient_care_team_users" ADD CONSTRAINT "patient_care_team_users_added_by_fk" FOREIGN KEY ("org_id","added_by") REFERENCES "public"."users"("org_id","id") ON DELETE no action ON UPDATE no action;
--> statement-breakpoint
ALTER TABLE "patient_restrictions" ADD CONSTRAINT "patient_restrictions_org_id_organizations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE no action ON UPDATE no action;
--> statement-breakpoint
ALTER TABLE "patient_restrictions" ADD CONSTRAINT "patient_restrictions_patient_fk" FOREIGN KEY ("org_id","patient_id") REFERENCES "public"."patients"("org_id","id") ON DELETE no action ON UPDATE no action;
--> statement-breakpoint
ALTER TABLE "patient_restrictions" ADD CONSTRAINT "patient_restrictions_set_by_fk" FOREIGN KEY ("org_id","set_by") REFERENCES "public"."users"("org_id","id") ON DELETE no action ON UPDATE no action;
--> statement-breakpoint
ALTER TABLE "patient_restrictions" ADD CONSTRAINT "patient_restrictions_cleared_by_fk" FOREIGN KEY ("org_id","cleared_by") REFERENCES "public"."users"("org_id","id") ON DELETE no action ON UPDATE no action;
--> statement-breakpoint
CREATE INDEX "break_glass_grants_access_idx" ON "break_glass_grants" USING btree ("org_id","patient_id","user_id","expires_at");
--> statement-breakpoint
CREATE INDEX "break_glass_grants_org_granted_idx" ON "break_glass_grants" USING btree ("org_id","granted_at","id");
--> statement-breakpoint
CREATE INDEX "patient_care_team_users_user_idx" ON "patient_care_team_users" USING btree ("org_id","user_id");
--> statement-breakpoint
CREATE UNIQUE INDEX "patient_restrictions_active_key" ON "patient_restrictions" USING btree ("org_id","patient_id") WHERE cleared_at is null;
--> statement-breakpoint
ALTER TABLE "users" ADD CONSTRAINT "users_privacy_officer_check" CHECK (not privacy_officer or role = 'admin');
--> statement-breakpoint
-- Tenant isolation and least privilege, as in 0001_security.sql. Grants are never updated or
-- deleted by the application (they are the break-glass record); restrictions are cleared by
-- update (their history stays); care-team memberships are removed by delete.
GRANT SELECT, INSERT ON break_glass_grants TO careloop_app;
--> statement-breakpoint
ALTER TABLE break_glass_grants ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY tenant_isolation ON break_glass_grants
  USING (org_id = careloop_current_org()) WITH CHECK (org_id = careloop_current_org());
--> statement-breakpoint
-- UPDATE of the clearing columns only: the merge re-points every table the application may
-- UPDATE as a whole (mpi/merge.ts); a restriction stays on its record, and the access check
-- applies it to the survivor of a merge instead (restrictions/facts.ts).
GRANT SELECT, INSERT, UPDATE (cleared_by, cleared_at) ON patient_restrictions TO careloop_app;
--> statement-breakpoint
ALTER TABLE patient_restrictions ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY tenant_isolation ON patient_restrictions
  USING (org_id = careloop_current_org()) WITH CHECK (org_id = careloop_current_org());
--> statement-breakpoint
GRANT SELECT, INSERT, DELETE ON patient_care_team_users TO careloop_app;
--> statement-breakpoint
ALTER TABLE patient_care_team_users ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY tenant_isolation ON patient_care_team_users
  USING (org_id = careloop_current_org()) WITH CHECK (org_id = careloop_current_org());
--> statement-breakpoint
-- Change notifications (docs/adr/0005, docs/adr/0012): each API process caches whether a
-- patient is restricted, so that reading an ordinary record costs no extra round trip. A
-- restriction set or cleared, or a merge made or undone (a restriction follows the restricted
-- record into its survivor), notifies the patients concerned. Rare writes: one row at a time.
CREATE FUNCTION careloop_notify_restriction_change() RETURNS trigger
  LANGUAGE plpgsql SECURITY INVOKER SET search_path = public, pg_temp
  AS $$
BEGIN
  IF TG_TABLE_NAME = 'patient_merges' THEN
    PERFORM pg_notify('careloop_changes', 'p:' || NEW.org_id || ':' || NEW.survivor_id);
    PERFORM pg_notify('careloop_changes', 'p:' || NEW.org_id || ':' || NEW.merged_id);
  ELSE
    PERFORM pg_notify('careloop_changes', 'p:' || NEW.org_id || ':' || NEW.patient_id);
  END IF;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER careloop_notify_restriction AFTER INSERT OR UPDATE ON patient_restrictions
  FOR EACH ROW EXECUTE FUNCTION careloop_notify_restriction_change();
--> statement-breakpoint
CREATE TRIGGER careloop_notify_restriction AFTER INSERT OR UPDATE ON patient_merges
  FOR EACH ROW EXECUTE FUNCTION careloop_notify_restriction_change();
--> statement-breakpoint
CREATE TRIGGER careloop_notify_restriction_truncate AFTER TRUNCATE ON patient_restrictions
  FOR EACH STATEMENT EXECUTE FUNCTION careloop_notify_patient_change('patient_id');
