import { and, desc, eq, like } from 'drizzle-orm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  outboundHtmlAad,
  outboundSubjectAad,
  outboundTextAad,
} from '../../crypto/encrypted-fields.js';
import { createTestApp, type Session, type TestApp, TestTenant } from '../../test/app.js';
import { TestClock } from '../../test/clock.js';
import { describeEachDatabase } from '../../test/databases.js';
import { outboundMessages } from '../messaging/schema.js';
import { EMAIL_VERIFICATION_TEMPLATE, PASSWORD_RESET_TEMPLATE } from './account-emails.js';

const PUBLIC_URL = 'https://crm.clinic.example';

/**
 * The account emails (portal email verification, password reset) are templates of the
 * organization, English and Spanish, written for it on first use and edited like the others:
 * what goes out is the template's text with the account's name and the one-time link.
 */
describeEachDatabase('account emails through templates', (kind) => {
  let app: TestApp;
  let tenant: TestTenant;
  let admin: Session;
  let ip = 0;
  const clock = new TestClock('2026-12-06T15:00:00Z');

  beforeAll(async () => {
    app = await createTestApp(kind, { CARELOOP_PUBLIC_URL: PUBLIC_URL }, { clock });
    await app.services.jobs.start();
    tenant = await TestTenant.create(app);
    admin = await tenant.signIn('admin');
  }, 120_000);
  afterAll(() => app?.close());

  const post = (url: string, payload: object) =>
    app.app.inject({ method: 'POST', url, payload, remoteAddress: `10.6.0.${++ip}` });

  /** The newest email to `to` whose idempotency key starts with `kind`: decrypted. */
  const lastEmail = async (to: string, kind: string) => {
    const [m] = await app.database.system((tx) =>
      tx
        .select()
        .from(outboundMessages)
        .where(
          and(
            eq(outboundMessages.recipient, to),
            like(outboundMessages.idempotencyKey, `${kind}:%`),
          ),
        )
        .orderBy(desc(outboundMessages.createdAt))
        .limit(1),
    );
    if (!m?.subjectEncrypted || !m.htmlEncrypted) throw new Error(`no ${kind} email to ${to}`);
    const { cipher } = app.services;
    return {
      subject: cipher.decrypt(m.subjectEncrypted, outboundSubjectAad(m.id, m.orgId)),
      text: cipher.decrypt(m.textEncrypted, outboundTextAad(m.id, m.orgId)),
      html: cipher.decrypt(m.htmlEncrypted, outboundHtmlAad(m.id, m.orgId)),
    };
  };

  /** The organization's template `key`: its id, listed on the Templates page. */
  const templateId = async (key: string) => {
    const res = await admin.get('/api/templates');
    expect(res.statusCode, res.body).toBe(200);
    const found = res
      .json<{ items: { id: string; key: string }[] }>()
      .items.find((t) => t.key === key);
    if (!found) throw new Error(`template ${key} not listed`);
    return found.id;
  };

  it('sends the password reset from the English template, and the text staff edit after', async () => {
    const me = await admin.get('/api/auth/me');
    const email = me.json<{ user: { email: string; displayName: string } }>().user;
    expect((await post('/api/auth/password-reset', { email: email.email })).statusCode).toBe(202);
    const first = await lastEmail(email.email, 'password-reset');
    expect(first.subject).toBe('Set a new password for Careloop');
    expect(first.text).toMatch(
      new RegExp(
        `^Hello ${email.displayName},\\n\\nSomeone asked to set a new password for your Careloop account\\. If it was you, open this link within 30 minutes:\\n\\n${PUBLIC_URL}/reset-password\\?token=\\S+\\n\\nThe link works once\\.`,
      ),
    );
    expect(first.html).toContain('<a href="https://crm.clinic.example/reset-password?token=');

    const id = await templateId(PASSWORD_RESET_TEMPLATE);
    const saved = await admin.request('PUT', `/api/templates/${id}/versions/email/en`, {
      subject: 'North Clinic: your new password',
      text: 'Dear {{account.name}}, choose a new password here: {{links.passwordReset}}',
      html: '<p>Dear {{account.name}}, <a href="{{links.passwordReset}}">choose one</a>.</p>',
    });
    expect(saved.statusCode, saved.body).toBe(200);
    clock.advance(60_000);
    expect((await post('/api/auth/password-reset', { email: email.email })).statusCode).toBe(202);
    const edited = await lastEmail(email.email, 'password-reset');
    expect(edited.subject).toBe('North Clinic: your new password');
    expect(edited.text).toMatch(
      new RegExp(
        `^Dear ${email.displayName}, choose a new password here: ${PUBLIC_URL}/reset-password\\?token=\\S+$`,
      ),
    );
  });

  it('sends a Spanish sign-up the Spanish verification template, and the edited one on resend', async () => {
    const address = 'lucia.verde@example.org';
    const res = await post('/api/portal/register', {
      organizationId: tenant.orgId,
      password: 'a long passphrase 42',
      givenName: 'Lucía',
      familyName: 'Verde',
      birthDate: '1985-04-12',
      email: address,
      language: 'es',
    });
    expect(res.statusCode, res.body).toBe(202);
    const sent = await lastEmail(address, 'email-verification');
    expect(sent.subject).toBe('Confirme su correo electrónico para el portal del paciente');
    expect(sent.text).toMatch(
      new RegExp(
        `^Hola Lucía Verde:\\n\\nConfirme que esta es su dirección de correo electrónico abriendo este enlace en las próximas 24 horas:\\n\\n${PUBLIC_URL}/portal/verify-email\\?token=\\S+\\n\\nEl enlace funciona una sola vez\\.`,
      ),
    );

    const id = await templateId(EMAIL_VERIFICATION_TEMPLATE);
    const saved = await admin.request('PUT', `/api/templates/${id}/versions/email/es`, {
      subject: 'Clínica Norte: confirme su correo',
      text: '{{account.name}}, confirme aquí: {{links.verifyEmail}}',
      html: '<p>{{account.name}}, <a href="{{links.verifyEmail}}">confirme aquí</a>.</p>',
    });
    expect(saved.statusCode, saved.body).toBe(200);
    const signIn = await post('/api/auth/login', {
      email: address,
      password: 'a long passphrase 42',
    });
    expect(signIn.statusCode, signIn.body).toBe(200);
    const cookie = signIn.cookies.find((c) => c.name === 'careloop_session');
    const csrf = signIn.json<{ csrfToken: string }>().csrfToken;
    clock.advance(60_000);
    const resent = await app.app.inject({
      method: 'POST',
      url: '/api/portal/verify-email/resend',
      headers: { cookie: `careloop_session=${cookie?.value}`, 'x-csrf-token': csrf },
      remoteAddress: `10.6.0.${++ip}`,
    });
    expect(resent.statusCode, resent.body).toBe(202);
    const again = await lastEmail(address, 'email-verification');
    expect(again.subject).toBe('Clínica Norte: confirme su correo');
    expect(again.text).toMatch(
      new RegExp(`^Lucía Verde, confirme aquí: ${PUBLIC_URL}/portal/verify-email\\?token=\\S+$`),
    );
  });
});
