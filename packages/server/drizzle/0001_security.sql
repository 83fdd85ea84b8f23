-- Tenant isolation and least privilege. The application runs every request's transaction as
-- careloop_app (SET LOCAL ROLE), a role that owns nothing, with app.org_id set for the
-- transaction; row-level security then hides every other organization's rows, whatever a
-- query forgets to filter.
-- Roles belong to the cluster, not to the database: migrations of two databases at once (a test
-- suite, two installs on one server) race on pg_authid and pg_auth_members, which the per-database
-- migration lock does not cover. Each step is skipped when done and tolerates a concurrent twin.
DO $$
BEGIN
  BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'careloop_app') THEN
      CREATE ROLE careloop_app NOLOGIN;
    END IF;
  EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
  END;
  BEGIN
    IF NOT pg_has_role(current_user, 'careloop_app', 'MEMBER') THEN
      GRANT careloop_app TO CURRENT_USER;
    END IF;
  EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
  END;
END
$$;
--> statement-breakpoint
GRANT USAGE ON SCHEMA public TO careloop_app;
--> statement-breakpoint
CREATE FUNCTION careloop_current_org() RETURNS uuid
  LANGUAGE sql STABLE PARALLEL SAFE
  AS $$ SELECT nullif(current_setting('app.org_id', true), '')::uuid $$;
--> statement-breakpoint
GRANT EXECUTE ON FUNCTION careloop_current_org() TO careloop_app;
--> statement-breakpoint
-- The audit log is append-only for the application: no UPDATE, no DELETE, no TRUNCATE.
GRANT SELECT, INSERT ON audit_events TO careloop_app;
--> statement-breakpoint
GRANT USAGE ON SEQUENCE audit_events_seq_seq TO careloop_app;
--> statement-breakpoint
ALTER TABLE audit_events ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY tenant_isolation ON audit_events
  USING (org_id = careloop_current_org()) WITH CHECK (org_id = careloop_current_org());
--> statement-breakpoint
ALTER TABLE organizations ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
GRANT SELECT, UPDATE ON organizations TO careloop_app;
--> statement-breakpoint
CREATE POLICY tenant_isolation ON organizations
  USING (id = careloop_current_org()) WITH CHECK (id = careloop_current_org());
--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE, DELETE ON locations TO careloop_app;
--> statement-breakpoint
ALTER TABLE locations ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY tenant_isolation ON locations
  USING (org_id = careloop_current_org()) WITH CHECK (org_id = careloop_current_org());
--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE, DELETE ON practitioners TO careloop_app;
--> statement-breakpoint
ALTER TABLE practitioners ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY tenant_isolation ON practitioners
  USING (org_id = careloop_current_org()) WITH CHECK (org_id = careloop_current_org());
--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE, DELETE ON service_lines TO careloop_app;
--> statement-breakpoint
ALTER TABLE service_lines ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY tenant_isolation ON service_lines
  USING (org_id = careloop_current_org()) WITH CHECK (org_id = careloop_current_org());
--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE, DELETE ON users TO careloop_app;
--> statement-breakpoint
ALTER TABLE users ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY tenant_isolation ON users
  USING (org_id = careloop_current_org()) WITH CHECK (org_id = careloop_current_org());
--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE, DELETE ON sessions TO careloop_app;
--> statement-breakpoint
ALTER TABLE sessions ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY tenant_isolation ON sessions
  USING (org_id = careloop_current_org()) WITH CHECK (org_id = careloop_current_org());
--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE, DELETE ON patients TO careloop_app;
--> statement-breakpoint
ALTER TABLE patients ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY tenant_isolation ON patients
  USING (org_id = careloop_current_org()) WITH CHECK (org_id = careloop_current_org());
--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE, DELETE ON patient_addresses TO careloop_app;
--> statement-breakpoint
ALTER TABLE patient_addresses ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY tenant_isolation ON patient_addresses
  USING (org_id = careloop_current_org()) WITH CHECK (org_id = careloop_current_org());
--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE, DELETE ON patient_contact_points TO careloop_app;
--> statement-breakpoint
ALTER TABLE patient_contact_points ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY tenant_isolation ON patient_contact_points
  USING (org_id = careloop_current_org()) WITH CHECK (org_id = careloop_current_org());
