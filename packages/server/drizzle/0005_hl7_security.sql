-- The HL7 v2 message log, confined to its organization like every other table. The app may
-- not delete a message: the log is the record of what senders sent.
GRANT SELECT, INSERT, UPDATE ON hl7_messages TO careloop_app;
--> statement-breakpoint
GRANT USAGE ON SEQUENCE hl7_messages_seq_seq TO careloop_app;
--> statement-breakpoint
ALTER TABLE hl7_messages ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY tenant_isolation ON hl7_messages
  USING (org_id = careloop_current_org()) WITH CHECK (org_id = careloop_current_org());
