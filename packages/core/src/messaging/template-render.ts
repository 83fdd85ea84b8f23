/**
 * Message templates (issue 11): a small mustache-like language, `{{ path }}` and one kind of
 * section, `{{#path}}…{{/path}}` (shown only when the field has a value) and its inverse
 * `{{^path}}…{{/path}}` (only when it has none), so that "at {{location.name}}" can be left out
 * for an appointment an EHR sent without a location. No loops, partials or raw output: a
 * template cannot run code or reach a value it did not name. Every field is known in advance:
 * an unknown one is refused when the template is saved, never discovered when a patient's
 * message is rendered.
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
  // Issue 11: waitlist offers (a time and a link: nothing clinical).
  'offer.start': 'The offered time, in the patient’s time zone and language',
  'offer.expires': 'When the offer ends (time of day, in the patient’s time zone)',
  'links.offer': 'The link that books a waitlist offer (no sign-in needed)',
  // Issue 11 (h11r): "R" to a reminder offers open slots by text.
  'offer.choices': 'The offered times, numbered 1) 2) 3), in the patient’s time zone and language',
  // Issue 11 (h11d): account emails (email verification, password reset).
  'account.name': 'The account holder’s display name (account emails)',
  'links.verifyEmail': 'The one-time link that confirms a portal sign-up’s email (24 hours)',
  'links.passwordReset': 'The one-time link that sets a new password (30 minutes)',
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

export type TemplatePart =
  | { kind: 'text'; text: string }
  | { kind: 'field'; field: MergeField }
  /** Its parts, shown when the field has a value (or, `inverted`, when it has none). */
  | { kind: 'section'; field: MergeField; inverted: boolean; parts: TemplatePart[] };

export type TemplateIssue =
  | { code: 'unknown-field'; field: string; message: string }
  | { code: 'clinical-field'; field: string; message: string }
  | { code: 'unclosed-tag'; field: string; message: string }
  | { code: 'unclosed-section'; field: string; message: string };

const TAG = /\{\{\s*([^{}]*?)\s*\}\}/g;

export function isMergeField(name: string): name is MergeField {
  return Object.hasOwn(MERGE_FIELDS, name);
}

function isClinicalField(name: string): boolean {
  return (CLINICAL_FIELDS as readonly string[]).includes(name);
}

/** The field names a body uses, in order, whatever they are (a section's name without `#`). */
export function fieldsIn(body: string): string[] {
  return [...body.matchAll(TAG)].map((m) => (m[1] ?? '').replace(/^[#^/]\s*/, ''));
}

function fieldIssue(name: string): TemplateIssue {
  return isClinicalField(name)
    ? {
        code: 'clinical-field',
        field: name,
        message: `{{${name}}} is clinical detail, which email and SMS may not carry`,
      }
    : { code: 'unknown-field', field: name, message: `unknown field {{${name}}}` };
}

interface OpenSection {
  field: string;
  inverted: boolean;
  parts: TemplatePart[];
}

/** Parses a body into text, fields and sections, or the issues that make it unusable. */
export function parseTemplate(
  body: string,
): { ok: true; parts: TemplatePart[] } | { ok: false; issues: TemplateIssue[] } {
  const root: TemplatePart[] = [];
  const open: OpenSection[] = [];
  const issues: TemplateIssue[] = [];
  const current = () => open.at(-1)?.parts ?? root;
  let last = 0;
  for (const match of body.matchAll(TAG)) {
    const tag = match[1] ?? '';
    const at = match.index;
    if (at > last) current().push({ kind: 'text', text: body.slice(last, at) });
    last = at + match[0].length;
    const sigil = tag[0];
    const name = sigil === '#' || sigil === '^' || sigil === '/' ? tag.slice(1).trim() : tag;
    if (!isMergeField(name)) {
      issues.push(fieldIssue(name));
      continue;
    }
    if (sigil === '#' || sigil === '^') {
      open.push({ field: name, inverted: sigil === '^', parts: [] });
    } else if (sigil === '/') {
      const section = open.pop();
      if (!section || section.field !== name) {
        issues.push({
          code: 'unclosed-section',
          field: name,
          message: section
            ? `{{/${name}}} closes {{#${section.field}}}: close the inner section first`
            : `{{/${name}}} closes no section`,
        });
        if (section) open.push(section);
        continue;
      }
      current().push({
        kind: 'section',
        field: name,
        inverted: section.inverted,
        parts: section.parts,
      });
    } else {
      current().push({ kind: 'field', field: name });
    }
  }
  const rest = body.slice(last);
  if (rest.includes('{{'))
    issues.push({ code: 'unclosed-tag', field: '{{', message: 'a {{ without its }}' });
  if (rest) current().push({ kind: 'text', text: rest });
  for (const section of open)
    issues.push({
      code: 'unclosed-section',
      field: section.field,
      message: `{{${section.inverted ? '^' : '#'}${section.field}}} without its {{/${section.field}}}`,
    });
  return issues.length > 0 ? { ok: false, issues } : { ok: true, parts: root };
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
  return renderParts(parsed.parts, values, mode);
}

function renderParts(parts: TemplatePart[], values: MergeValues, mode: 'text' | 'html'): string {
  return parts
    .map((part) => {
      if (part.kind === 'text') return part.text;
      const value = values[part.field] ?? '';
      if (part.kind === 'section') {
        const shown = value.trim().length > 0 !== part.inverted;
        return shown ? renderParts(part.parts, values, mode) : '';
      }
      return mode === 'html' ? escapeHtml(value) : value;
    })
    .join('');
}