--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE, DELETE ON patient_identifiers TO careloop_app;
--> statement-breakpoint
ALTER TABLE patient_identifiers ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY tenant_isolation ON patient_identifiers
  USING (org_id = careloop_current_org()) WITH CHECK (org_id = careloop_current_org());
--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE, DELETE ON patient_consents TO careloop_app;
--> statement-breakpoint
ALTER TABLE patient_consents ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY tenant_isolation ON patient_consents
  USING (org_id = careloop_current_org()) WITH CHECK (org_id = careloop_current_org());
--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE, DELETE ON coverages TO careloop_app;
--> statement-breakpoint
ALTER TABLE coverages ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY tenant_isolation ON coverages
  USING (org_id = careloop_current_org()) WITH CHECK (org_id = careloop_current_org());
--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE, DELETE ON care_team_members TO careloop_app;
--> statement-breakpoint
ALTER TABLE care_team_members ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY tenant_isolation ON care_team_members
  USING (org_id = careloop_current_org()) WITH CHECK (org_id = careloop_current_org());
--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE, DELETE ON encounters TO careloop_app;
--> statement-breakpoint
ALTER TABLE encounters ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY tenant_isolation ON encounters
  USING (org_id = careloop_current_org()) WITH CHECK (org_id = careloop_current_org());
--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE, DELETE ON conditions TO careloop_app;
--> statement-breakpoint
ALTER TABLE conditions ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY tenant_isolation ON conditions
  USING (org_id = careloop_current_org()) WITH CHECK (org_id = careloop_current_org());
--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE, DELETE ON appointments TO careloop_app;
--> statement-breakpoint
ALTER TABLE appointments ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY tenant_isolation ON appointments
  USING (org_id = careloop_current_org()) WITH CHECK (org_id = careloop_current_org());
--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE, DELETE ON notes TO careloop_app;
--> statement-breakpoint
ALTER TABLE notes ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY tenant_isolation ON notes
  USING (org_id = careloop_current_org()) WITH CHECK (org_id = careloop_current_org());
--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE, DELETE ON tasks TO careloop_app;
--> statement-breakpoint
ALTER TABLE tasks ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY tenant_isolation ON tasks
  USING (org_id = careloop_current_org()) WITH CHECK (org_id = careloop_current_org());
--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE, DELETE ON touchpoints TO careloop_app;
--> statement-breakpoint
ALTER TABLE touchpoints ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY tenant_isolation ON touchpoints
  USING (org_id = careloop_current_org()) WITH CHECK (org_id = careloop_current_org());
--> statement-breakpoint
-- Sign-in happens before the organization is known. These two functions are the only
-- cross-tenant reads the application may make: each returns at most one row, by exact key.
CREATE FUNCTION careloop_login_lookup(p_email text)
  RETURNS TABLE (user_id uuid, org_id uuid, org_name text, email text, display_name text,
                 role text, password_hash text, patient_id uuid, disabled boolean)
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
  AS $$
    SELECT u.id, u.org_id, o.name, u.email, u.display_name, u.role, u.password_hash,
           u.patient_id, u.disabled_at IS NOT NULL
    FROM users u JOIN organizations o ON o.id = u.org_id
    WHERE u.email = p_email
  $$;
--> statement-breakpoint
CREATE FUNCTION careloop_session_lookup(p_id text)
  RETURNS TABLE (session_id text, org_id uuid, org_name text, user_id uuid, email text,
                 display_name text, role text, patient_id uuid, csrf_token text,
                 last_seen_at timestamptz, expires_at timestamptz, revoked boolean,
                 disabled boolean)
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
  AS $$
    SELECT s.id, s.org_id, o.name, u.id, u.email, u.display_name, u.role, u.patient_id,
           s.csrf_token, s.last_seen_at, s.expires_at, s.revoked_at IS NOT NULL,
           u.disabled_at IS NOT NULL
    FROM sessions s JOIN users u ON u.id = s.user_id JOIN organizations o ON o.id = s.org_id
    WHERE s.id = p_id
  $$;
--> statement-breakpoint
REVOKE ALL ON FUNCTION careloop_login_lookup(text) FROM PUBLIC;
--> statement-breakpoint
REVOKE ALL ON FUNCTION careloop_session_lookup(text) FROM PUBLIC;
--> statement-breakpoint
GRANT EXECUTE ON FUNCTION careloop_login_lookup(text) TO careloop_app;
--> statement-breakpoint
GRANT EXECUTE ON FUNCTION careloop_session_lookup(text) TO careloop_app;
