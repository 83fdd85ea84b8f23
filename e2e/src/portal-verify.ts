import type { Page } from 'playwright-core';
import { expect } from 'vitest';
import { DEMO_LOGINS } from './harness.js';

/** The verification link in the newest email to `to`, read from the Test mailbox as the admin. */
export async function verificationLinkInMailbox(appUrl: string, to: string): Promise<string> {
  const login = await fetch(`${appUrl}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(DEMO_LOGINS.admin),
  });
  expect(login.status).toBe(200);
  const cookie = login.headers.getSetCookie().find((c) => c.startsWith('careloop_session='));
  if (!cookie) throw new Error('login set no session cookie');
  // The worker sends within its polling interval (2 s); the mailbox shows what it received.
  for (let tries = 0; tries < 40; tries++) {
    const res = await fetch(`${appUrl}/api/mailbox/messages?to=${encodeURIComponent(to)}`, {
      headers: { cookie: cookie.split(';')[0] ?? '' },
    });
    expect(res.status).toBe(200);
    const { items } = (await res.json()) as { items: { text: string }[] };
    for (const message of items) {
      const link = /https?:\/\/\S+\/portal\/verify-email\?token=\S+/.exec(message.text)?.[0];
      if (link) return link;
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error(`no verification email to ${to} in the test mailbox`);
}

/**
 * After a sign-up: the portal shows "check your email"; the patient opens the emailed link,
 * confirms, and signs in again to their portal.
 */
export async function verifyPortalEmail(
  page: Page,
  appUrl: string,
  email: string,
  password: string,
): Promise<void> {
  await page.getByRole('heading', { name: 'Check your email' }).waitFor();
  const link = await verificationLinkInMailbox(appUrl, email);
  expect(link.startsWith(`${appUrl}/portal/verify-email?token=`)).toBe(true);
  await page.goto(link);
  await page.getByRole('button', { name: 'Confirm my email' }).click();
  await page.getByText('Your email is verified').waitFor();
  await page.getByRole('link', { name: 'Sign in' }).click();
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL((url) => url.pathname === '/portal');
}

/** The demo organization's id, read from its front desk's sign-in: its portal sign-up link. */
export async function demoOrgId(appUrl: string): Promise<string> {
  const login = await fetch(`${appUrl}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(DEMO_LOGINS.frontdesk),
  });
  expect(login.status).toBe(200);
  return ((await login.json()) as { user: { orgId: string } }).user.orgId;
}

/** Who signs up in the portal. */
export interface PortalSignUp {
  givenName: string;
  familyName: string;
  birthDate: string;
  email: string;
  password: string;
}

/** Fills the organization's portal sign-up form and creates the account. */
export async function signUpInPortal(
  page: Page,
  appUrl: string,
  orgId: string,
  who: PortalSignUp,
): Promise<void> {
  await page.goto(`${appUrl}/portal/register?org=${orgId}`);
  await page.getByLabel('Given name').fill(who.givenName);
  await page.getByLabel('Family name').fill(who.familyName);
  await page.getByLabel('Date of birth').fill(who.birthDate);
  await page.getByLabel('Email').fill(who.email);
  await page.getByLabel(/^Password/).fill(who.password);
  await page.getByLabel('Confirm password').fill(who.password);
  await page.getByRole('button', { name: 'Create account' }).click();
}

/** From the portal's home: Book a visit, a new-patient visit at the first place, its first slot. */
export async function chooseNewPatientSlot(page: Page): Promise<void> {
  await page.getByRole('link', { name: 'Book a visit' }).click();
  await page.getByRole('heading', { name: 'Book a visit' }).waitFor();
  await page.getByRole('combobox', { name: 'Type of visit' }).click();
  await page.getByRole('option', { name: /New patient visit/ }).click();
  await page.getByRole('combobox', { name: 'Where' }).click();
  await page.getByRole('option').first().click();
  const slot = page.getByTestId('portal-slot').first();
  await slot.waitFor();
  await slot.click();
}
