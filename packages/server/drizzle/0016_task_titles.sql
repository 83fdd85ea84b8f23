-- Minimum necessary for tasks (docs/adr/0011, "Tasks"): a task's title may name a condition, so
-- roles that may not read clinical detail see its non-clinical title instead, or core's
-- TASK_LABEL ("Care team task") when it has none. The table-level grants of 0001 cover it.
ALTER TABLE "tasks" ADD COLUMN "non_clinical_title" text;
--> statement-breakpoint
-- Tasks about no patient (a privacy officer's break-glass review) name no one's care in their
-- title; the demo seed's titles are known: what they say without the condition. Other tasks
-- written before this column keep none, and show TASK_LABEL to those roles.
UPDATE tasks SET non_clinical_title = CASE
    WHEN patient_id IS NULL THEN title
    WHEN title LIKE 'Reschedule missed %' THEN title
    WHEN title = 'Transitional care follow-up after discharge' THEN title
    WHEN title = 'Schedule diabetes follow-up (A1c due)' THEN 'Schedule a follow-up visit'
    WHEN title = 'Outreach: screening mammogram overdue' THEN 'Outreach: preventive screening due'
  END
  WHERE created_by IS NULL OR patient_id IS NULL;
