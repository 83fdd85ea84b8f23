import type { PortalAppointments, SessionInfo } from '@careloop/core';
import { describe, expect, it } from 'vitest';
import { FieldCipher } from '../../packages/server/src/crypto/field-cipher.js';
import { SurveyLinks } from '../../packages/server/src/modules/surveys/links.js';
import { serverNow, useCareloop, withScreenshotOnFailure } from './harness.js';

const { app, newPage, apiSession } = useCareloop();

/**
 * The demo patient's survey link for their latest past visit, signed as the server signs it
 * (with the key ring in its data folder), working for 30 days from the server's now: the demo's visits are
 * dated around its seed date, so a link from the visit's own start would already have expired.
 */
async function surveyLink(): Promise<string> {
  const session = await apiSession('patient');
  const get = async <T>(path: string): Promise<T> => {
    const res = await fetch(`${app.url}${path}`, { headers: { cookie: session.cookie } });
    expect(res.status, path).toBe(200);
    return (await res.json()) as T;
  };
  const { user } = await get<SessionInfo>('/api/auth/me');
  const { past } = await get<PortalAppointments>('/api/portal/appointments');
  const [visit] = past;
  if (!visit || !user.patientId) throw new Error('the demo patient has no past visit');
  const links = SurveyLinks.fromCipher(await FieldCipher.fromDataDir(app.dataDir));
  return links.link(`${app.url}/portal`, {
    orgId: user.orgId,
    patientId: user.patientId,
    appointmentId: visit.id,
    visitStart: await serverNow(app.url),
  });
}

describe('the post-visit survey', () => {
  it('a patient opens the link without signing in, answers, sees thanks, and cannot answer twice', async () => {
    const link = await surveyLink();
    const page = await newPage(420);
    await withScreenshotOnFailure(page, 'survey-link', async () => {
      await page.goto(link);
      await page
        .getByRole('heading', { name: /How was your visit|Qué tal fue su visita/ })
        .waitFor();
      // In English whatever the patient's language, to read the page below.
      await page.getByText('English').click();
      await page.getByText(/Your visit to Demo Health on/).waitFor();
      // No score yet: the page asks for one and sends nothing.
      await page.getByRole('button', { name: 'Send my answers' }).click();
      await page.getByText('Choose a number from 0 to 10').waitFor();
      await page
        .getByRole('group', { name: /recommend us/ })
        .getByText('9', { exact: true })
        .click();
      await page
        .getByRole('radiogroup', { name: /explain things/ })
        .getByLabel('Usually')
        .check();
      await page
        .getByRole('radiogroup', { name: /easy to get an appointment/ })
        .getByLabel('Always')
        .check();
      await page.getByLabel('What could we do better?').fill('Shorter wait at the front desk.');
      const answered = page.waitForResponse(
        (r) => new URL(r.url()).pathname === '/api/surveys/answer',
      );
      await page.getByRole('button', { name: 'Send my answers' }).click();
      expect((await answered).status()).toBe(201);
      await page.getByText('Thank you! Your answers reached Demo Health.').waitFor();

      // The link again: already answered, thanks.
      await page.goto(link);
      await page.getByText(/already answered/).waitFor();
    });

    // A garbled link says so.
    await page.goto(`${app.url}/portal/surveys?token=${'A'.repeat(71)}`);
    await page.getByText('This survey link is not valid or has expired.').waitFor();
  });
});
