-- Issue 9, encryption gaps (docs/encryption.md): encounter reasons and questionnaire answers are
-- written to the new *_encrypted columns, bound to their row. The plain columns stay, nullable,
-- for rows written before, until `careloop keys rotate` seals them and empties the plain column
-- (a migration is SQL and holds no key; 0012 did the same for appointment reasons).
ALTER TABLE "questionnaire_responses" ALTER COLUMN "answers" DROP DEFAULT;--> statement-breakpoint
ALTER TABLE "questionnaire_responses" ALTER COLUMN "answers" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "encounters" ADD COLUMN "reason_encrypted" text;--> statement-breakpoint
ALTER TABLE "questionnaire_responses" ADD COLUMN "answers_encrypted" text;--> statement-breakpoint
-- Touchpoint summaries are stored in clear, and two writers copied a reason into them: HL7 SIU
-- ("Booked: <reason>, <when>") and the demo seed's discharges ("Discharged after <stay>:
-- <reason>"). They now write what the non-clinical summary says; rows written before get it too.
-- The reason stays on its appointment or encounter, encrypted.
UPDATE "touchpoints" SET "summary" = "non_clinical_summary"
  WHERE "summary" <> "non_clinical_summary"
    AND (("source_system" = 'hl7' AND "subject_type" = 'appointment')
      OR ("source_system" = 'ehr' AND "type" = 'encounter.discharged'
        AND "summary" LIKE 'Discharged after %: %'));
