ALTER TABLE "patient_list_members" ADD COLUMN "added_at" timestamp with time zone DEFAULT now() NOT NULL;--> statement-breakpoint
ALTER TABLE "patient_lists" ADD COLUMN "key" text;--> statement-breakpoint
CREATE UNIQUE INDEX "patient_lists_org_key_idx" ON "patient_lists" USING btree ("org_id","key") WHERE "patient_lists"."key" is not null;--> statement-breakpoint
-- Issue 11 (h11l): members are removed now (by staff and by journeys' list_remove), through the
-- list service; the app's role could only add them before.
GRANT DELETE ON patient_list_members TO careloop_app;
