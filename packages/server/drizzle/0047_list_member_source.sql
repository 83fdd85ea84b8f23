ALTER TABLE "patient_list_members" ADD COLUMN "source" text;--> statement-breakpoint
ALTER TABLE "patient_list_members" ADD COLUMN "added_by" uuid;--> statement-breakpoint
ALTER TABLE "patient_list_members" ADD CONSTRAINT "patient_list_members_added_by_fk" FOREIGN KEY ("org_id","added_by") REFERENCES "public"."users"("org_id","id") ON DELETE no action ON UPDATE no action;