-- Minimum necessary (docs/adr/0011): a touchpoint carries a non-clinical summary every role
-- may read beside the summary that may name a diagnosis or a reason for care.
-- careloop_touchpoint_label is touchpointLabel (packages/core/src/patients/touchpoint-label.ts)
-- in SQL, to fill the rows written before this column existed; touchpoint-label.test.ts holds
-- the two equal.
CREATE FUNCTION careloop_touchpoint_label(p_type text, p_channel text)
  RETURNS text
  LANGUAGE sql IMMUTABLE
  AS $$
  SELECT CASE WHEN p_channel = 'system' THEN base
              ELSE base || ' (' || replace(p_channel, '-', ' ') || ')' END
  FROM (
    SELECT coalesce(CASE p_type
      WHEN 'patient.registered' THEN 'Registered'
      WHEN 'patient.updated' THEN 'Record updated'
      WHEN 'patient.merged' THEN 'Duplicate record merged'
      WHEN 'patient.unmerged' THEN 'Merge undone'
      WHEN 'encounter.admitted' THEN 'Admitted to hospital'
      WHEN 'encounter.registered' THEN 'Visit registered'
      WHEN 'encounter.discharged' THEN 'Discharged from hospital'
      WHEN 'encounter.cancelled' THEN 'Visit cancelled'
      WHEN 'encounter.discharge-cancelled' THEN 'Discharge cancelled'
      WHEN 'consent.withdrawn' THEN 'Consent withdrawn'
      WHEN 'noshow.outreach' THEN 'Missed appointment outreach'
      WHEN 'transition.call' THEN 'Transitional care call'
      WHEN 'note.added' THEN 'Care-team note added'
      END, CASE WHEN rest = '' THEN noun ELSE noun || ' ' || rest END) AS base
    FROM (
      SELECT coalesce(CASE head
        WHEN 'appointment' THEN 'Appointment'
        WHEN 'visit' THEN 'Visit'
        WHEN 'encounter' THEN 'Visit'
        WHEN 'communication' THEN 'Message'
        WHEN 'task' THEN 'Task'
        WHEN 'note' THEN 'Care-team note'
        WHEN 'consent' THEN 'Consent'
        WHEN 'preferences' THEN 'Preferences'
        WHEN 'claim' THEN 'Claim'
        WHEN 'questionnaire' THEN 'Questionnaire'
        WHEN 'survey' THEN 'Survey'
        WHEN 'statement' THEN 'Statement'
        WHEN 'campaign' THEN 'Campaign'
        WHEN 'patient' THEN 'Record'
        END, upper(left(head, 1)) || substr(head, 2)) AS noun, rest
      FROM (
        SELECT split_part(p_type, '.', 1) AS head,
          CASE WHEN strpos(p_type, '.') = 0 THEN ''
               ELSE translate(substr(p_type, strpos(p_type, '.') + 1), '-_.', '   ') END AS rest
      ) parts
    ) named
  ) labelled
$$;
--> statement-breakpoint
GRANT EXECUTE ON FUNCTION careloop_touchpoint_label(text, text) TO careloop_app;
--> statement-breakpoint
ALTER TABLE "touchpoints" ADD COLUMN "non_clinical_summary" text;
--> statement-breakpoint
UPDATE "touchpoints" SET "non_clinical_summary" = careloop_touchpoint_label("type", "channel");
--> statement-breakpoint
ALTER TABLE "touchpoints" ALTER COLUMN "non_clinical_summary" SET NOT NULL;
--> statement-breakpoint
-- The 360 view's touchpoints carry both summaries; the server picks one per role on the way out.
-- It keeps 0012's sealed appointment reasons and task descriptions.
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
            'nonClinicalSummary', t.non_clinical_summary,
            'subjectType', t.subject_type, 'subjectId', t.subject_id) AS j,
            t.occurred_at, t.id
          FROM touchpoints t WHERE t.patient_id = p_id
          ORDER BY t.occurred_at DESC, t.id DESC LIMIT 20) x)
    )
  );
END
$$;
