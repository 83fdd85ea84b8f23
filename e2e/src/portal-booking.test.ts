import { randomUUID } from 'node:crypto';
import type { PortalAppointments, PortalBookingOptions } from '@careloop/core';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DEMO_LOGINS,
  launchBrowser,
  type RunningCareloop,
  startCareloop,
  withScreenshotOnFailure,
} from './harness.js';
import { verifyPortalEmail } from './portal-verify.js';

let app: RunningCareloop;
let browser: Browser;

beforeAll(async () => {
  [app, browser] = await Promise.all([startCareloop(), launchBrowser()]);
});

afterAll(async () => {
  await browser?.close();
  await app?.stop();
});

describe('portal self-scheduling (issue 13)', () => {
  it('a new patient signs up, books a slot in the portal, and the front desk sees it on the calendar', async () => {
    const login = await fetch(`${app.url}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(DEMO_LOGINS.frontdesk),
    });
    const { user } = (await login.json()) as { user: { orgId: string } };
    const family = `Okonkwo-${randomUUID().slice(0, 6)}`;

    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    let booked: PortalAppointments['upcoming'][number] | undefined;
    let timeZone = 'UTC';
    await withScreenshotOnFailure(page, 'portal-booking', async () => {
      await page.goto(`${app.url}/portal/register?org=${user.orgId}`);
      await page.getByLabel('Given name').fill('Adaeze');
      await page.getByLabel('Family name').fill(family);
      await page.getByLabel('Date of birth').fill('1990-02-03');
      const email = `adaeze.${randomUUID().slice(0, 8)}@example.org`;
      await page.getByLabel('Email').fill(email);
      await page.getByLabel(/^Password/).fill('a long passphrase 42');
      await page.getByLabel('Confirm password').fill('a long passphrase 42');
      await page.getByRole('button', { name: 'Create account' }).click();
      // Until the link emailed at sign-up is opened, the portal only says "check your email".
      await verifyPortalEmail(page, app.url, email, 'a long passphrase 42');

      await page.getByRole('link', { name: 'Book a visit' }).click();
      await page.getByRole('heading', { name: 'Book a visit' }).waitFor();
      // A new patient is offered the new-patient visit, not the established ones.
      await page.getByRole('combobox', { name: 'Type of visit' }).click();
      expect(await page.getByRole('option', { name: /Follow-up visit/ }).count()).toBe(0);
      await page.getByRole('option', { name: /New patient visit/ }).click();
      await page.getByRole('combobox', { name: 'Where' }).click();
      await page.getByRole('option').first().click();
      const slot = page.getByTestId('portal-slot').first();
      await slot.waitFor();
      await slot.click();
      const confirm = page.getByRole('button', { name: 'Confirm booking' });
      // A double click books once: the same Idempotency-Key goes with both requests.
      await confirm.dblclick();
      await page.waitForURL((url) => url.pathname === '/portal/appointments');
      await page.getByTestId('portal-appointment').first().waitFor();

      const list = (await (
        await page.request.get(`${app.url}/api/portal/appointments`)
      ).json()) as PortalAppointments;
      expect(list.upcoming).toHaveLength(1);
      booked = list.upcoming[0];
      expect(booked?.serviceName).toBe('New patient visit');
      const options = (await (
        await page.request.get(`${app.url}/api/portal/scheduling/options`)
      ).json()) as PortalBookingOptions;
      timeZone = options.locations.find((l) => l.id === booked?.locationId)?.timeZone ?? 'UTC';

      // Spanish: the page's own strings change, the visit stays.
      await page.getByText('Español', { exact: true }).click();
      await page.getByRole('heading', { name: 'Mis citas' }).waitFor();
      await page.getByRole('link', { name: 'Añadir al calendario (.ics)' }).first().waitFor();
      await page.getByText('English', { exact: true }).click();
    });
    await context.close();
    if (!booked?.practitionerId) throw new Error('no booked appointment');

    const desk = await browser.newContext({ viewport: { width: 1400, height: 900 } });
    const staff = await desk.newPage();
    await withScreenshotOnFailure(staff, 'portal-booking-front-desk', async () => {
      await staff.goto(`${app.url}/login`);
      await staff.getByLabel('Email').fill(DEMO_LOGINS.frontdesk.email);
      await staff.getByLabel('Password').fill(DEMO_LOGINS.frontdesk.password);
      await staff.getByRole('button', { name: 'Sign in' }).click();
      await staff.getByRole('link', { name: 'Schedule' }).waitFor();
      const day = new Intl.DateTimeFormat('en-CA', { timeZone }).format(
        new Date(booked?.start ?? ''),
      );
      await staff.goto(
        `${app.url}/schedule?date=${day}&practitioner=${booked?.practitionerId ?? ''}`,
      );
      await staff
        .getByTestId('appointment')
        .filter({ hasText: `Adaeze ${family}` })
        .filter({ hasText: 'Booked' })
        .first()
        .waitFor();
    });
    await desk.close();
  });
});
