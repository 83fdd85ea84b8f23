import { parseTemplate, type TemplateIssue } from './template-render.js';

/**
 * A channel a template has a version for. `portal`: a secure message posted into the patient's
 * portal thread (docs/adr/0046); a template without a portal version posts its email text.
 */
export const TEMPLATE_CHANNELS = ['email', 'sms', 'portal'] as const;
export type TemplateChannel = (typeof TEMPLATE_CHANNELS)[number];

/** A template's purpose decides which consent a send needs (and marketing needs an opt-in). */
export const TEMPLATE_PURPOSES = ['treatment', 'operations', 'marketing'] as const;
export type TemplatePurpose = (typeof TEMPLATE_PURPOSES)[number];

export const TEMPLATE_LANGUAGES = ['en', 'es'] as const;
export type TemplateLanguage = (typeof TEMPLATE_LANGUAGES)[number];

export interface TemplateBodies {
  subject?: string | null;
  text: string;
  html?: string | null;
}

export type TemplateError = TemplateIssue & { path: 'subject' | 'text' | 'html' };
export interface TemplateWarning {
  path: 'subject' | 'text' | 'html';
  word: string;
  message: string;
}

/**
 * Words that usually mean clinical detail in a message body. A warning, not an error: "test"
 * may be a COVID test or a test message; a person reads the warning and decides.
 */
const CLINICAL_WORDS = [
  'diagnosis',
  'diagnosed',
  'condition',
  'result',
  'results',
  'positive',
  'negative',
  'biopsy',
  'cancer',
  'tumor',
  'hiv',
  'std',
  'sti',
  'pregnancy',
  'pregnant',
  'abortion',
  'prescription',
  'medication',
  'dose',
  'chemotherapy',
  'dialysis',
  'psychiatric',
  'depression',
  'diabetes',
  'overdose',
  'diagnóstico',
  'resultado',
  'resultados',
  'embarazo',
  'medicamento',
  'receta',
] as const;

function wordsOf(text: string): string[] {
  return text.toLowerCase().match(/\p{L}+/gu) ?? [];
}

/**
 * Checks a template version before it is saved: errors block the save (an unknown field, a
 * clinical field, an SMS or portal version with a subject or HTML), warnings are shown.
 * Clinical words are warned about in email and SMS only: a portal message is read after the
 * patient signs in, behind the portal's own access control, not on a lock screen or in a
 * shared mailbox, so clinical detail may be written there (docs/adr/0046). Clinical merge
 * fields stay refused on every channel: no message renders clinical data from the record.
 */
export function lintTemplate(
  channel: TemplateChannel,
  bodies: TemplateBodies,
): { errors: TemplateError[]; warnings: TemplateWarning[] } {
  const errors: TemplateError[] = [];
  const warnings: TemplateWarning[] = [];
  const parts: ['subject' | 'text' | 'html', string | null | undefined][] = [
    ['subject', bodies.subject],
    ['text', bodies.text],
    ['html', bodies.html],
  ];
  for (const [path, body] of parts) {
    if (body === null || body === undefined) continue;
    const parsed = parseTemplate(body);
    if (!parsed.ok)
      errors.push(
        ...parsed.issues.map((issue) =>
          channel === 'portal' && issue.code === 'clinical-field'
            ? {
                ...issue,
                path,
                message: `{{${issue.field}}} is clinical detail, which no template merges from the record: write it in the portal message itself`,
              }
            : { ...issue, path },
        ),
      );
    if (channel === 'portal') continue;
    const words = new Set(wordsOf(body.replace(/\{\{[^{}]*\}\}/g, ' ')));
    for (const word of CLINICAL_WORDS)
      if (words.has(word))
        warnings.push({ path, word, message: `“${word}” may be clinical detail` });
  }
  if (channel === 'sms' || channel === 'portal') {
    const what = channel === 'sms' ? 'an SMS' : 'a portal message';
    if (bodies.subject)
      errors.push({
        path: 'subject',
        code: 'unknown-field',
        field: 'subject',
        message: `${what} has no subject`,
      });
    if (bodies.html)
      errors.push({
        path: 'html',
        code: 'unknown-field',
        field: 'html',
        message: `${what} has no HTML body`,
      });
  } else if (!bodies.subject?.trim()) {
    errors.push({
      path: 'subject',
      code: 'unknown-field',
      field: 'subject',
      message: 'an email needs a subject',
    });
  }
  if (!bodies.text.trim())
    errors.push({
      path: 'text',
      code: 'unknown-field',
      field: 'text',
      message: 'the text is empty',
    });
  return { errors, warnings };
}
