import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { useCareloop, withScreenshotOnFailure } from './harness.js';

const { newPage, signIn } = useCareloop();

async function signInAsMarketer(): Promise<Page> {
  const page = await newPage(1280);
  await signIn(page, 'marketer');
  return page;
}

interface Summary {
  givenName: string;
  familyName: string;
  preferredName: string | null;
  restricted: boolean;
}

describe('templates', () => {
  it('a marketer edits the 2-day SMS reminder, previews it for a real patient with its segment count, cannot save clinical detail, and writes a portal version', async () => {
    const page = await signInAsMarketer();
    await withScreenshotOnFailure(page, 'templates-edit-preview', async () => {
      await page.getByRole('link', { name: 'Templates' }).click();
      await page.getByRole('heading', { name: 'Templates', level: 2 }).waitFor();
      await page.getByText('Appointment reminder, 2 days before (SMS)').click();
      await page
        .getByRole('heading', { name: 'Appointment reminder, 2 days before (SMS)' })
        .waitFor();

      const message = page.getByLabel('Message');
      await message.fill('Hi {{patient.firstName}}, see you soon. Reply C to confirm.');
      await expect
        .poll(() => page.getByTestId('segments-Template').textContent())
        .toMatch(/1 segment \(GSM-7\)/);

      // A real patient of the demo organization, found by the picker's search.
      const patients = await page.evaluate(async () => {
        const res = await fetch('/api/patients?limit=25');
        return (await res.json()) as { items: Summary[] };
      });
      const patient = patients.items.find((p) => !p.restricted);
      if (!patient) throw new Error('no patient to preview with');
      await page.getByRole('combobox', { name: 'Preview for patient' }).fill(patient.familyName);
      await page
        .getByRole('option', { name: new RegExp(`${patient.givenName}|${patient.familyName}`) })
        .first()
        .click();
      const firstName = patient.preferredName ?? patient.givenName;
      const preview = page.getByTestId('template-preview');
      await preview.getByText(`Hi ${firstName}, see you soon. Reply C to confirm.`).waitFor();
      await expect
        .poll(() => page.getByTestId('segments-preview').textContent())
        .toMatch(/1 segment/);

      // Saved, and read back after a reload.
      await page.getByRole('button', { name: 'Save SMS (en)' }).click();
      await page.getByText('Template saved').waitFor();
      await page.reload();
      await page.getByText('Appointment reminder, 2 days before (SMS)').click();
      await expect
        .poll(() => page.getByLabel('Message').inputValue())
        .toBe('Hi {{patient.firstName}}, see you soon. Reply C to confirm.');

      // Clinical detail is refused, and the field says why.
      await page.getByLabel('Message').fill('Your {{patient.conditions}} follow-up');
      await page.getByRole('button', { name: 'Save SMS (en)' }).click();
      await page.getByText('{{patient.conditions}} is clinical detail').waitFor();

      // Issue 11 (docs/adr/0046): a portal version, read behind the patient's sign-in, may say
      // what the SMS may not; without one the portal posts the email text.
      await page.reload();
      await page.getByText('Appointment reminder, 2 days before (SMS)').click();
      await page.getByRole('radiogroup', { name: 'Channel' }).getByText('Portal').click();
      await page
        .getByTestId('portal-version-hint')
        .getByText(/No portal version yet/)
        .waitFor();
      const portalText =
        'Hi {{patient.firstName}}, your visit is in 2 days; bring your test results.';
      await page.getByLabel('Message').fill(portalText);
      await page.getByRole('button', { name: 'Save portal (en)' }).click();
      // No warning: clinical words are warned about in email and SMS only.
      await page.getByText('Template saved').waitFor();
      await page.reload();
      await page.getByText('Appointment reminder, 2 days before (SMS)').click();
      await page.getByRole('radiogroup', { name: 'Channel' }).getByText('Portal').click();
      await expect.poll(() => page.getByLabel('Message').inputValue()).toBe(portalText);
    });
  });
});
