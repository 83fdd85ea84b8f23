-- Tenant isolation for the FHIR import's tables, as in 0001_security: each table is confined
-- to app.org_id by row-level security and granted to careloop_app, which owns nothing.
-- Raw source records are provenance: the application may add and update them (a re-import
-- updates in place), never delete them.
GRANT SELECT, INSERT, UPDATE ON fhir_source_records TO careloop_app;
--> statement-breakpoint
ALTER TABLE fhir_source_records ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY tenant_isolation ON fhir_source_records
  USING (org_id = careloop_current_org()) WITH CHECK (org_id = careloop_current_org());
--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE, DELETE ON source_links TO careloop_app;
--> statement-breakpoint
ALTER TABLE source_links ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY tenant_isolation ON source_links
  USING (org_id = careloop_current_org()) WITH CHECK (org_id = careloop_current_org());
--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE, DELETE ON external_organizations TO careloop_app;
--> statement-breakpoint
ALTER TABLE external_organizations ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY tenant_isolation ON external_organizations
  USING (org_id = careloop_current_org()) WITH CHECK (org_id = careloop_current_org());
--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE, DELETE ON related_persons TO careloop_app;
--> statement-breakpoint
ALTER TABLE related_persons ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY tenant_isolation ON related_persons
  USING (org_id = careloop_current_org()) WITH CHECK (org_id = careloop_current_org());
--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE, DELETE ON procedures TO careloop_app;
--> statement-breakpoint
ALTER TABLE procedures ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY tenant_isolation ON procedures
  USING (org_id = careloop_current_org()) WITH CHECK (org_id = careloop_current_org());
--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE, DELETE ON observations TO careloop_app;
--> statement-breakpoint
ALTER TABLE observations ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY tenant_isolation ON observations
  USING (org_id = careloop_current_org()) WITH CHECK (org_id = careloop_current_org());
--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE, DELETE ON immunizations TO careloop_app;
--> statement-breakpoint
ALTER TABLE immunizations ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY tenant_isolation ON immunizations
  USING (org_id = careloop_current_org()) WITH CHECK (org_id = careloop_current_org());
--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE, DELETE ON medication_requests TO careloop_app;
--> statement-breakpoint
ALTER TABLE medication_requests ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY tenant_isolation ON medication_requests
  USING (org_id = careloop_current_org()) WITH CHECK (org_id = careloop_current_org());
--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE, DELETE ON allergies TO careloop_app;
--> statement-breakpoint
ALTER TABLE allergies ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY tenant_isolation ON allergies
  USING (org_id = careloop_current_org()) WITH CHECK (org_id = careloop_current_org());
--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE, DELETE ON care_plans TO careloop_app;
--> statement-breakpoint
ALTER TABLE care_plans ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY tenant_isolation ON care_plans
  USING (org_id = careloop_current_org()) WITH CHECK (org_id = careloop_current_org());
--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE, DELETE ON claims TO careloop_app;
--> statement-breakpoint
ALTER TABLE claims ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY tenant_isolation ON claims
  USING (org_id = careloop_current_org()) WITH CHECK (org_id = careloop_current_org());
--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE, DELETE ON explanations_of_benefit TO careloop_app;
--> statement-breakpoint
ALTER TABLE explanations_of_benefit ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY tenant_isolation ON explanations_of_benefit
  USING (org_id = careloop_current_org()) WITH CHECK (org_id = careloop_current_org());
--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE, DELETE ON schedules TO careloop_app;
--> statement-breakpoint
ALTER TABLE schedules ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY tenant_isolation ON schedules
  USING (org_id = careloop_current_org()) WITH CHECK (org_id = careloop_current_org());
--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE, DELETE ON slots TO careloop_app;
--> statement-breakpoint
ALTER TABLE slots ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY tenant_isolation ON slots
  USING (org_id = careloop_current_org()) WITH CHECK (org_id = careloop_current_org());
--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE, DELETE ON service_requests TO careloop_app;
--> statement-breakpoint
ALTER TABLE service_requests ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY tenant_isolation ON service_requests
  USING (org_id = careloop_current_org()) WITH CHECK (org_id = careloop_current_org());
--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE, DELETE ON communications TO careloop_app;
--> statement-breakpoint
ALTER TABLE communications ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY tenant_isolation ON communications
  USING (org_id = careloop_current_org()) WITH CHECK (org_id = careloop_current_org());
--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE, DELETE ON questionnaire_responses TO careloop_app;
--> statement-breakpoint
ALTER TABLE questionnaire_responses ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY tenant_isolation ON questionnaire_responses
  USING (org_id = careloop_current_org()) WITH CHECK (org_id = careloop_current_org());
