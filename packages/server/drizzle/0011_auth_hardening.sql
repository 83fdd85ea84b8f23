CREATE TABLE "sign_in_attempts" (
	"key" text PRIMARY KEY NOT NULL,
	"window_start" timestamp with time zone NOT NULL,
	"count" integer NOT NULL,
	"next_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "sessions" ADD COLUMN "stage" text DEFAULT 'active' NOT NULL;--> statement-breakpoint
ALTER TABLE "users" ADD COLUMN "totp_secret" text;--> statement-breakpoint
ALTER TABLE "users" ADD COLUMN "totp_pending_secret" text;--> statement-breakpoint
ALTER TABLE "users" ADD COLUMN "totp_enabled_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "users" ADD COLUMN "totp_last_step" bigint;--> statement-breakpoint
ALTER TABLE "users" ADD COLUMN "recovery_code_hashes" text[] DEFAULT '{}' NOT NULL;--> statement-breakpoint
ALTER TABLE "organizations" ADD COLUMN "mfa_required" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "organizations" ADD COLUMN "mfa_admins_exempt" boolean DEFAULT false NOT NULL;--> statement-breakpoint
CREATE INDEX "sign_in_attempts_window_idx" ON "sign_in_attempts" USING btree ("window_start");--> statement-breakpoint
-- Sign-in attempts are counted before any password is checked (docs/adr/0007). The table is
-- global (attempts come before the organization is known) and holds only SHA-256 keys; the
-- application role has no grant on it and counts through the functions below.
REVOKE ALL ON sign_in_attempts FROM PUBLIC;
--> statement-breakpoint
-- Counts one attempt under p_key in a fixed window of p_window_ms, atomically (one row lock),
-- and returns the attempts of the current window and when it began.
CREATE FUNCTION careloop_count_attempt(p_key text, p_now timestamptz, p_window_ms integer)
  RETURNS TABLE (attempts integer, began timestamptz)
  LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp
  AS $$
BEGIN
  -- Old windows are dropped now and then, so the table holds about a day of keys.
  IF random() < 0.001 THEN
    DELETE FROM sign_in_attempts s
      WHERE s.window_start < p_now - interval '1 day' AND s.next_at < p_now;
  END IF;
  RETURN QUERY
    INSERT INTO sign_in_attempts AS a (key, window_start, count, next_at)
    VALUES (p_key, p_now, 1, p_now)
    ON CONFLICT (key) DO UPDATE SET
      count = CASE WHEN a.window_start <= p_now - p_window_ms * interval '1 millisecond'
                   THEN 1 ELSE a.count + 1 END,
      window_start = CASE WHEN a.window_start <= p_now - p_window_ms * interval '1 millisecond'
                          THEN p_now ELSE a.window_start END
    RETURNING a.count, a.window_start;
END
$$;
--> statement-breakpoint
-- An account's attempts from every address: the first p_free of a window are checked at once;
-- after that each attempt takes the next free slot, slots spaced by a growing step (p_step_ms
-- doubling up to p_max_step_ms), so that parallel attempts are checked one after another.
-- Returns how long this attempt must wait for its slot; an attempt whose slot is more than
-- p_max_wait_ms away is refused and takes no slot (refused = true, wait_ms = until one frees).
CREATE FUNCTION careloop_throttle_account(p_key text, p_now timestamptz, p_window_ms integer,
    p_free integer, p_step_ms integer, p_max_step_ms integer, p_max_wait_ms integer)
  RETURNS TABLE (attempts integer, wait_ms integer, refused boolean)
  LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp
  AS $$
DECLARE
  r sign_in_attempts%ROWTYPE;
  n integer;
  slot timestamptz;
  waiting integer;
  step integer;
BEGIN
  INSERT INTO sign_in_attempts (key, window_start, count, next_at)
    VALUES (p_key, p_now, 0, p_now) ON CONFLICT (key) DO NOTHING;
  SELECT * INTO r FROM sign_in_attempts s WHERE s.key = p_key FOR UPDATE;
  IF r.window_start <= p_now - p_window_ms * interval '1 millisecond' THEN
    r.window_start := p_now;
    r.count := 0;
  END IF;
  n := r.count + 1;
  slot := greatest(r.next_at, p_now);
  waiting := ceil(extract(epoch FROM slot - p_now) * 1000)::integer;
  IF waiting > p_max_wait_ms THEN
    RETURN QUERY SELECT r.count, waiting - p_max_wait_ms, true;
    RETURN;
  END IF;
  -- The attempt after the p_free-th waits p_step_ms, the next twice that, and so on.
  step := CASE WHEN n < p_free THEN 0
               ELSE least(p_max_step_ms::bigint, p_step_ms::bigint * 2 ^ least(n - p_free, 20))::integer END;
  UPDATE sign_in_attempts s
    SET window_start = r.window_start, count = n,
        next_at = slot + step * interval '1 millisecond'
    WHERE s.key = p_key;
  RETURN QUERY SELECT n, waiting, false;
END
$$;
--> statement-breakpoint
-- A successful sign-in forgets its (account, address) count and gives back its address count.
CREATE FUNCTION careloop_forget_attempts(p_key text) RETURNS void
  LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp
  AS $$ DELETE FROM sign_in_attempts WHERE key = p_key $$;
--> statement-breakpoint
CREATE FUNCTION careloop_refund_attempt(p_key text) RETURNS void
  LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp
  AS $$ UPDATE sign_in_attempts SET count = greatest(count - 1, 0) WHERE key = p_key $$;
--> statement-breakpoint
REVOKE ALL ON FUNCTION careloop_count_attempt(text, timestamptz, integer) FROM PUBLIC;
--> statement-breakpoint
REVOKE ALL ON FUNCTION careloop_throttle_account(text, timestamptz, integer, integer, integer, integer, integer) FROM PUBLIC;
--> statement-breakpoint
REVOKE ALL ON FUNCTION careloop_forget_attempts(text) FROM PUBLIC;
--> statement-breakpoint
REVOKE ALL ON FUNCTION careloop_refund_attempt(text) FROM PUBLIC;
--> statement-breakpoint
GRANT EXECUTE ON FUNCTION careloop_count_attempt(text, timestamptz, integer) TO careloop_app;
--> statement-breakpoint
GRANT EXECUTE ON FUNCTION careloop_throttle_account(text, timestamptz, integer, integer, integer, integer, integer) TO careloop_app;
--> statement-breakpoint
GRANT EXECUTE ON FUNCTION careloop_forget_attempts(text) TO careloop_app;
--> statement-breakpoint
GRANT EXECUTE ON FUNCTION careloop_refund_attempt(text) TO careloop_app;
--> statement-breakpoint
-- Sign-in now also reads the second factor and the organization's policy for it.
DROP FUNCTION careloop_login_lookup(text);
--> statement-breakpoint
CREATE FUNCTION careloop_login_lookup(p_email text)
  RETURNS TABLE (user_id uuid, org_id uuid, org_name text, email text, display_name text,
                 role text, password_hash text, patient_id uuid, disabled boolean,
                 totp_enabled boolean, mfa_required boolean, mfa_admins_exempt boolean)
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
  AS $$
    SELECT u.id, u.org_id, o.name, u.email, u.display_name, u.role, u.password_hash,
           u.patient_id, u.disabled_at IS NOT NULL, u.totp_enabled_at IS NOT NULL,
           o.mfa_required, o.mfa_admins_exempt
    FROM users u JOIN organizations o ON o.id = u.org_id
    WHERE u.email = p_email
  $$;
--> statement-breakpoint
DROP FUNCTION careloop_session_lookup(text);
--> statement-breakpoint
CREATE FUNCTION careloop_session_lookup(p_id text)
  RETURNS TABLE (session_id text, org_id uuid, org_name text, user_id uuid, email text,
                 display_name text, role text, patient_id uuid, csrf_token text,
                 last_seen_at timestamptz, expires_at timestamptz, revoked boolean,
                 disabled boolean, stage text)
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
  AS $$
    SELECT s.id, s.org_id, o.name, u.id, u.email, u.display_name, u.role, u.patient_id,
           s.csrf_token, s.last_seen_at, s.expires_at, s.revoked_at IS NOT NULL,
           u.disabled_at IS NOT NULL, s.stage
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
