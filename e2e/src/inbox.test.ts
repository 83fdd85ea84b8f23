import { randomBytes } from 'node:crypto';
// Issue 11: a patient's portal message with an attachment reaches the shared inbox; the front
// desk assigns it and answers with a quick reply; the patient sees the answer as new. Both
// pages are checked by axe on the way.
import type { Conversation, PortalProfile, PortalThreadSummary } from '@careloop/core';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { axeViolations, describeFindings, failing, settle } from './a11y-axe.js';
import { useCareloop, withScreenshotOnFailure } from './harness.js';

const { app, browser, signIn, apiSession } = useCareloop();

/** A one-page PDF's bytes: what the server sniffs is the `%PDF-` header. */
const PDF = Buffer.from(
  '%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n',
);

async function axe(page: Page, where: string): Promise<string> {
  await settle(page);
  const findings = failing(await axeViolations(page));
  return findings.length > 0 ? describeFindings(where, findings) : '';
}

describe('the shared inbox and portal messages', () => {
  it('carries a portal message with an attachment to the inbox and a quick reply back, unread', async () => {
    const options = { viewport: { width: 1400, height: 900 }, bypassCSP: true };
    const patientContext = await browser.newContext(options);
    const staffContext = await browser.newContext(options);
    const patient = await patientContext.newPage();
    const staff = await staffContext.newPage();
    const report: string[] = [];
    const words = `Here is my new insurance card (${randomBytes(4).toString('hex')})`;

    await withScreenshotOnFailure(patient, 'inbox-portal-send', async () => {
      await signIn(patient, 'patient', '/portal/login');
      await patient.getByRole('heading', { name: /My profile/ }).waitFor();
      await patient.getByRole('link', { name: 'Messages' }).click();
      await patient.getByRole('heading', { name: 'Messages' }).waitFor();
      report.push(await axe(patient, 'portal messages'));
      await patient.getByRole('button', { name: 'New message' }).click();
      await patient.getByLabel('New message to your care team').fill(words);
      await patient.locator('input[type="file"]').setInputFiles({
        name: 'insurance-card.pdf',
        mimeType: 'application/pdf',
        buffer: PDF,
      });
      await patient.getByRole('button', { name: 'Send', exact: true }).click();
      await patient.getByTestId('portal-message').filter({ hasText: words }).waitFor();
      await patient.getByRole('link', { name: 'insurance-card.pdf' }).waitFor();
    });

    const me = await patient.request.get(`${app.url}/api/portal/me`);
    const profile = (await me.json()) as PortalProfile;
    const name = `${profile.patient.givenName} ${profile.patient.familyName}`;

    await withScreenshotOnFailure(staff, 'inbox-staff-reply', async () => {
      await signIn(staff, 'frontdesk', '/login');
      await staff
        .getByRole('navigation', { name: 'Main navigation' })
        .getByRole('link', { name: 'Inbox' })
        .click();
      await staff.getByRole('heading', { name: 'Inbox', level: 1 }).waitFor();
      // The demo patient has an answered portal thread of the demo's already: theirs is unread.
      const row = staff
        .getByTestId('inbox-conversation')
        .filter({ hasText: name })
        .filter({ hasText: 'Portal' })
        .filter({ has: staff.getByLabel('1 unread') });
      await row.first().click();
      await staff.getByTestId('inbox-entry-patient').filter({ hasText: words }).waitFor();
      await staff.getByRole('link', { name: /insurance-card\.pdf/ }).waitFor();
      report.push(await axe(staff, 'inbox with a conversation'));
      await staff.getByRole('button', { name: 'Assign to me' }).click();
      await expect
        .poll(() => staff.getByRole('button', { name: 'Assign to me' }).isDisabled())
        .toBe(true);
      await staff.getByRole('combobox', { name: 'Quick reply' }).click();
      await staff.getByRole('option').first().click();
      await staff.getByRole('button', { name: 'Send quick reply' }).click();
      await staff.getByTestId('inbox-entry-staff').first().waitFor();
    });

    await withScreenshotOnFailure(patient, 'inbox-portal-unread', async () => {
      await patient.reload();
      // Newest first: the thread just answered, among the demo's own (which may be unread too).
      const thread = patient.getByTestId('portal-thread').first();
      await thread.getByTestId('portal-thread-unread').waitFor();
      expect(await thread.getByTestId('portal-thread-unread').textContent()).toBe('1 new');
      await thread.click();
      await patient.getByTestId('portal-message').filter({ hasText: words }).waitFor();
      await patient.getByTestId('portal-message-new').first().waitFor();
      expect(report.filter(Boolean).join('\n')).toBe('');
    });
    await patientContext.close();
    await staffContext.close();
  });

  // Issue 11 (docs/adr/0046): a journey sends by the portal; the running server's workers take
  // the step and post it into the patient's thread, at any hour (quiet hours hold only the notice).
  it("shows a journey's portal message to the patient, who reads it there", async () => {
    const tag = randomBytes(4).toString('hex');
    const text = `Your A1c result is back and in range (${tag}).`;
    const admin = await apiSession('admin');
    const call = async (method: string, path: string, body?: unknown) => {
      const res = await fetch(`${app.url}${path}`, {
        method,
        headers: {
          cookie: admin.cookie,
          'x-csrf-token': admin.csrfToken,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const answer = await res.text();
      expect(res.status, `${method} ${path}: ${answer}`).toBeLessThan(300);
      return answer ? (JSON.parse(answer) as { id: string }) : null;
    };
    const template = await call('POST', '/api/templates', {
      key: `lab-news-${tag}`,
      name: `Lab news ${tag}`,
      purpose: 'treatment',
    });
    // A portal version only: the clinical words it carries may be written for the portal.
    await call('PUT', `/api/templates/${template?.id}/versions/portal/en`, { text });
    const journey = await call('POST', '/api/journeys', {
      definition: {
        key: `lab-news-${tag}`,
        name: `Lab news ${tag}`,
        trigger: { kind: 'manual' },
        reentry: 'always',
        entry: 'tell',
        nodes: [
          {
            id: 'tell',
            type: 'action',
            action: {
              kind: 'send',
              channel: 'portal',
              template: `lab-news-${tag}`,
              purpose: 'treatment',
              validFor: { kind: 'duration', minutes: 60 },
            },
            next: 'done',
          },
          { id: 'done', type: 'exit' },
        ],
      },
    });
    await call('POST', `/api/journeys/${journey?.id}/publish`);
    const patientApi = await apiSession('patient');
    const me = await fetch(`${app.url}/api/portal/me`, { headers: { cookie: patientApi.cookie } });
    const profile = (await me.json()) as PortalProfile;
    await call('POST', `/api/journeys/${journey?.id}/enrolments`, {
      patientId: profile.patient.id,
    });

    const page = await (
      await browser.newContext({ viewport: { width: 1280, height: 900 }, bypassCSP: true })
    ).newPage();
    await withScreenshotOnFailure(page, 'portal-journey-message', async () => {
      await signIn(page, 'patient', '/portal/login');
      await page.getByRole('heading', { name: /My profile/ }).waitFor();
      // The worker posts it within seconds: the newest thread shows it as new.
      const message = page.getByTestId('portal-message').filter({ hasText: text });
      await expect
        .poll(
          async () => {
            await page.goto(`${app.url}/portal/messages`);
            await page.getByRole('heading', { name: 'Messages' }).waitFor();
            const thread = page.getByTestId('portal-thread').first();
            await thread.waitFor();
            if ((await thread.getByTestId('portal-thread-unread').count()) === 0) return false;
            await thread.click();
            await page.getByTestId('portal-message').first().waitFor();
            return (await message.count()) === 1;
          },
          { timeout: 60_000, interval: 1_000 },
        )
        .toBe(true);
      await message.getByTestId('portal-message-new').waitFor();
      expect(await axe(page, 'portal thread with a journey message')).toBe('');
    });
    // Read: the care team sees it read by the patient.
    const threads = await fetch(`${app.url}/api/portal/threads`, {
      headers: { cookie: patientApi.cookie },
    });
    const [thread] = ((await threads.json()) as { items: PortalThreadSummary[] }).items;
    const staff = await apiSession('frontdesk');
    const conversation = await fetch(`${app.url}/api/inbox/conversations/${thread?.id}`, {
      headers: { cookie: staff.cookie },
    });
    const entry = ((await conversation.json()) as Conversation).entries.find(
      (e) => e.body === text,
    );
    expect(entry).toMatchObject({ kind: 'staff', authorName: null });
    expect(entry?.readAt).not.toBeNull();
    await page.context().close();
  });
});
