-- Issue 9, encryption gaps (docs/encryption.md, docs/adr/0010). New values are written to the
-- *_encrypted columns; the plain columns stay, nullable, for rows written before this migration
-- until `careloop keys rotate` has encrypted them (a migration is SQL and holds no key).
ALTER TABLE "fhir_source_records" ALTER COLUMN "resource" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "fhir_source_records" ADD COLUMN "resource_encrypted" text;--> statement-breakpoint
ALTER TABLE "appointments" ADD COLUMN "reason_encrypted" text;--> statement-breakpoint
ALTER TABLE "tasks" ADD COLUMN "description_encrypted" text;--> statement-breakpoint
ALTER TABLE "fhir_source_records" ADD CONSTRAINT "fhir_source_records_resource_kept" CHECK ("fhir_source_records"."resource" is not null or "fhir_source_records"."resource_encrypted" is not null);--> statement-breakpoint
-- The 360 view (0006) also returns the encrypted task description and appointment reasons;
-- the server decrypts them.
CREATE OR REPLACE FUNCTION careloop_patient_360(p_id uuid, p_clinical boolean, p_notes boolean, p_tasks boolean)
  RETURNS json
  LANGUAGE plpgsql STABLE SECURITY INVOKER
  AS $$
BEGIN
  RETURN (
    SELECT json_build_object(
      'patient', (
        SELECT json_build_object(
          'id', p.id, 'givenName', p.given_name, 'middleName', p.middle_name,
          'familyName', p.family_name, 'preferredName', p.preferred_name,
          'birthDate', p.birth_date, 'administrativeSex', p.administrative_sex,
          'genderIdentity', p.gender_identity, 'preferredLanguage', p.preferred_language,
          'preferredChannel', p.preferred_channel, 'timeZone', p.time_zone,
          'deceasedAt', p.deceased_at, 'flags', p.flags, 'status', p.status,
          'createdAt', p.created_at, 'updatedAt', p.updated_at,
          'primaryLocation', CASE WHEN l.id IS NULL THEN NULL
                             ELSE json_build_object('id', l.id, 'name', l.name) END)
        FROM patients p LEFT JOIN locations l ON l.id = p.primary_location_id
        WHERE p.id = p_id),
      'addresses', (
        SELECT coalesce(json_agg(json_build_object('id', id, 'use', use, 'line1', line1,
          'line2', line2, 'city', city, 'state', state, 'postalCode', postal_code,
          'country', country) ORDER BY position), '[]')
        FROM patient_addresses WHERE patient_id = p_id),
      'contact_points', (
        SELECT coalesce(json_agg(json_build_object('id', id, 'system', system, 'value', value,
          'display', display, 'use', use, 'isPrimary', is_primary)
          ORDER BY system, is_primary DESC), '[]')
        FROM patient_contact_points WHERE patient_id = p_id),
      'identifiers', (
        SELECT coalesce(json_agg(json_build_object('id', id, 'system', system, 'value', value,
          'type', type, 'source', source) ORDER BY system), '[]')
        FROM patient_identifiers WHERE patient_id = p_id),
      'consents', (
        SELECT coalesce(json_agg(json_build_object('channel', channel, 'purpose', purpose,
          'status', status, 'recordedAt', recorded_at, 'source', source)), '[]')
        FROM patient_consents WHERE patient_id = p_id),
      'coverage', (
        SELECT coalesce(json_agg(json_build_object('id', id, 'payer', payer, 'plan', plan,
          'memberId', member_id, 'groupNumber', group_number, 'priority', priority,
          'status', status, 'startDate', start_date, 'endDate', end_date) ORDER BY priority), '[]')
        FROM coverages WHERE patient_id = p_id),
      'conditions', CASE WHEN p_clinical THEN (
        SELECT coalesce(json_agg(json_build_object('id', id, 'codeSystem', code_system,
          'code', code, 'display', display, 'clinicalStatus', clinical_status,
          'onsetDate', onset_date) ORDER BY onset_date DESC NULLS LAST), '[]')
        FROM conditions WHERE patient_id = p_id) END,
      'encounters', CASE WHEN p_clinical THEN (
        SELECT coalesce(json_agg(e ORDER BY e."startAt" DESC), '[]') FROM (
          SELECT en.id, en.class, en.type, en.status, en.start_at AS "startAt",
            en.end_at AS "endAt", lo.name AS location,
            nullif(concat_ws(' ', pr.prefix, pr.given_name, pr.family_name), '') AS practitioner
          FROM encounters en
          LEFT JOIN locations lo ON lo.id = en.location_id
          LEFT JOIN practitioners pr ON pr.id = en.practitioner_id
          WHERE en.patient_id = p_id
          ORDER BY en.start_at DESC LIMIT 20) e) END,
      'upcoming', (
        SELECT coalesce(json_agg(x.j ORDER BY x.start_at), '[]') FROM (
          SELECT json_build_object('id', a.id, 'status', a.status, 'service', s.name,
            'practitioner', nullif(concat_ws(' ', pr.prefix, pr.given_name, pr.family_name), ''),
            'location', l.name, 'startAt', a.start_at, 'endAt', a.end_at,
            'telehealth', a.telehealth, 'reason', a.reason,
            'reasonEncrypted', a.reason_encrypted) AS j, a.start_at
          FROM appointments a
          LEFT JOIN service_lines s ON s.id = a.service_line_id
          LEFT JOIN practitioners pr ON pr.id = a.practitioner_id
          LEFT JOIN locations l ON l.id = a.location_id
          WHERE a.patient_id = p_id AND a.start_at >= now()
          ORDER BY a.start_at LIMIT 50) x),
      'past', (
        SELECT coalesce(json_agg(x.j ORDER BY x.start_at DESC), '[]') FROM (
          SELECT json_build_object('id', a.id, 'status', a.status, 'service', s.name,
            'practitioner', nullif(concat_ws(' ', pr.prefix, pr.given_name, pr.family_name), ''),
            'location', l.name, 'startAt', a.start_at, 'endAt', a.end_at,
            'telehealth', a.telehealth, 'reason', a.reason,
            'reasonEncrypted', a.reason_encrypted) AS j, a.start_at
          FROM appointments a
          LEFT JOIN service_lines s ON s.id = a.service_line_id
          LEFT JOIN practitioners pr ON pr.id = a.practitioner_id
          LEFT JOIN locations l ON l.id = a.location_id
          WHERE a.patient_id = p_id AND a.start_at < now()
          ORDER BY a.start_at DESC LIMIT 20) x),
      'tasks', CASE WHEN p_tasks THEN (
        SELECT coalesce(json_agg(json_build_object('id', t.id, 'patientId', t.patient_id,
          'patientName', NULL, 'title', t.title, 'description', t.description,
          'descriptionEncrypted', t.description_encrypted,
          'assigneeId', t.assignee_id, 'assigneeName', u.display_name, 'dueAt', t.due_at,
          'status', t.status, 'priority', t.priority, 'createdAt', t.created_at,
          'completedAt', t.completed_at) ORDER BY t.due_at NULLS LAST), '[]')
        FROM tasks t LEFT JOIN users u ON u.id = t.assignee_id
        WHERE t.patient_id = p_id AND t.status IN ('open', 'in-progress')) END,
      'notes', CASE WHEN p_notes THEN (
        SELECT coalesce(json_agg(n ORDER BY n."createdAt" DESC), '[]') FROM (
          SELECT id, body_encrypted AS body, category, author_name AS "authorName",
            created_at AS "createdAt", updated_at AS "updatedAt"
          FROM notes WHERE patient_id = p_id
          ORDER BY created_at DESC LIMIT 50) n) END,
      'care_team', (
        SELECT coalesce(json_agg(json_build_object('id', id, 'name', name, 'role', role,
          'practitionerId', practitioner_id, 'since', since)), '[]')
        FROM care_team_members WHERE patient_id = p_id),
      'touchpoints', (
        SELECT coalesce(json_agg(x.j ORDER BY x.occurred_at DESC, x.id DESC), '[]') FROM (
          SELECT json_build_object(
            'id', t.id, 'occurredAt', t.occurred_at, 'channel', t.channel,
            'direction', t.direction, 'type', t.type, 'stage', t.stage,
            'sourceSystem', t.source_system, 'outcome', t.outcome, 'summary', t.summary,
            'subjectType', t.subject_type, 'subjectId', t.subject_id) AS j,
            t.occurred_at, t.id
          FROM touchpoints t WHERE t.patient_id = p_id
          ORDER BY t.occurred_at DESC, t.id DESC LIMIT 20) x)
    )
  );
END
$$;
--> statement-breakpoint
GRANT EXECUTE ON FUNCTION careloop_patient_360(uuid, boolean, boolean, boolean) TO careloop_app;
