-- Every reference between tenant tables carries org_id: (org_id, column) → (org_id, id).
-- A foreign-key check bypasses row-level security, so a single-column key let one tenant's row
-- point at another's (and told whether an id existed in any tenant). The referenced tables get
-- a unique (org_id, id) first; the new keys are checked against existing rows when added.
ALTER TABLE "sessions" DROP CONSTRAINT "sessions_user_id_users_id_fk";
--> statement-breakpoint
ALTER TABLE "users" DROP CONSTRAINT "users_patient_id_patients_id_fk";
--> statement-breakpoint
ALTER TABLE "users" DROP CONSTRAINT "users_practitioner_id_practitioners_id_fk";
--> statement-breakpoint
ALTER TABLE "conditions" DROP CONSTRAINT "conditions_patient_id_patients_id_fk";
--> statement-breakpoint
ALTER TABLE "encounters" DROP CONSTRAINT "encounters_patient_id_patients_id_fk";
--> statement-breakpoint
ALTER TABLE "encounters" DROP CONSTRAINT "encounters_location_id_locations_id_fk";
--> statement-breakpoint
ALTER TABLE "encounters" DROP CONSTRAINT "encounters_practitioner_id_practitioners_id_fk";
--> statement-breakpoint
ALTER TABLE "encounters" DROP CONSTRAINT "encounters_service_line_id_service_lines_id_fk";
--> statement-breakpoint
ALTER TABLE "practitioners" DROP CONSTRAINT "practitioners_location_id_locations_id_fk";
--> statement-breakpoint
ALTER TABLE "allergies" DROP CONSTRAINT "allergies_patient_id_patients_id_fk";
--> statement-breakpoint
ALTER TABLE "care_plans" DROP CONSTRAINT "care_plans_patient_id_patients_id_fk";
--> statement-breakpoint
ALTER TABLE "care_plans" DROP CONSTRAINT "care_plans_encounter_id_encounters_id_fk";
--> statement-breakpoint
ALTER TABLE "claims" DROP CONSTRAINT "claims_patient_id_patients_id_fk";
--> statement-breakpoint
ALTER TABLE "claims" DROP CONSTRAINT "claims_encounter_id_encounters_id_fk";
--> statement-breakpoint
ALTER TABLE "claims" DROP CONSTRAINT "claims_provider_practitioner_id_practitioners_id_fk";
--> statement-breakpoint
ALTER TABLE "claims" DROP CONSTRAINT "claims_provider_organization_id_external_organizations_id_fk";
--> statement-breakpoint
ALTER TABLE "claims" DROP CONSTRAINT "claims_payer_organization_id_external_organizations_id_fk";
--> statement-breakpoint
ALTER TABLE "communications" DROP CONSTRAINT "communications_patient_id_patients_id_fk";
--> statement-breakpoint
ALTER TABLE "communications" DROP CONSTRAINT "communications_encounter_id_encounters_id_fk";
--> statement-breakpoint
ALTER TABLE "explanations_of_benefit" DROP CONSTRAINT "explanations_of_benefit_patient_id_patients_id_fk";
--> statement-breakpoint
ALTER TABLE "explanations_of_benefit" DROP CONSTRAINT "explanations_of_benefit_claim_id_claims_id_fk";
--> statement-breakpoint
ALTER TABLE "explanations_of_benefit" DROP CONSTRAINT "explanations_of_benefit_provider_practitioner_id_practitioners_id_fk";
--> statement-breakpoint
ALTER TABLE "explanations_of_benefit" DROP CONSTRAINT "explanations_of_benefit_provider_organization_id_external_organizations_id_fk";
--> statement-breakpoint
ALTER TABLE "explanations_of_benefit" DROP CONSTRAINT "explanations_of_benefit_payer_organization_id_external_organizations_id_fk";
--> statement-breakpoint
ALTER TABLE "immunizations" DROP CONSTRAINT "immunizations_patient_id_patients_id_fk";
--> statement-breakpoint
ALTER TABLE "immunizations" DROP CONSTRAINT "immunizations_encounter_id_encounters_id_fk";
--> statement-breakpoint
ALTER TABLE "medication_requests" DROP CONSTRAINT "medication_requests_patient_id_patients_id_fk";
--> statement-breakpoint
ALTER TABLE "medication_requests" DROP CONSTRAINT "medication_requests_encounter_id_encounters_id_fk";
--> statement-breakpoint
ALTER TABLE "medication_requests" DROP CONSTRAINT "medication_requests_requester_id_practitioners_id_fk";
--> statement-breakpoint
ALTER TABLE "observations" DROP CONSTRAINT "observations_patient_id_patients_id_fk";
--> statement-breakpoint
ALTER TABLE "observations" DROP CONSTRAINT "observations_encounter_id_encounters_id_fk";
--> statement-breakpoint
ALTER TABLE "procedures" DROP CONSTRAINT "procedures_patient_id_patients_id_fk";
--> statement-breakpoint
ALTER TABLE "procedures" DROP CONSTRAINT "procedures_encounter_id_encounters_id_fk";
--> statement-breakpoint
ALTER TABLE "procedures" DROP CONSTRAINT "procedures_practitioner_id_practitioners_id_fk";
--> statement-breakpoint
ALTER TABLE "procedures" DROP CONSTRAINT "procedures_location_id_locations_id_fk";
--> statement-breakpoint
ALTER TABLE "questionnaire_responses" DROP CONSTRAINT "questionnaire_responses_patient_id_patients_id_fk";
--> statement-breakpoint
ALTER TABLE "questionnaire_responses" DROP CONSTRAINT "questionnaire_responses_encounter_id_encounters_id_fk";
--> statement-breakpoint
ALTER TABLE "related_persons" DROP CONSTRAINT "related_persons_patient_id_patients_id_fk";
--> statement-breakpoint
ALTER TABLE "schedules" DROP CONSTRAINT "schedules_practitioner_id_practitioners_id_fk";
--> statement-breakpoint
ALTER TABLE "schedules" DROP CONSTRAINT "schedules_location_id_locations_id_fk";
--> statement-breakpoint
ALTER TABLE "schedules" DROP CONSTRAINT "schedules_service_line_id_service_lines_id_fk";
--> statement-breakpoint
ALTER TABLE "service_requests" DROP CONSTRAINT "service_requests_patient_id_patients_id_fk";
--> statement-breakpoint
ALTER TABLE "service_requests" DROP CONSTRAINT "service_requests_encounter_id_encounters_id_fk";
--> statement-breakpoint
ALTER TABLE "service_requests" DROP CONSTRAINT "service_requests_requester_id_practitioners_id_fk";
--> statement-breakpoint
ALTER TABLE "slots" DROP CONSTRAINT "slots_schedule_id_schedules_id_fk";
--> statement-breakpoint
ALTER TABLE "source_links" DROP CONSTRAINT "source_links_patient_id_patients_id_fk";
--> statement-breakpoint
ALTER TABLE "hl7_messages" DROP CONSTRAINT "hl7_messages_patient_id_patients_id_fk";
--> statement-breakpoint
ALTER TABLE "mpi_review_items" DROP CONSTRAINT "mpi_review_items_incoming_id_patients_id_fk";
--> statement-breakpoint
ALTER TABLE "mpi_review_items" DROP CONSTRAINT "mpi_review_items_candidate_id_patients_id_fk";
--> statement-breakpoint
ALTER TABLE "mpi_review_items" DROP CONSTRAINT "mpi_review_items_source_record_id_patient_source_records_id_fk";
--> statement-breakpoint
ALTER TABLE "mpi_review_items" DROP CONSTRAINT "mpi_review_items_decided_by_users_id_fk";
--> statement-breakpoint
ALTER TABLE "patient_merges" DROP CONSTRAINT "patient_merges_survivor_id_patients_id_fk";
--> statement-breakpoint
ALTER TABLE "patient_merges" DROP CONSTRAINT "patient_merges_merged_id_patients_id_fk";
--> statement-breakpoint
ALTER TABLE "patient_merges" DROP CONSTRAINT "patient_merges_merged_by_users_id_fk";
--> statement-breakpoint
ALTER TABLE "patient_merges" DROP CONSTRAINT "patient_merges_unmerged_by_users_id_fk";
--> statement-breakpoint
ALTER TABLE "patient_source_records" DROP CONSTRAINT "patient_source_records_patient_id_patients_id_fk";
--> statement-breakpoint
ALTER TABLE "notes" DROP CONSTRAINT "notes_patient_id_patients_id_fk";
--> statement-breakpoint
ALTER TABLE "notes" DROP CONSTRAINT "notes_author_id_users_id_fk";
--> statement-breakpoint
ALTER TABLE "care_team_members" DROP CONSTRAINT "care_team_members_patient_id_patients_id_fk";
--> statement-breakpoint
ALTER TABLE "care_team_members" DROP CONSTRAINT "care_team_members_practitioner_id_practitioners_id_fk";
--> statement-breakpoint
ALTER TABLE "coverages" DROP CONSTRAINT "coverages_patient_id_patients_id_fk";
--> statement-breakpoint
ALTER TABLE "patient_addresses" DROP CONSTRAINT "patient_addresses_patient_id_patients_id_fk";
--> statement-breakpoint
ALTER TABLE "patient_consents" DROP CONSTRAINT "patient_consents_patient_id_patients_id_fk";
--> statement-breakpoint
ALTER TABLE "patient_contact_points" DROP CONSTRAINT "patient_contact_points_patient_id_patients_id_fk";
--> statement-breakpoint
ALTER TABLE "patient_identifiers" DROP CONSTRAINT "patient_identifiers_patient_id_patients_id_fk";
--> statement-breakpoint
ALTER TABLE "patients" DROP CONSTRAINT "patients_primary_location_id_locations_id_fk";
--> statement-breakpoint
ALTER TABLE "appointments" DROP CONSTRAINT "appointments_patient_id_patients_id_fk";
--> statement-breakpoint
ALTER TABLE "appointments" DROP CONSTRAINT "appointments_service_line_id_service_lines_id_fk";
--> statement-breakpoint
ALTER TABLE "appointments" DROP CONSTRAINT "appointments_practitioner_id_practitioners_id_fk";
--> statement-breakpoint
ALTER TABLE "appointments" DROP CONSTRAINT "appointments_location_id_locations_id_fk";
--> statement-breakpoint
ALTER TABLE "tasks" DROP CONSTRAINT "tasks_patient_id_patients_id_fk";
--> statement-breakpoint
ALTER TABLE "tasks" DROP CONSTRAINT "tasks_assignee_id_users_id_fk";
--> statement-breakpoint
ALTER TABLE "tasks" DROP CONSTRAINT "tasks_created_by_users_id_fk";
--> statement-breakpoint
ALTER TABLE "touchpoints" DROP CONSTRAINT "touchpoints_patient_id_patients_id_fk";
--> statement-breakpoint
ALTER TABLE "users" ADD CONSTRAINT "users_org_id_id_key" UNIQUE("org_id","id");
--> statement-breakpoint
ALTER TABLE "encounters" ADD CONSTRAINT "encounters_org_id_id_key" UNIQUE("org_id","id");
--> statement-breakpoint
ALTER TABLE "locations" ADD CONSTRAINT "locations_org_id_id_key" UNIQUE("org_id","id");
--> statement-breakpoint
ALTER TABLE "practitioners" ADD CONSTRAINT "practitioners_org_id_id_key" UNIQUE("org_id","id");
--> statement-breakpoint
ALTER TABLE "service_lines" ADD CONSTRAINT "service_lines_org_id_id_key" UNIQUE("org_id","id");
--> statement-breakpoint
ALTER TABLE "claims" ADD CONSTRAINT "claims_org_id_id_key" UNIQUE("org_id","id");
--> statement-breakpoint
ALTER TABLE "external_organizations" ADD CONSTRAINT "external_organizations_org_id_id_key" UNIQUE("org_id","id");
--> statement-breakpoint
ALTER TABLE "schedules" ADD CONSTRAINT "schedules_org_id_id_key" UNIQUE("org_id","id");
--> statement-breakpoint
ALTER TABLE "patient_source_records" ADD CONSTRAINT "patient_source_records_org_id_id_key" UNIQUE("org_id","id");
--> statement-breakpoint
ALTER TABLE "patients" ADD CONSTRAINT "patients_org_id_id_key" UNIQUE("org_id","id");
--> statement-breakpoint
ALTER TABLE "sessions" ADD CONSTRAINT "sessions_user_id_fk" FOREIGN KEY ("org_id","user_id") REFERENCES "public"."users"("org_id","id") ON DELETE no action ON UPDATE no action;
--> statement-breakpoint
ALTER TABLE "users" ADD CONSTRAINT "users_patient_id_fk" FOREIGN KEY ("org_id","patient_id") REFERENCES "public"."patients"("org_id","id") ON DELETE no action ON UPDATE no action;
--> statement-breakpoint
ALTER TABLE "users" ADD CONSTRAINT "users_practitioner_id_fk" FOREIGN KEY ("org_id","practitioner_id") REFERENCES "public"."practitioners"("org_id","id") ON DELETE no action ON UPDATE no action;
--> statement-breakpoint
ALTER TABLE "conditions" ADD CONSTRAINT "conditions_patient_id_fk" FOREIGN KEY ("org_id","patient_id") REFERENCES "public"."patients"("org_id","id") ON DELETE no action ON UPDATE no action;
--> statement-breakpoint
ALTER TABLE "encounters" ADD CONSTRAINT "encounters_location_id_fk" FOREIGN KEY ("org_id","location_id") REFERENCES "public"."locations"("org_id","id") ON DELETE no action ON UPDATE no action;
--> statement-breakpoint
ALTER TABLE "encounters" ADD CONSTRAINT "encounters_practitioner_id_fk" FOREIGN KEY ("org_id","practitioner_id") REFERENCES "public"."practitioners"("org_id","id") ON DELETE no action ON UPDATE no action;
--> statement-breakpoint
ALTER TABLE "encounters" ADD CONSTRAINT "encounters_service_line_id_fk" FOREIGN KEY ("org_id","service_line_id") REFERENCES "public"."service_lines"("org_id","id") ON DELETE no action ON UPDATE no action;
--> statement-breakpoint
ALTER TABLE "encounters" ADD CONSTRAINT "encounters_patient_id_fk" FOREIGN KEY ("org_id","patient_id") REFERENCES "public"."patients"("org_id","id") ON DELETE no action ON UPDATE no action;
--> statement-breakpoint
ALTER TABLE "practitioners" ADD CONSTRAINT "practitioners_location_id_fk" FOREIGN KEY ("org_id","location_id") REFERENCES "public"."locations"("org_id","id") ON DELETE no action ON UPDATE no action;
--> statement-breakpoint
ALTER TABLE "allergies" ADD CONSTRAINT "allergies_patient_id_fk" FOREIGN KEY ("org_id","patient_id") REFERENCES "public"."patients"("org_id","id") ON DELETE no action ON UPDATE no action;
--> statement-breakpoint
ALTER TABLE "care_plans" ADD CONSTRAINT "care_plans_patient_id_fk" FOREIGN KEY ("org_id","patient_id") REFERENCES "public"."patients"("org_id","id") ON DELETE no action ON UPDATE no action;
--> statement-breakpoint
ALTER TABLE "care_plans" ADD CONSTRAINT "care_plans_encounter_id_fk" FOREIGN KEY ("org_id","encounter_id") REFERENCES "public"."encounters"("org_id","id") ON DELETE no action ON UPDATE no action;
--> statement-breakpoint
ALTER TABLE "claims" ADD CONSTRAINT "claims_provider_practitioner_id_fk" FOREIGN KEY ("org_id","provider_practitioner_id") REFERENCES "public"."practitioners"("org_id","id") ON DELETE no action ON UPDATE no action;
--> statement-breakpoint
ALTER TABLE "claims" ADD CONSTRAINT "claims_provider_organization_id_fk" FOREIGN KEY ("org_id","provider_organization_id") REFERENCES "public"."external_organizations"("org_id","id") ON DELETE no action ON UPDATE no action;
--> statement-breakpoint
ALTER TABLE "claims" ADD CONSTRAINT "claims_payer_organization_id_fk" FOREIGN KEY ("org_id","payer_organization_id") REFERENCES "public"."external_organizations"("org_id","id") ON DELETE no action ON UPDATE no action;
--> statement-breakpoint
ALTER TABLE "claims" ADD CONSTRAINT "claims_patient_id_fk" FOREIGN KEY ("org_id","patient_id") REFERENCES "public"."patients"("org_id","id") ON DELETE no action ON UPDATE no action;
--> statement-breakpoint
ALTER TABLE "claims" ADD CONSTRAINT "claims_encounter_id_fk" FOREIGN KEY ("org_id","encounter_id") REFERENCES "public"."encounters"("org_id","id") ON DELETE no action ON UPDATE no action;
--> statement-breakpoint
ALTER TABLE "communications" ADD CONSTRAINT "communications_patient_id_fk" FOREIGN KEY ("org_id","patient_id") REFERENCES "public"."patients"("org_id","id") ON DELETE no action ON UPDATE no action;
--> statement-breakpoint
ALTER TABLE "communications" ADD CONSTRAINT "communications_encounter_id_fk" FOREIGN KEY ("org_id","encounter_id") REFERENCES "public"."encounters"("org_id","id") ON DELETE no action ON UPDATE no action;
--> statement-breakpoint
ALTER TABLE "explanations_of_benefit" ADD CONSTRAINT "explanations_of_benefit_claim_id_fk" FOREIGN KEY ("org_id","claim_id") REFERENCES "public"."claims"("org_id","id") ON DELETE no action ON UPDATE no action;
--> statement-breakpoint
ALTER TABLE "explanations_of_benefit" ADD CONSTRAINT "explanations_of_benefit_provider_practitioner_id_fk" FOREIGN KEY ("org_id","provider_practitioner_id") REFERENCES "public"."practitioners"("org_id","id") ON DELETE no action ON UPDATE no action;
--> statement-breakpoint
ALTER TABLE "explanations_of_benefit" ADD CONSTRAINT "explanations_of_benefit_provider_organization_id_fk" FOREIGN KEY ("org_id","provider_organization_id") REFERENCES "public"."external_organizations"("org_id","id") ON DELETE no action ON UPDATE no action;
--> statement-breakpoint
ALTER TABLE "explanations_of_benefit" ADD CONSTRAINT "explanations_of_benefit_payer_organization_id_fk" FOREIGN KEY ("org_id","payer_organization_id") REFERENCES "public"."external_organizations"("org_id","id") ON DELETE no action ON UPDATE no action;
--> statement-breakpoint
ALTER TABLE "explanations_of_benefit" ADD CONSTRAINT "explanations_of_benefit_patient_id_fk" FOREIGN KEY ("org_id","patient_id") REFERENCES "public"."patients"("org_id","id") ON DELETE no action ON UPDATE no action;
--> statement-breakpoint
ALTER TABLE "immunizations" ADD CONSTRAINT "immunizations_patient_id_fk" FOREIGN KEY ("org_id","patient_id") REFERENCES "public"."patients"("org_id","id") ON DELETE no action ON UPDATE no action;
--> statement-breakpoint
ALTER TABLE "immunizations" ADD CONSTRAINT "immunizations_encounter_id_fk" FOREIGN KEY ("org_id","encounter_id") REFERENCES "public"."encounters"("org_id","id") ON DELETE no action ON UPDATE no action;
--> statement-breakpoint
ALTER TABLE "medication_requests" ADD CONSTRAINT "medication_requests_requester_id_fk" FOREIGN KEY ("org_id","requester_id") REFERENCES "public"."practitioners"("org_id","id") ON DELETE no action ON UPDATE no action;
--> statement-breakpoint
ALTER TABLE "medication_requests" ADD CONSTRAINT "medication_requests_patient_id_fk" FOREIGN KEY ("org_id","patient_id") REFERENCES "public"."patients"("org_id","id") ON DELETE no action ON UPDATE no action;
--> statement-breakpoint
ALTER TABLE "medication_requests" ADD CONSTRAINT "medication_requests_encounter_id_fk" FOREIGN KEY ("org_id","encounter_id") REFERENCES "public"."encounters"("org_id","id") ON DELETE no action ON UPDATE no action;
--> statement-breakpoint
ALTER TABLE "observations" ADD CONSTRAINT "observations_patient_id_fk" FOREIGN KEY ("org_id","patient_id") REFERENCES "public"."patients"("org_id","id") ON DELETE no action ON UPDATE no action;
--> statement-breakpoint
ALTER TABLE "observations" ADD CONSTRAINT "observations_encounter_id_fk" FOREIGN KEY ("org_id","encounter_id") REFERENCES "public"."encounters"("org_id","id") ON DELETE no action ON UPDATE no action;
--> statement-breakpoint
ALTER TABLE "procedures" ADD CONSTRAINT "procedures_practitioner_id_fk" FOREIGN KEY ("org_id","practitioner_id") REFERENCES "public"."practitioners"("org_id","id") ON DELETE no action ON UPDATE no action;
--> statement-breakpoint
ALTER TABLE "procedures" ADD CONSTRAINT "procedures_location_id_fk" FOREIGN KEY ("org_id","location_id") REFERENCES "public"."locations"("org_id","id") ON DELETE no action ON UPDATE no action;
--> statement-breakpoint
ALTER TABLE "procedures" ADD CONSTRAINT "procedures_patient_id_fk" FOREIGN KEY ("org_id","patient_id") REFERENCES "public"."patients"("org_id","id") ON DELETE no action ON UPDATE no action;
--> statement-breakpoint
ALTER TABLE "procedures" ADD CONSTRAINT "procedures_encounter_id_fk" FOREIGN KEY ("org_id","encounter_id") REFERENCES "public"."encounters"("org_id","id") ON DELETE no action ON UPDATE no action;
--> statement-breakpoint
ALTER TABLE "questionnaire_responses" ADD CONSTRAINT "questionnaire_responses_patient_id_fk" FOREIGN KEY ("org_id","patient_id") REFERENCES "public"."patients"("org_id","id") ON DELETE no action ON UPDATE no action;
--> statement-breakpoint
ALTER TABLE "questionnaire_responses" ADD CONSTRAINT "questionnaire_responses_encounter_id_fk" FOREIGN KEY ("org_id","encounter_id") REFERENCES "public"."encounters"("org_id","id") ON DELETE no action ON UPDATE no action;
--> statement-breakpoint
ALTER TABLE "related_persons" ADD CONSTRAINT "related_persons_patient_id_fk" FOREIGN KEY ("org_id","patient_id") REFERENCES "public"."patients"("org_id","id") ON DELETE no action ON UPDATE no action;
--> statement-breakpoint
ALTER TABLE "schedules" ADD CONSTRAINT "schedules_practitioner_id_fk" FOREIGN KEY ("org_id","practitioner_id") REFERENCES "public"."practitioners"("org_id","id") ON DELETE no action ON UPDATE no action;
--> statement-breakpoint
ALTER TABLE "schedules" ADD CONSTRAINT "schedules_location_id_fk" FOREIGN KEY ("org_id","location_id") REFERENCES "public"."locations"("org_id","id") ON DELETE no action ON UPDATE no action;
--> statement-breakpoint
ALTER TABLE "schedules" ADD CONSTRAINT "schedules_service_line_id_fk" FOREIGN KEY ("org_id","service_line_id") REFERENCES "public"."service_lines"("org_id","id") ON DELETE no action ON UPDATE no action;
--> statement-breakpoint
ALTER TABLE "service_requests" ADD CONSTRAINT "service_requests_requester_id_fk" FOREIGN KEY ("org_id","requester_id") REFERENCES "public"."practitioners"("org_id","id") ON DELETE no action ON UPDATE no action;
--> statement-breakpoint
ALTER TABLE "service_requests" ADD CONSTRAINT "service_requests_patient_id_fk" FOREIGN KEY ("org_id","patient_id") REFERENCES "public"."patients"("org_id","id") ON DELETE no action ON UPDATE no action;
--> statement-breakpoint
ALTER TABLE "service_requests" ADD CONSTRAINT "service_requests_encounter_id_fk" FOREIGN KEY ("org_id","encounter_id") REFERENCES "public"."encounters"("org_id","id") ON DELETE no action ON UPDATE no action;
--> statement-breakpoint
ALTER TABLE "slots" ADD CONSTRAINT "slots_schedule_id_fk" FOREIGN KEY ("org_id","schedule_id") REFERENCES "public"."schedules"("org_id","id") ON DELETE no action ON UPDATE no action;
--> statement-breakpoint
ALTER TABLE "source_links" ADD CONSTRAINT "source_links_patient_id_fk" FOREIGN KEY ("org_id","patient_id") REFERENCES "public"."patients"("org_id","id") ON DELETE no action ON UPDATE no action;
--> statement-breakpoint
ALTER TABLE "hl7_messages" ADD CONSTRAINT "hl7_messages_patient_id_fk" FOREIGN KEY ("org_id","patient_id") REFERENCES "public"."patients"("org_id","id") ON DELETE no action ON UPDATE no action;
--> statement-breakpoint
ALTER TABLE "mpi_review_items" ADD CONSTRAINT "mpi_review_items_incoming_id_fk" FOREIGN KEY ("org_id","incoming_id") REFERENCES "public"."patients"("org_id","id") ON DELETE no action ON UPDATE no action;
--> statement-breakpoint
ALTER TABLE "mpi_review_items" ADD CONSTRAINT "mpi_review_items_candidate_id_fk" FOREIGN KEY ("org_id","candidate_id") REFERENCES "public"."patients"("org_id","id") ON DELETE no action ON UPDATE no action;
--> statement-breakpoint
ALTER TABLE "mpi_review_items" ADD CONSTRAINT "mpi_review_items_source_record_id_fk" FOREIGN KEY ("org_id","source_record_id") REFERENCES "public"."patient_source_records"("org_id","id") ON DELETE no action ON UPDATE no action;
--> statement-breakpoint
ALTER TABLE "mpi_review_items" ADD CONSTRAINT "mpi_review_items_decided_by_fk" FOREIGN KEY ("org_id","decided_by") REFERENCES "public"."users"("org_id","id") ON DELETE no action ON UPDATE no action;
--> statement-breakpoint
ALTER TABLE "patient_merges" ADD CONSTRAINT "patient_merges_survivor_id_fk" FOREIGN KEY ("org_id","survivor_id") REFERENCES "public"."patients"("org_id","id") ON DELETE no action ON UPDATE no action;
--> statement-breakpoint
ALTER TABLE "patient_merges" ADD CONSTRAINT "patient_merges_merged_id_fk" FOREIGN KEY ("org_id","merged_id") REFERENCES "public"."patients"("org_id","id") ON DELETE no action ON UPDATE no action;
--> statement-breakpoint
ALTER TABLE "patient_merges" ADD CONSTRAINT "patient_merges_merged_by_fk" FOREIGN KEY ("org_id","merged_by") REFERENCES "public"."users"("org_id","id") ON DELETE no action ON UPDATE no action;
--> statement-breakpoint
ALTER TABLE "patient_merges" ADD CONSTRAINT "patient_merges_unmerged_by_fk" FOREIGN KEY ("org_id","unmerged_by") REFERENCES "public"."users"("org_id","id") ON DELETE no action ON UPDATE no action;
--> statement-breakpoint
ALTER TABLE "patient_source_records" ADD CONSTRAINT "patient_source_records_patient_id_fk" FOREIGN KEY ("org_id","patient_id") REFERENCES "public"."patients"("org_id","id") ON DELETE no action ON UPDATE no action;
--> statement-breakpoint
ALTER TABLE "notes" ADD CONSTRAINT "notes_author_id_fk" FOREIGN KEY ("org_id","author_id") REFERENCES "public"."users"("org_id","id") ON DELETE no action ON UPDATE no action;
--> statement-breakpoint
ALTER TABLE "notes" ADD CONSTRAINT "notes_patient_id_fk" FOREIGN KEY ("org_id","patient_id") REFERENCES "public"."patients"("org_id","id") ON DELETE no action ON UPDATE no action;
--> statement-breakpoint
ALTER TABLE "care_team_members" ADD CONSTRAINT "care_team_members_practitioner_id_fk" FOREIGN KEY ("org_id","practitioner_id") REFERENCES "public"."practitioners"("org_id","id") ON DELETE no action ON UPDATE no action;
--> statement-breakpoint
ALTER TABLE "care_team_members" ADD CONSTRAINT "care_team_members_patient_id_fk" FOREIGN KEY ("org_id","patient_id") REFERENCES "public"."patients"("org_id","id") ON DELETE no action ON UPDATE no action;
--> statement-breakpoint
ALTER TABLE "coverages" ADD CONSTRAINT "coverages_patient_id_fk" FOREIGN KEY ("org_id","patient_id") REFERENCES "public"."patients"("org_id","id") ON DELETE no action ON UPDATE no action;
--> statement-breakpoint
ALTER TABLE "patient_addresses" ADD CONSTRAINT "patient_addresses_patient_id_fk" FOREIGN KEY ("org_id","patient_id") REFERENCES "public"."patients"("org_id","id") ON DELETE no action ON UPDATE no action;
--> statement-breakpoint
ALTER TABLE "patient_consents" ADD CONSTRAINT "patient_consents_patient_id_fk" FOREIGN KEY ("org_id","patient_id") REFERENCES "public"."patients"("org_id","id") ON DELETE no action ON UPDATE no action;
--> statement-breakpoint
ALTER TABLE "patient_contact_points" ADD CONSTRAINT "patient_contact_points_patient_id_fk" FOREIGN KEY ("org_id","patient_id") REFERENCES "public"."patients"("org_id","id") ON DELETE no action ON UPDATE no action;
--> statement-breakpoint
ALTER TABLE "patient_identifiers" ADD CONSTRAINT "patient_identifiers_patient_id_fk" FOREIGN KEY ("org_id","patient_id") REFERENCES "public"."patients"("org_id","id") ON DELETE no action ON UPDATE no action;
--> statement-breakpoint
ALTER TABLE "patients" ADD CONSTRAINT "patients_primary_location_id_fk" FOREIGN KEY ("org_id","primary_location_id") REFERENCES "public"."locations"("org_id","id") ON DELETE no action ON UPDATE no action;
--> statement-breakpoint
ALTER TABLE "appointments" ADD CONSTRAINT "appointments_service_line_id_fk" FOREIGN KEY ("org_id","service_line_id") REFERENCES "public"."service_lines"("org_id","id") ON DELETE no action ON UPDATE no action;
--> statement-breakpoint
ALTER TABLE "appointments" ADD CONSTRAINT "appointments_practitioner_id_fk" FOREIGN KEY ("org_id","practitioner_id") REFERENCES "public"."practitioners"("org_id","id") ON DELETE no action ON UPDATE no action;
--> statement-breakpoint
ALTER TABLE "appointments" ADD CONSTRAINT "appointments_location_id_fk" FOREIGN KEY ("org_id","location_id") REFERENCES "public"."locations"("org_id","id") ON DELETE no action ON UPDATE no action;
--> statement-breakpoint
ALTER TABLE "appointments" ADD CONSTRAINT "appointments_patient_id_fk" FOREIGN KEY ("org_id","patient_id") REFERENCES "public"."patients"("org_id","id") ON DELETE no action ON UPDATE no action;
--> statement-breakpoint
ALTER TABLE "tasks" ADD CONSTRAINT "tasks_patient_id_fk" FOREIGN KEY ("org_id","patient_id") REFERENCES "public"."patients"("org_id","id") ON DELETE no action ON UPDATE no action;
--> statement-breakpoint
ALTER TABLE "tasks" ADD CONSTRAINT "tasks_assignee_id_fk" FOREIGN KEY ("org_id","assignee_id") REFERENCES "public"."users"("org_id","id") ON DELETE no action ON UPDATE no action;
--> statement-breakpoint
ALTER TABLE "tasks" ADD CONSTRAINT "tasks_created_by_fk" FOREIGN KEY ("org_id","created_by") REFERENCES "public"."users"("org_id","id") ON DELETE no action ON UPDATE no action;
--> statement-breakpoint
ALTER TABLE "touchpoints" ADD CONSTRAINT "touchpoints_patient_id_fk" FOREIGN KEY ("org_id","patient_id") REFERENCES "public"."patients"("org_id","id") ON DELETE no action ON UPDATE no action;
