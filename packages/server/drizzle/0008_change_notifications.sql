-- Change notifications for the in-process caches (docs/adr/0005). Every statement that changes
-- a table the patient 360 view reads, or a session or user, sends a NOTIFY on the channel
-- `careloop_changes` when its transaction commits (never before, never for a rollback), from
-- whichever process wrote: API nodes, the HL7 listener, the CLI, a DBA's psql.
-- Payloads: 'p:<org_id>:<patient_id>' one patient's views, 'o:<org_id>' every view of an
-- organization, 'u:<user_id>' a user's sessions, '*' everything (TRUNCATE, or too many rows).
-- Statement-level triggers with transition tables: one NOTIFY per distinct key per statement,
-- and a bulk statement (seeding 1,000 patients) collapses to one message per organization.

CREATE FUNCTION careloop_notify_patient_change() RETURNS trigger
  LANGUAGE plpgsql SECURITY INVOKER SET search_path = public, pg_temp
  AS $$
DECLARE
  -- TG_ARGV[0]: the column holding the patient id, or '' for a reference table (locations,
  -- practitioners, ...) whose rows appear in the views of a whole organization.
  col text := TG_ARGV[0];
  src text;
  keys text[];
  k text;
BEGIN
  IF TG_OP = 'TRUNCATE' THEN
    PERFORM pg_notify('careloop_changes', '*');
    RETURN NULL;
  END IF;
  src := CASE TG_OP WHEN 'INSERT' THEN 'SELECT * FROM new_rows'
                    WHEN 'DELETE' THEN 'SELECT * FROM old_rows'
                    ELSE 'SELECT * FROM new_rows UNION ALL SELECT * FROM old_rows' END;
  IF col = '' THEN
    EXECUTE format('SELECT array_agg(DISTINCT %s) FROM (%s) r', $q$'o:' || r.org_id$q$, src)
      INTO keys;
  ELSE
    EXECUTE format(
      'SELECT array_agg(DISTINCT %s) FROM (%s) r WHERE r.%I IS NOT NULL',
      $q$'p:' || r.org_id || ':' || r.$q$ || quote_ident(col), src, col)
      INTO keys;
    IF coalesce(array_length(keys, 1), 0) > 100 THEN
      EXECUTE format('SELECT array_agg(DISTINCT %s) FROM (%s) r', $q$'o:' || r.org_id$q$, src)
        INTO keys;
    END IF;
  END IF;
  FOREACH k IN ARRAY coalesce(keys, '{}') LOOP
    PERFORM pg_notify('careloop_changes', k);
  END LOOP;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE FUNCTION careloop_notify_user_change() RETURNS trigger
  LANGUAGE plpgsql SECURITY INVOKER SET search_path = public, pg_temp
  AS $$
DECLARE
  -- TG_ARGV[0]: the column holding the user id (sessions.user_id, users.id).
  col text := TG_ARGV[0];
  src text;
  keys text[];
  k text;
BEGIN
  IF TG_OP = 'TRUNCATE' THEN
    PERFORM pg_notify('careloop_changes', '*');
    RETURN NULL;
  END IF;
  src := CASE TG_OP WHEN 'DELETE' THEN 'SELECT * FROM old_rows'
                    ELSE 'SELECT * FROM new_rows UNION ALL SELECT * FROM old_rows' END;
  EXECUTE format('SELECT array_agg(DISTINCT %s) FROM (%s) r',
    $q$'u:' || r.$q$ || quote_ident(col), src) INTO keys;
  IF coalesce(array_length(keys, 1), 0) > 100 THEN
    keys := ARRAY['*'];
  END IF;
  FOREACH k IN ARRAY coalesce(keys, '{}') LOOP
    PERFORM pg_notify('careloop_changes', k);
  END LOOP;
  RETURN NULL;
END
$$;
--> statement-breakpoint
-- The tables careloop_patient_360 (0006) reads, with their patient column ('' = reference
-- table), users apart (below). change-notifications.test.ts fails when the function reads a table missing here.
DO $$
DECLARE
  t record;
BEGIN
  FOR t IN SELECT * FROM (VALUES
    ('patients', 'id'), ('patient_addresses', 'patient_id'),
    ('patient_contact_points', 'patient_id'), ('patient_identifiers', 'patient_id'),
    ('patient_consents', 'patient_id'), ('coverages', 'patient_id'),
    ('conditions', 'patient_id'), ('encounters', 'patient_id'),
    ('appointments', 'patient_id'), ('tasks', 'patient_id'), ('notes', 'patient_id'),
    ('care_team_members', 'patient_id'), ('touchpoints', 'patient_id'),
    ('locations', ''), ('practitioners', ''), ('service_lines', '')
  ) AS v(tbl, col) LOOP
    EXECUTE format('CREATE TRIGGER careloop_notify_insert AFTER INSERT ON %I
      REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT
      EXECUTE FUNCTION careloop_notify_patient_change(%L)', t.tbl, t.col);
    EXECUTE format('CREATE TRIGGER careloop_notify_update AFTER UPDATE ON %I
      REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT
      EXECUTE FUNCTION careloop_notify_patient_change(%L)', t.tbl, t.col);
    EXECUTE format('CREATE TRIGGER careloop_notify_delete AFTER DELETE ON %I
      REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT
      EXECUTE FUNCTION careloop_notify_patient_change(%L)', t.tbl, t.col);
    EXECUTE format('CREATE TRIGGER careloop_notify_truncate AFTER TRUNCATE ON %I
      FOR EACH STATEMENT EXECUTE FUNCTION careloop_notify_patient_change(%L)', t.tbl, t.col);
  END LOOP;
END
$$;
--> statement-breakpoint
-- The view shows users only as task assignees, by display name: renaming one changes every view
-- of the organization; signing in (last_login_at) changes none.
CREATE FUNCTION careloop_notify_user_renamed() RETURNS trigger
  LANGUAGE plpgsql SECURITY INVOKER SET search_path = public, pg_temp
  AS $$
BEGIN
  PERFORM pg_notify('careloop_changes', 'o:' || NEW.org_id);
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER careloop_notify_rename AFTER UPDATE ON users FOR EACH ROW
  WHEN (OLD.display_name IS DISTINCT FROM NEW.display_name)
  EXECUTE FUNCTION careloop_notify_user_renamed();
--> statement-breakpoint
-- Sessions are cached too: revoking one (logout, expiry) or changing its user (disable, role,
-- password) must reach every API node. A new session needs no message: nobody has it cached.
CREATE TRIGGER careloop_session_update AFTER UPDATE ON sessions
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT
  EXECUTE FUNCTION careloop_notify_user_change('user_id');
--> statement-breakpoint
CREATE TRIGGER careloop_session_delete AFTER DELETE ON sessions
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT
  EXECUTE FUNCTION careloop_notify_user_change('user_id');
--> statement-breakpoint
CREATE TRIGGER careloop_session_truncate AFTER TRUNCATE ON sessions
  FOR EACH STATEMENT EXECUTE FUNCTION careloop_notify_user_change('user_id');
--> statement-breakpoint
CREATE TRIGGER careloop_user_update AFTER UPDATE ON users
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT
  EXECUTE FUNCTION careloop_notify_user_change('id');
--> statement-breakpoint
CREATE TRIGGER careloop_user_delete AFTER DELETE ON users
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT
  EXECUTE FUNCTION careloop_notify_user_change('id');
