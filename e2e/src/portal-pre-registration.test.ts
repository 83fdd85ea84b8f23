import { randomUUID } from 'node:crypto';
import type { PortalAppointments, PortalBookingOptions } from '@careloop/core';
import { describe, expect, it } from 'vitest';
import { useCareloop, withScreenshotOnFailure } from './harness.js';
import {
  chooseNewPatientSlot,
  demoOrgId,
  signUpInPortal,
  verifyPortalEmail,
} from './portal-verify.js';

/** A tiny real PNG (1×1 pixel): the server sniffs the type from these bytes. */
const CARD_PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==',
  'base64',
);

const { app, newPage, signIn } = useCareloop();

describe('portal pre-registration (issue 13)', () => {
  it('a patient registers, pre-registers with insurance and a card image, books, and the front desk sees the badge', async () => {
    const orgId = await demoOrgId(app.url);
    const family = `Mbeki-${randomUUID().slice(0, 6)}`;

    const page = await newPage(1280);
    let booked: PortalAppointments['upcoming'][number] | undefined;
    let timeZone = 'UTC';
    await withScreenshotOnFailure(page, 'portal-pre-registration', async () => {
      const email = `thandi.${randomUUID().slice(0, 8)}@example.org`;
      await signUpInPortal(page, app.url, orgId, {
        givenName: 'Thandi',
        familyName: family,
        birthDate: '1988-09-14',
        email,
        password: 'a long passphrase 42',
      });
      await verifyPortalEmail(page, app.url, email, 'a long passphrase 42');

      // Pre-register from the portal's home, before any visit is booked.
      await page.getByRole('link', { name: 'Pre-register' }).click();
      await page.getByRole('heading', { name: 'Pre-registration', level: 1 }).waitFor();
      // What the sign-up said is already filled in.
      expect(await page.getByLabel('Family name').inputValue()).toBe(family);
      // An empty form is refused field by field, in the patient's words.
      await page.getByRole('button', { name: 'Submit pre-registration' }).click();
      await page.getByText('Please correct the fields marked below.').waitFor();
      expect(await page.getByText('This is required').count()).toBeGreaterThan(3);

      await page.getByLabel('Street address').fill('44 Jacaranda Ave');
      await page.getByLabel('City').fill('Springfield');
      await page.getByLabel('State').fill('IL');
      await page.getByLabel('ZIP code').fill('62704');
      await page.getByLabel('Contact name').fill('Sipho Mbeki');
      await page.getByLabel('Relationship to you').fill('Brother');
      await page.getByLabel('Contact phone').fill('(217) 555-0142');
      await page.getByLabel('Insurance company').fill('Blue Cross Blue Shield');
      await page.getByLabel('Member ID').fill('XYZ123456789');
      await page.getByLabel('Group number (optional)').fill('GRP-7781');
      await page.getByLabel('Card, front (photo or PDF)').setInputFiles({
        name: 'card-front.png',
        mimeType: 'image/png',
        buffer: CARD_PNG,
      });
      await page.getByLabel(/I consent to examination and treatment/).check();
      await page.getByLabel(/I have received the notice of privacy practices/).check();
      await page.getByRole('button', { name: 'Submit pre-registration' }).click();
      await page.waitForURL((url) => url.pathname === '/portal');
      await page.getByRole('link', { name: 'Update pre-registration' }).waitFor();

      // Then book a visit: it shows as pre-registered.
      await chooseNewPatientSlot(page);
      await page.getByRole('button', { name: 'Confirm booking' }).click();
      await page.waitForURL((url) => url.pathname === '/portal/appointments');
      await page.getByTestId('portal-pre-registered').first().waitFor();

      const list = (await (
        await page.request.get(`${app.url}/api/portal/appointments`)
      ).json()) as PortalAppointments;
      booked = list.upcoming[0];
      const options = (await (
        await page.request.get(`${app.url}/api/portal/scheduling/options`)
      ).json()) as PortalBookingOptions;
      timeZone = options.locations.find((l) => l.id === booked?.locationId)?.timeZone ?? 'UTC';

      // In Spanish, the same state in the patient's language.
      await page.getByText('Español', { exact: true }).click();
      await page
        .getByTestId('portal-pre-registered')
        .filter({ hasText: 'Registro previo hecho' })
        .waitFor();
      await page.getByText('English', { exact: true }).click();
    });
    await page.context().close();
    if (!booked?.practitionerId) throw new Error('no booked appointment');

    const staff = await newPage();
    await withScreenshotOnFailure(staff, 'portal-pre-registration-front-desk', async () => {
      await signIn(staff, 'frontdesk');
      await staff.getByRole('link', { name: 'Schedule' }).waitFor();
      const day = new Intl.DateTimeFormat('en-CA', { timeZone }).format(
        new Date(booked?.start ?? ''),
      );
      await staff.goto(
        `${app.url}/schedule?date=${day}&practitioner=${booked?.practitionerId ?? ''}`,
      );
      const visit = staff
        .getByTestId('appointment')
        .filter({ hasText: `Thandi ${family}` })
        .first();
      await visit.getByTestId('pre-registered').waitFor();
      expect(await visit.getByTestId('pre-registered').textContent()).toContain('Pre-registered');

      // The 360 page: the insurance the patient entered, with the card image to open.
      const patientId = booked?.patientId ?? '';
      await staff.goto(`${app.url}/patients/${patientId}?tab=coverage`);
      await staff
        .getByTestId('pre-registration-summary')
        .getByText(/Sipho Mbeki/)
        .waitFor();
      await staff.getByRole('cell', { name: 'XYZ123456789' }).waitFor();
      await staff.getByRole('link', { name: 'Blue Cross Blue Shield card, front' }).waitFor();
      const coverages = (await (
        await staff.request.get(`${app.url}/api/patients/${patientId}/coverages`)
      ).json()) as { items: { id: string; memberId: string | null; cards?: string[] }[] };
      expect(coverages.items[0]).toMatchObject({ memberId: 'XYZ123456789', cards: ['front'] });
      const card = await staff.request.get(
        `${app.url}/api/patients/${patientId}/coverages/${coverages.items[0]?.id}/cards/front`,
      );
      expect(card.headers()['content-type']).toBe('image/png');
      expect(Buffer.from(await card.body()).equals(CARD_PNG)).toBe(true);
    });
    await staff.context().close();
  });
});
