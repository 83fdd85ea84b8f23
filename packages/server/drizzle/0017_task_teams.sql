-- Team queues (issue 10): a task may sit in a team's queue; who works a queue follows from the role
-- (core/tasks/teams.ts). A column of an existing tenant table: its RLS policy and grants apply.
ALTER TABLE "tasks" ADD COLUMN "team" text;--> statement-breakpoint
CREATE INDEX "tasks_team_idx" ON "tasks" USING btree ("org_id","team","status") WHERE team is not null;--> statement-breakpoint
ALTER TABLE "tasks" ADD CONSTRAINT "tasks_team_check" CHECK (team in ('front-desk', 'care-coordination', 'clinical'));