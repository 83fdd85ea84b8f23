CREATE TABLE "api_client_assertions" (
	"org_id" uuid NOT NULL,
	"client_id" uuid NOT NULL,
	"jti" text NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	CONSTRAINT "api_client_assertions_org_id_client_id_jti_pk" PRIMARY KEY("org_id","client_id","jti")
);
--> statement-breakpoint
CREATE TABLE "api_client_tokens" (
	"token_hash" text PRIMARY KEY NOT NULL,
	"org_id" uuid NOT NULL,
	"client_id" uuid NOT NULL,
	"scopes" text[] NOT NULL,
	"issued_at" timestamp with time zone NOT NULL,
	"expires_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "api_clients" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"org_id" uuid NOT NULL,
	"name" text NOT NULL,
	"jwks" jsonb,
	"jwks_url" text,
	"scopes" text[] NOT NULL,
	"role" text NOT NULL,
	"created_by" uuid,
	"created_at" timestamp with time zone NOT NULL,
	"revoked_at" timestamp with time zone,
	"last_token_at" timestamp with time zone,
	CONSTRAINT "api_clients_org_id_id_key" UNIQUE("org_id","id"),
	CONSTRAINT "api_clients_keys_check" CHECK ((jwks is null) <> (jwks_url is null))
);
--> statement-breakpoint
CREATE TABLE "email_suppressions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"org_id" uuid NOT NULL,
	"address" text NOT NULL,
	"reason" text NOT NULL,
	"message_id" uuid,
	"created_at" timestamp with time zone NOT NULL,
	"cleared_at" timestamp with time zone,
	"cleared_by" uuid,
	CONSTRAINT "email_suppressions_org_id_id_key" UNIQUE("org_id","id"),
	CONSTRAINT "email_suppressions_reason_check" CHECK (reason in ('hard-bounce', 'complaint'))
);
--> statement-breakpoint
CREATE TABLE "webhook_attempts" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"org_id" uuid NOT NULL,
	"message_id" uuid NOT NULL,
	"endpoint_id" uuid NOT NULL,
	"attempt" integer NOT NULL,
	"status_code" integer,
	"error" text,
	"at" timestamp with time zone NOT NULL,
	CONSTRAINT "webhook_attempts_org_id_id_key" UNIQUE("org_id","id")
);
--> statement-breakpoint
CREATE TABLE "webhook_endpoints" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"org_id" uuid NOT NULL,
	"url" text NOT NULL,
	"event_types" text[] NOT NULL,
	"secret_encrypted" text NOT NULL,
	"previous_secret_encrypted" text,
	"previous_secret_until" timestamp with time zone,
	"enabled" boolean DEFAULT true NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	CONSTRAINT "webhook_endpoints_org_id_id_key" UNIQUE("org_id","id")
);
--> statement-breakpoint
ALTER TABLE "outbound_messages" DROP CONSTRAINT "outbound_messages_channel_check";--> statement-breakpoint
ALTER TABLE "outbound_messages" DROP CONSTRAINT "outbound_messages_status_check";--> statement-breakpoint
ALTER TABLE "api_client_assertions" ADD CONSTRAINT "api_client_assertions_org_id_organizations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "api_client_assertions" ADD CONSTRAINT "api_client_assertions_client_id_fk" FOREIGN KEY ("org_id","client_id") REFERENCES "public"."api_clients"("org_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "api_client_tokens" ADD CONSTRAINT "api_client_tokens_org_id_organizations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "api_client_tokens" ADD CONSTRAINT "api_client_tokens_client_id_fk" FOREIGN KEY ("org_id","client_id") REFERENCES "public"."api_clients"("org_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "api_clients" ADD CONSTRAINT "api_clients_org_id_organizations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "email_suppressions" ADD CONSTRAINT "email_suppressions_org_id_organizations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "email_suppressions" ADD CONSTRAINT "email_suppressions_message_id_fk" FOREIGN KEY ("org_id","message_id") REFERENCES "public"."outbound_messages"("org_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "webhook_attempts" ADD CONSTRAINT "webhook_attempts_org_id_organizations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "webhook_attempts" ADD CONSTRAINT "webhook_attempts_message_id_fk" FOREIGN KEY ("org_id","message_id") REFERENCES "public"."outbound_messages"("org_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "webhook_attempts" ADD CONSTRAINT "webhook_attempts_endpoint_id_fk" FOREIGN KEY ("org_id","endpoint_id") REFERENCES "public"."webhook_endpoints"("org_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "webhook_endpoints" ADD CONSTRAINT "webhook_endpoints_org_id_organizations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "api_client_tokens_expiry_idx" ON "api_client_tokens" USING btree ("org_id","expires_at");--> statement-breakpoint
CREATE INDEX "email_suppressions_address_idx" ON "email_suppressions" USING btree ("org_id","address") WHERE cleared_at is null;--> statement-breakpoint
CREATE INDEX "webhook_attempts_message_idx" ON "webhook_attempts" USING btree ("org_id","message_id","at");--> statement-breakpoint
ALTER TABLE "outbound_messages" ADD CONSTRAINT "outbound_messages_channel_check" CHECK (channel in ('email', 'sms', 'hl7', 'webhook'));--> statement-breakpoint
ALTER TABLE "outbound_messages" ADD CONSTRAINT "outbound_messages_status_check" CHECK (status in ('queued', 'sent', 'delivered', 'failed', 'bounced', 'replied', 'expired', 'withdrawn', 'suppressed', 'complained'));--> statement-breakpoint
-- Integrations (docs/adr/0029): API clients, their tokens (hashes only) and seen assertion ids;
-- webhook endpoints and attempts; email suppressions. Tenant tables under row-level security.
GRANT SELECT, INSERT, UPDATE ON api_clients TO careloop_app;
--> statement-breakpoint
GRANT SELECT, INSERT, DELETE ON api_client_tokens TO careloop_app;
--> statement-breakpoint
GRANT SELECT, INSERT, DELETE ON api_client_assertions TO careloop_app;
--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE ON webhook_endpoints TO careloop_app;
--> statement-breakpoint
GRANT SELECT, INSERT ON webhook_attempts TO careloop_app;
--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE ON email_suppressions TO careloop_app;
--> statement-breakpoint
ALTER TABLE api_clients ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY tenant_isolation ON api_clients
  USING (org_id = careloop_current_org()) WITH CHECK (org_id = careloop_current_org());
--> statement-breakpoint
ALTER TABLE api_client_tokens ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY tenant_isolation ON api_client_tokens
  USING (org_id = careloop_current_org()) WITH CHECK (org_id = careloop_current_org());
--> statement-breakpoint
ALTER TABLE api_client_assertions ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY tenant_isolation ON api_client_assertions
  USING (org_id = careloop_current_org()) WITH CHECK (org_id = careloop_current_org());
--> statement-breakpoint
ALTER TABLE webhook_endpoints ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY tenant_isolation ON webhook_endpoints
  USING (org_id = careloop_current_org()) WITH CHECK (org_id = careloop_current_org());
--> statement-breakpoint
ALTER TABLE webhook_attempts ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY tenant_isolation ON webhook_attempts
  USING (org_id = careloop_current_org()) WITH CHECK (org_id = careloop_current_org());
--> statement-breakpoint
ALTER TABLE email_suppressions ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY tenant_isolation ON email_suppressions
  USING (org_id = careloop_current_org()) WITH CHECK (org_id = careloop_current_org());
--> statement-breakpoint
-- The token endpoint learns the organization from the client: the one cross-tenant read it
-- needs, narrowed to one client by id (like careloop_session_lookup).
CREATE FUNCTION careloop_api_client_lookup(p_id uuid)
  RETURNS TABLE (org_id uuid, name text, jwks jsonb, jwks_url text, scopes text[],
                 revoked boolean)
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
  AS $$
    SELECT c.org_id, c.name, c.jwks, c.jwks_url, c.scopes, c.revoked_at IS NOT NULL
    FROM api_clients c WHERE c.id = p_id
  $$;
--> statement-breakpoint
-- A bearer token's client and organization, by the token's hash.
CREATE FUNCTION careloop_api_token_lookup(p_hash text)
  RETURNS TABLE (org_id uuid, org_name text, client_id uuid, client_name text, role text,
                 scopes text[], expires_at timestamptz, revoked boolean)
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
  AS $$
    SELECT t.org_id, o.name, c.id, c.name, c.role, t.scopes, t.expires_at,
           c.revoked_at IS NOT NULL
    FROM api_client_tokens t
    JOIN api_clients c ON c.org_id = t.org_id AND c.id = t.client_id
    JOIN organizations o ON o.id = t.org_id
    WHERE t.token_hash = p_hash
  $$;
--> statement-breakpoint
REVOKE ALL ON FUNCTION careloop_api_client_lookup(uuid) FROM PUBLIC;
--> statement-breakpoint
REVOKE ALL ON FUNCTION careloop_api_token_lookup(text) FROM PUBLIC;
--> statement-breakpoint
GRANT EXECUTE ON FUNCTION careloop_api_client_lookup(uuid) TO careloop_app;
--> statement-breakpoint
GRANT EXECUTE ON FUNCTION careloop_api_token_lookup(text) TO careloop_app;
