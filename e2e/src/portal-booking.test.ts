import { randomUUID } from 'node:crypto';
import type { PortalAppointments, PortalBookingOptions } from '@careloop/core';
import { describe, expect, it } from 'vitest';
import { useCareloop, withScreenshotOnFailure } from './harness.js';
import { demoOrgId, signUpInPortal, verifyPortalEmail } from './portal-verify.js';

const { app, newPage, signIn } = useCareloop();

describe('portal self-scheduling (issue 13)', () => {
  it('a new patient signs up, books a slot in the portal, and the front desk sees it on the calendar', async () => {
    const orgId = await demoOrgId(app.url);
    const family = `Okonkwo-${randomUUID().slice(0, 6)}`;

    const page = await newPage(1280);
    let booked: PortalAppointments['upcoming'][number] | undefined;
    let timeZone = 'UTC';
    await withScreenshotOnFailure(page, 'portal-booking', async () => {
      const email = `adaeze.${randomUUID().slice(0, 8)}@example.org`;
      await signUpInPortal(page, app.url, orgId, {
        givenName: 'Adaeze',
        familyName: family,
        birthDate: '1990-02-03',
        email,
        password: 'a long passphrase 42',
      });
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
    await page.context().close();
    if (!booked?.practitionerId) throw new Error('no booked appointment');

    const staff = await newPage();
    await withScreenshotOnFailure(staff, 'portal-booking-front-desk', async () => {
      await signIn(staff, 'frontdesk');
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
    await staff.context().close();
  });
});
