import { randomUUID } from 'node:crypto';
import type { PatientSummary, PortalProfile } from '@careloop/core';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { DEMO_LOGINS, useCareloop, withScreenshotOnFailure } from './harness.js';
import { verifyPortalEmail } from './portal-verify.js';

const { app, browser } = useCareloop();

async function signInToPortal(page: Page): Promise<void> {
  await page.goto(`${app.url}/portal/login`);
  await page.getByLabel('Email').fill(DEMO_LOGINS.patient.email);
  await page.getByLabel('Password').fill(DEMO_LOGINS.patient.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'My profile' }).waitFor();
}

async function myProfile(page: Page): Promise<PortalProfile> {
  const res = await page.request.get(`${app.url}/api/portal/me`);
  expect(res.status()).toBe(200);
  return (await res.json()) as PortalProfile;
}

/** Some other patient, found by a front-desk user outside the browser. */
async function anotherPatient(ownId: string): Promise<PatientSummary> {
  const login = await fetch(`${app.url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(DEMO_LOGINS.frontdesk),
  });
  const cookie = login.headers.getSetCookie().find((c) => c.startsWith('careloop_session='));
  if (!cookie) throw new Error('front desk login set no cookie');
  const res = await fetch(`${app.url}/api/patients?limit=5`, {
    headers: { cookie: cookie.split(';')[0] ?? '' },
  });
  const page = (await res.json()) as { items: PatientSummary[] };
  const other = page.items.find((p) => p.id !== ownId);
  if (!other) throw new Error('the demo seed has no second patient');
  return other;
}

describe('patient portal', () => {
  it('shows the patient their own profile and nothing of anyone else', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    await withScreenshotOnFailure(page, 'portal-own-profile', async () => {
      await signInToPortal(page);
      expect(new URL(page.url()).pathname).toBe('/portal');
      const profile = await myProfile(page);
      const name = `${profile.patient.givenName} ${profile.patient.familyName}`;
      expect(await page.getByRole('heading', { name: 'My profile' }).textContent()).toContain(name);
      await page.getByRole('heading', { name: 'Upcoming appointments' }).waitFor();

      // No staff console: no navigation, and its pages send a patient back to the portal.
      expect(await page.getByRole('link', { name: 'Patients' }).count()).toBe(0);
      await page.goto(`${app.url}/patients`);
      await page.waitForURL((url) => url.pathname === '/portal');
      await page.getByRole('heading', { name: 'My profile' }).waitFor();

      // The API refuses other records with this session's cookie.
      const other = await anotherPatient(profile.patient.id);
      const list = await page.request.get(`${app.url}/api/patients`);
      expect(list.status()).toBe(403);
      const record = await page.request.get(`${app.url}/api/patients/${other.id}`);
      expect([403, 404]).toContain(record.status());
      const timeline = await page.request.get(`${app.url}/api/patients/${other.id}/timeline`);
      expect([403, 404]).toContain(timeline.status());
      const otherName = `${other.givenName} ${other.familyName}`;
      if (otherName !== name)
        expect(await page.locator('body').textContent()).not.toContain(otherName);
    });
    await context.close();
  });

  it('keeps a changed communication preference after a reload', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    await withScreenshotOnFailure(page, 'portal-preferences', async () => {
      await signInToPortal(page);
      const toggle = page.getByRole('switch', { name: 'Marketing by SMS' });
      const before = await toggle.isChecked();
      await toggle.click();
      expect(await toggle.isChecked()).toBe(!before);
      await page.getByRole('button', { name: 'Save preferences' }).click();
      await page.getByText('Preferences saved').waitFor();

      await page.reload();
      await page.getByRole('heading', { name: 'My profile' }).waitFor();
      expect(await page.getByRole('switch', { name: 'Marketing by SMS' }).isChecked()).toBe(
        !before,
      );
      const consent = (await myProfile(page)).consents.find(
        (c) => c.channel === 'sms' && c.purpose === 'marketing',
      );
      expect(consent?.allowed).toBe(!before);
      expect(consent?.explicit).toBe(true);
    });
    await context.close();
  });

  it('lets a new patient sign up from the clinic link and land in their own portal', async () => {
    const login = await fetch(`${app.url}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(DEMO_LOGINS.frontdesk),
    });
    const { user } = (await login.json()) as { user: { orgId: string } };
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    await withScreenshotOnFailure(page, 'portal-sign-up', async () => {
      await page.goto(`${app.url}/portal/register`);
      // Without the link, sign-up names the one organization listed for it (the demo's).
      await page.getByTestId('register-organization').getByText('Demo Health').waitFor();
      await page.goto(`${app.url}/portal/register?org=${user.orgId}`);
      await page.getByLabel('Given name').fill('Wilhelmina');
      await page.getByLabel('Family name').fill('Abernathy-Sato');
      await page.getByLabel('Date of birth').fill('1987-09-14');
      const email = `w.abernathy.${randomUUID().slice(0, 8)}@example.org`;
      await page.getByLabel('Email').fill(email);
      await page.getByLabel('Mobile phone').fill('(617) 555-0188');
      await page.getByLabel(/^Password/).fill('a long passphrase 42');
      await page.getByLabel('Confirm password').fill('a long passphrase 4');
      await page.getByRole('button', { name: 'Create account' }).click();
      await page.getByText('The passwords do not match').waitFor();
      await page.getByLabel('Confirm password').fill('a long passphrase 42');
      await page.getByRole('button', { name: 'Create account' }).click();
      // Issue 13: the email is verified by the link sent to it before the portal opens.
      await verifyPortalEmail(page, app.url, email, 'a long passphrase 42');
      const heading = page.getByRole('heading', { name: 'My profile' });
      await heading.waitFor();
      expect(await heading.textContent()).toContain('Wilhelmina Abernathy-Sato');
      const profile = await myProfile(page);
      expect(profile.upcomingAppointments).toEqual([]);
    });
    await context.close();
  });
});
