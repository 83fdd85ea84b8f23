import { type MergeValues, renderTemplate, type TemplateLanguage } from '@careloop/core';
import { and, eq } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import type { TemplateSeed } from './ready.js';
import { messageTemplates, messageTemplateVersions } from './schema.js';
// A cycle with service.ts, which re-exports this file: only called, never read at load.
import { ensureTemplates } from './service.js';

/** The email that confirms a portal sign-up's address (auth/email-verification.ts). */
export const EMAIL_VERIFICATION_TEMPLATE = 'account-email-verification';
/** The email with a password reset link, for staff and patients (auth/password-reset.ts). */
export const PASSWORD_RESET_TEMPLATE = 'account-password-reset';

const verification = (
  subject: string,
  hello: string,
  body: string,
  button: string,
  after: string,
) => ({
  subject,
  text: [hello, '', body, '', '{{links.verifyEmail}}', '', after].join('\n'),
  html: `<p>${hello}</p>\n<p>${body}</p>\n<p><a href="{{links.verifyEmail}}">${button}</a></p>\n<p>{{links.verifyEmail}}</p>\n<p>${after}</p>`,
});

const reset = (subject: string, hello: string, body: string, button: string, after: string) => ({
  subject,
  text: [hello, '', body, '', '{{links.passwordReset}}', '', after].join('\n'),
  html: `<p>${hello}</p>\n<p>${body}</p>\n<p><a href="{{links.passwordReset}}">${button}</a></p>\n<p>${after}</p>`,
});

/**
 * The account emails' text (issue 11: no email text in code), English and Spanish. Each
 * organization gets them as templates the first time it sends one; staff edit them in the
 * console like the others. Their purpose is operations: they go to an account, not a patient,
 * and no send-time consent check applies (the outbox's `account` purpose).
 */
export const ACCOUNT_TEMPLATES: readonly TemplateSeed[] = [
  {
    key: EMAIL_VERIFICATION_TEMPLATE,
    name: 'Account: confirm the email of a portal sign-up',
    purpose: 'operations',
    description:
      'Sent when a patient signs up in the portal, and when they ask for the link again.',
    versions: [
      {
        channel: 'email',
        language: 'en',
        body: verification(
          'Confirm your email for the patient portal',
          'Hello {{account.name}},',
          'Please confirm this is your email address by opening this link within 24 hours:',
          'Confirm my email',
          'The link works once. Until you open it you cannot book visits or send messages in the portal. If you did not sign up, ignore this email.',
        ),
      },
      {
        channel: 'email',
        language: 'es',
        body: verification(
          'Confirme su correo electrónico para el portal del paciente',
          'Hola {{account.name}}:',
          'Confirme que esta es su dirección de correo electrónico abriendo este enlace en las próximas 24 horas:',
          'Confirmar mi correo',
          'El enlace funciona una sola vez. Hasta que lo abra no podrá reservar citas ni enviar mensajes en el portal. Si usted no se registró, ignore este correo.',
        ),
      },
    ],
  },
  {
    key: PASSWORD_RESET_TEMPLATE,
    name: 'Account: set a new password',
    purpose: 'operations',
    description: '“Forgot password?” on the console’s and the portal’s sign-in pages.',
    versions: [
      {
        channel: 'email',
        language: 'en',
        body: reset(
          'Set a new password for Careloop',
          'Hello {{account.name}},',
          'Someone asked to set a new password for your Careloop account. If it was you, open this link within 30 minutes:',
          'Set a new password',
          'The link works once. If it was not you, ignore this email: your password stays as it is.',
        ),
      },
      {
        channel: 'email',
        language: 'es',
        body: reset(
          'Cree una contraseña nueva para Careloop',
          'Hola {{account.name}}:',
          'Alguien pidió crear una contraseña nueva para su cuenta de Careloop. Si fue usted, abra este enlace en los próximos 30 minutos:',
          'Crear una contraseña nueva',
          'El enlace funciona una sola vez. Si no fue usted, ignore este correo: su contraseña no cambia.',
        ),
      },
    ],
  },
];

/** An account email as the outbox takes it. */
export interface AccountEmail {
  subject: string;
  text: string;
  html: string;
}

/**
 * An account email rendered from the organization's template `key` in `language` (else its
 * English version), with the account holder's name and the link. The templates are written
 * for the organization first if it has none yet (staff may have edited them since).
 */
export async function accountEmail(
  tx: Db,
  input: {
    orgId: string;
    key: typeof EMAIL_VERIFICATION_TEMPLATE | typeof PASSWORD_RESET_TEMPLATE;
    language: TemplateLanguage;
    name: string;
    link: string;
    now: Date;
  },
): Promise<AccountEmail> {
  const seed = ACCOUNT_TEMPLATES.find((t) => t.key === input.key);
  if (!seed) throw new Error(`no account template ${input.key}`);
  await ensureTemplates(tx, input.orgId, [seed], input.now);
  const versions = await tx
    .select({
      language: messageTemplateVersions.language,
      subject: messageTemplateVersions.subject,
      textBody: messageTemplateVersions.textBody,
      htmlBody: messageTemplateVersions.htmlBody,
    })
    .from(messageTemplateVersions)
    .innerJoin(messageTemplates, eq(messageTemplates.id, messageTemplateVersions.templateId))
    .where(
      and(
        eq(messageTemplates.orgId, input.orgId),
        eq(messageTemplates.key, input.key),
        eq(messageTemplateVersions.channel, 'email'),
      ),
    );
  const version =
    versions.find((v) => v.language === input.language) ??
    versions.find((v) => v.language === 'en');
  if (!version) throw new Error(`account template ${input.key} has no email version`);
  const values: MergeValues =
    input.key === EMAIL_VERIFICATION_TEMPLATE
      ? { 'account.name': input.name, 'links.verifyEmail': input.link }
      : { 'account.name': input.name, 'links.passwordReset': input.link };
  return {
    subject: renderTemplate(version.subject ?? '', values, 'text'),
    text: renderTemplate(version.textBody, values, 'text'),
    html: version.htmlBody ? renderTemplate(version.htmlBody, values, 'html') : '',
  };
}
