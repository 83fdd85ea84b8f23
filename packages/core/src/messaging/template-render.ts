/**
 * Message templates (issue 11): a small mustache-like language, `{{ path }}` and nothing else
 * (no sections, no partials, no raw output), so a template cannot run code or reach a value it
 * did not name. Every field is known in advance: an unknown one is refused when the template
 * is saved, never discovered when a patient's message is rendered.
 */

/** The merge fields a template may use, with what each holds. */
export const MERGE_FIELDS = {
  'patient.firstName': 'The name the patient goes by (preferred name, else given name)',
  'patient.lastName': 'Family name',
  'appointment.start': 'Date and time, in the patient’s time zone and language',
  'appointment.date': 'Date, in the patient’s time zone and language',
  'appointment.time': 'Time of day, in the patient’s time zone and language',
  'practitioner.name': 'The practitioner’s display name',
  'location.name': 'The location’s name',
  'location.address': 'The location’s street and city',
  'location.phone': 'The location’s phone number',
  'organization.name': 'The organization’s name',
  'links.confirm': 'A link that confirms the appointment',
  'links.reschedule': 'A link to reschedule the appointment',
  'links.portal': 'The patient portal',
  'links.survey': 'The post-visit survey',
} as const;
export type MergeField = keyof typeof MERGE_FIELDS;

/**
 * Fields that name clinical data. They are known (so the error says why) but refused in every
 * email and SMS body: a message may be read on a lock screen or by whoever shares the inbox.
 */
export const CLINICAL_FIELDS = [
  'appointment.reason',
  'encounter.reason',
  'patient.conditions',
  'patient.medications',
  'patient.results',
  'patient.notes',
  'note.text',
  'result.value',
  'medication.name',
  'condition.name',
] as const;
export type ClinicalField = (typeof CLINICAL_FIELDS)[number];

export type TemplatePart = { kind: 'text'; text: string } | { kind: 'field'; field: MergeField };

export type TemplateIssue =
  | { code: 'unknown-field'; field: string; message: string }
  | { code: 'clinical-field'; field: string; message: string }
  | { code: 'unclosed-tag'; field: string; message: string };

const TAG = /\{\{\s*([^{}]*?)\s*\}\}/g;

export function isMergeField(name: string): name is MergeField {
  return Object.hasOwn(MERGE_FIELDS, name);
}

function isClinicalField(name: string): boolean {
  return (CLINICAL_FIELDS as readonly string[]).includes(name);
}

/** The field names a body uses, in order, whatever they are. */
export function fieldsIn(body: string): string[] {
  return [...body.matchAll(TAG)].map((m) => m[1] ?? '');
}

/** Parses a body into text and fields, or the issues that make it unusable. */
export function parseTemplate(
  body: string,
): { ok: true; parts: TemplatePart[] } | { ok: false; issues: TemplateIssue[] } {
  const parts: TemplatePart[] = [];
  const issues: TemplateIssue[] = [];
  let last = 0;
  for (const match of body.matchAll(TAG)) {
    const name = match[1] ?? '';
    const at = match.index;
    if (at > last) parts.push({ kind: 'text', text: body.slice(last, at) });
    last = at + match[0].length;
    if (isMergeField(name)) parts.push({ kind: 'field', field: name });
    else if (isClinicalField(name))
      issues.push({
        code: 'clinical-field',
        field: name,
        message: `{{${name}}} is clinical detail, which email and SMS may not carry`,
      });
    else issues.push({ code: 'unknown-field', field: name, message: `unknown field {{${name}}}` });
  }
  const rest = body.slice(last);
  if (rest.includes('{{'))
    issues.push({ code: 'unclosed-tag', field: '{{', message: 'a {{ without its }}' });
  if (rest) parts.push({ kind: 'text', text: rest });
  return issues.length > 0 ? { ok: false, issues } : { ok: true, parts };
}

/** Values for the fields; a missing one renders as an empty string. */
export type MergeValues = Partial<Record<MergeField, string>>;

const HTML_ESCAPES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c] ?? c);
}

/**
 * Renders a body. In `html` mode every value is escaped (a patient named `<script>` stays
 * text); the template's own markup is the author's. Throws on a body that does not parse:
 * templates are checked when saved, so that is a defect, not an input error.
 */
export function renderTemplate(body: string, values: MergeValues, mode: 'text' | 'html'): string {
  const parsed = parseTemplate(body);
  if (!parsed.ok) throw new Error(`template does not parse: ${parsed.issues[0]?.code}`);
  return parsed.parts
    .map((part) => {
      if (part.kind === 'text') return part.text;
      const value = values[part.field] ?? '';
      return mode === 'html' ? escapeHtml(value) : value;
    })
    .join('');
}
