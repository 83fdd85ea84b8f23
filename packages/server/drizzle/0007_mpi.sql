CREATE TABLE "mpi_review_items" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"org_id" uuid NOT NULL,
	"incoming_id" uuid NOT NULL,
	"candidate_id" uuid NOT NULL,
	"source_record_id" uuid,
	"score" double precision NOT NULL,
	"reason" text NOT NULL,
	"comparison" jsonb NOT NULL,
	"status" text DEFAULT 'open' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"decided_at" timestamp with time zone,
	"decided_by" uuid,
	"decision_reason" text
);
--> statement-breakpoint
CREATE TABLE "patient_merges" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"org_id" uuid NOT NULL,
	"survivor_id" uuid NOT NULL,
	"merged_id" uuid NOT NULL,
	"origin" text NOT NULL,
	"reason" text,
	"moved" jsonb NOT NULL,
	"dropped" jsonb NOT NULL,
	"survivor_before" jsonb NOT NULL,
	"merged_at" timestamp with time zone DEFAULT now() NOT NULL,
	"merged_by" uuid,
	"unmerged_at" timestamp with time zone,
	"unmerged_by" uuid
);
--> statement-breakpoint
CREATE TABLE "patient_source_records" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"org_id" uuid NOT NULL,
	"patient_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"source_system" text NOT NULL,
	"source_id" text NOT NULL,
	"demographics" jsonb NOT NULL,
	"link_method" text NOT NULL,
	"link_score" double precision,
	"received_at" timestamp with time zone DEFAULT now() NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "mpi_review_items" ADD CONSTRAINT "mpi_review_items_org_id_organizations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "mpi_review_items" ADD CONSTRAINT "mpi_review_items_incoming_id_patients_id_fk" FOREIGN KEY ("incoming_id") REFERENCES "public"."patients"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "mpi_review_items" ADD CONSTRAINT "mpi_review_items_candidate_id_patients_id_fk" FOREIGN KEY ("candidate_id") REFERENCES "public"."patients"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "mpi_review_items" ADD CONSTRAINT "mpi_review_items_source_record_id_patient_source_records_id_fk" FOREIGN KEY ("source_record_id") REFERENCES "public"."patient_source_records"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "mpi_review_items" ADD CONSTRAINT "mpi_review_items_decided_by_users_id_fk" FOREIGN KEY ("decided_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "patient_merges" ADD CONSTRAINT "patient_merges_org_id_organizations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "patient_merges" ADD CONSTRAINT "patient_merges_survivor_id_patients_id_fk" FOREIGN KEY ("survivor_id") REFERENCES "public"."patients"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "patient_merges" ADD CONSTRAINT "patient_merges_merged_id_patients_id_fk" FOREIGN KEY ("merged_id") REFERENCES "public"."patients"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "patient_merges" ADD CONSTRAINT "patient_merges_merged_by_users_id_fk" FOREIGN KEY ("merged_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "patient_merges" ADD CONSTRAINT "patient_merges_unmerged_by_users_id_fk" FOREIGN KEY ("unmerged_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "patient_source_records" ADD CONSTRAINT "patient_source_records_org_id_organizations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "patient_source_records" ADD CONSTRAINT "patient_source_records_patient_id_patients_id_fk" FOREIGN KEY ("patient_id") REFERENCES "public"."patients"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "mpi_review_items_pair_key" ON "mpi_review_items" USING btree ("org_id","incoming_id","candidate_id");--> statement-breakpoint
CREATE INDEX "mpi_review_items_status_idx" ON "mpi_review_items" USING btree ("org_id","status","created_at","id");--> statement-breakpoint
CREATE INDEX "patient_merges_survivor_idx" ON "patient_merges" USING btree ("survivor_id");--> statement-breakpoint
CREATE INDEX "patient_merges_merged_idx" ON "patient_merges" USING btree ("merged_id");--> statement-breakpoint
CREATE UNIQUE INDEX "patient_source_records_key" ON "patient_source_records" USING btree ("org_id","source_system","source_id");--> statement-breakpoint
CREATE INDEX "patient_source_records_patient_idx" ON "patient_source_records" USING btree ("patient_id");--> statement-breakpoint
-- The master patient index's tables, confined to their organization. Merge history and review
-- decisions are kept: the app may record and update them (an unmerge, a decision), never delete.
GRANT SELECT, INSERT, UPDATE ON patient_source_records TO careloop_app;
--> statement-breakpoint
ALTER TABLE patient_source_records ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY tenant_isolation ON patient_source_records
  USING (org_id = careloop_current_org()) WITH CHECK (org_id = careloop_current_org());
--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE ON mpi_review_items TO careloop_app;
--> statement-breakpoint
ALTER TABLE mpi_review_items ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY tenant_isolation ON mpi_review_items
  USING (org_id = careloop_current_org()) WITH CHECK (org_id = careloop_current_org());
--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE ON patient_merges TO careloop_app;
--> statement-breakpoint
ALTER TABLE patient_merges ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY tenant_isolation ON patient_merges
  USING (org_id = careloop_current_org()) WITH CHECK (org_id = careloop_current_org());
