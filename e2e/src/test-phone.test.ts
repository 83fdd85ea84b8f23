import type { PatientSummary } from '@careloop/core';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { axeViolations, describeFindings, failing, settle } from './a11y-axe.js';
import { useCareloop, withScreenshotOnFailure } from './harness.js';

const { app, newPage, signIn } = useCareloop();

async function signedInAdmin(): Promise<Page> {
  // bypassCSP: axe is injected as an inline script, which the app's CSP rightly refuses.
  const page = await newPage(1280, { bypassCSP: true });
  await signIn(page, 'admin');
  await page.getByRole('link', { name: 'Test phone' }).waitFor();
  return page;
}

/** A demo patient's phone number, read through the API with the admin's session. */
async function aPatientsPhone(page: Page): Promise<string> {
  const res = await page.request.get(`${app.url}/api/patients?limit=50`);
  expect(res.status()).toBe(200);
  const { items } = (await res.json()) as { items: PatientSummary[] };
  const phone = items.find((p) => p.phone)?.phone;
  if (!phone) throw new Error('no demo patient with a phone');
  return phone;
}

describe('the Test phone', () => {
  it('a number that received a text replies STOP and sees the one confirmation', async () => {
    const page = await signedInAdmin();
    await withScreenshotOnFailure(page, 'test-phone-stop', async () => {
      const phone = await aPatientsPhone(page);
      await page.getByRole('link', { name: 'Test phone' }).click();
      await page.getByRole('heading', { name: 'Test phone' }).waitFor();
      await page.getByLabel('Phone number').fill(phone);
      await page.getByRole('button', { name: 'Open conversation' }).click();
      const conversation = page.getByRole('log', { name: 'Conversation' });
      await conversation.waitFor();

      const reply = async (text: string) => {
        await page.getByLabel('Reply as the patient').fill(text);
        await page.getByRole('button', { name: 'Send' }).click();
        await conversation.getByText(text, { exact: true }).last().waitFor();
      };
      // The phone receives a text: the answer to HELP. START makes sure care texts are on, so
      // the STOP below changes something whatever the demo patient had chosen.
      await reply('HELP');
      await conversation
        .getByText(/Reply STOP to stop receiving texts/)
        .waitFor({ timeout: 20_000 });
      await reply('START');
      await reply('STOP');
      const confirmation = conversation.getByText(/you are unsubscribed/);
      await confirmation.waitFor({ timeout: 20_000 });
      expect(await confirmation.count()).toBe(1);

      // A second STOP: already unsubscribed, no second confirmation.
      await reply('Stop');
      await page.waitForTimeout(4_000);
      expect(await conversation.getByText(/you are unsubscribed/).count()).toBe(1);

      // The page with a conversation on it meets the WCAG 2.2 AA bar of the other pages.
      await settle(page);
      const findings = failing(await axeViolations(page));
      expect(findings, describeFindings('Test phone', findings)).toEqual([]);
    });
  });
});
