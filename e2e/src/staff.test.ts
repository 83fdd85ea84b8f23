import type { PatientSummary, Touchpoint } from '@careloop/core';
import { describe, expect, it } from 'vitest';
import { DEMO_LOGINS, type DemoRole, useCareloop, withScreenshotOnFailure } from './harness.js';

interface Page_<T> {
  items: T[];
  nextCursor: string | null;
}

const { app, signIn, newPage } = useCareloop();

/** Signs in through the API (not the browser) and returns the session cookie. */
async function apiSession(role: DemoRole): Promise<string> {
  const res = await fetch(`${app.url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(DEMO_LOGINS[role]),
  });
  expect(res.status).toBe(200);
  const cookie = res.headers.getSetCookie().find((c) => c.startsWith('careloop_session='));
  if (!cookie) throw new Error('login set no session cookie');
  return cookie.split(';')[0] ?? '';
}

async function apiGet<T>(cookie: string, path: string): Promise<T> {
  const res = await fetch(`${app.url}${path}`, { headers: { cookie } });
  expect(res.status, `GET ${path}`).toBe(200);
  return (await res.json()) as T;
}

/** A real demo patient who has at least one touchpoint, found through the API. */
async function patientWithTimeline(cookie: string): Promise<PatientSummary> {
  const page = await apiGet<Page_<PatientSummary>>(cookie, '/api/patients?limit=25');
  for (const patient of page.items) {
    const timeline = await apiGet<Page_<Touchpoint>>(
      cookie,
      `/api/patients/${patient.id}/timeline?limit=1`,
    );
    if (timeline.items.length > 0) return patient;
  }
  throw new Error('no demo patient on the first page has a timeline');
}

/** The server's own answer to a wrong password, to compare with what the page shows. */
async function wrongPasswordProblem(): Promise<{ message: string }> {
  const res = await fetch(`${app.url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: DEMO_LOGINS.frontdesk.email, password: 'not-the-password' }),
  });
  expect(res.status).toBe(401);
  return (await res.json()) as { message: string };
}

/** Lower case without accents: the server matches "Garcia" and "García" alike. */
const folded = (s: string) =>
  s
    .normalize('NFD')
    .replace(/\p{Diacritic}/gu, '')
    .toLowerCase();

describe('staff console', () => {
  it('shows the server message when the password is wrong', async () => {
    const page = await newPage();
    await withScreenshotOnFailure(page, 'staff-wrong-password', async () => {
      const problem = await wrongPasswordProblem();
      await page.goto(`${app.url}/login`);
      await page.getByLabel('Email').fill(DEMO_LOGINS.frontdesk.email);
      await page.getByLabel('Password').fill('not-the-password');
      await page.getByRole('button', { name: 'Sign in' }).click();
      // The server's message is shown (inline under the field it names, or above the form).
      await page.getByText(problem.message).waitFor();
      expect(new URL(page.url()).pathname).toBe('/login');
    });
    await page.context().close();
  });

  it('front desk finds a patient by family name and opens the 360 view with a timeline', async () => {
    const patient = await patientWithTimeline(await apiSession('frontdesk'));
    const page = await newPage();
    await withScreenshotOnFailure(page, 'staff-search-and-360', async () => {
      await signIn(page, 'frontdesk');
      const search = page.getByLabel('Search patients');
      await search.waitFor();
      await search.fill(patient.familyName);
      await page.waitForURL((url) => url.searchParams.get('q') === patient.familyName);

      // Every result names the patient searched for (once the previous list is replaced).
      const names = page.getByTestId('patient-row').getByRole('link');
      const term = folded(patient.familyName);
      await expect
        .poll(
          async () => {
            const texts = await names.allTextContents();
            return texts.length > 0 && texts.every((text) => folded(text).includes(term));
          },
          { timeout: 15_000 },
        )
        .toBe(true);

      // Namesakes may push our patient past the first page: page on with "Load more".
      const link = page.locator(`a[href="/patients/${patient.id}"]`);
      for (let i = 0; i < 10 && (await link.count()) === 0; i++) {
        const before = await names.count();
        await page.getByRole('button', { name: 'Load more' }).click();
        await expect.poll(() => names.count()).toBeGreaterThan(before);
      }
      expect(await link.textContent()).toContain(patient.familyName);
      await link.click();

      await page.waitForURL((url) => url.pathname === `/patients/${patient.id}`);
      const name = `${patient.givenName} ${patient.familyName}`;
      const heading = page.getByRole('heading', { level: 1, name, exact: true });
      await heading.waitFor();
      expect((await heading.textContent())?.trim()).toBe(name);
      expect(await page.getByRole('tab', { name: 'Timeline' }).getAttribute('aria-selected')).toBe(
        'true',
      );
      await page.getByTestId('touchpoint').first().waitFor();
      expect(await page.getByTestId('touchpoint').count()).toBeGreaterThan(0);
    });
    await page.context().close();
  });

  it("a marketer's 360 page does not show the tabs the role may not see", async () => {
    const patient = await patientWithTimeline(await apiSession('marketer'));
    const page = await newPage();
    await withScreenshotOnFailure(page, 'staff-marketer-redaction', async () => {
      await signIn(page, 'marketer');
      await page.getByLabel('Search patients').waitFor();
      await page.goto(`${app.url}/patients/${patient.id}`);
      await page
        .getByRole('heading', { level: 1, name: `${patient.givenName} ${patient.familyName}` })
        .waitFor();
      await page.getByRole('tab', { name: 'Timeline' }).waitFor();
      for (const hidden of ['Conditions', 'Encounters', 'Tasks', 'Notes']) {
        expect(await page.getByRole('tab', { name: hidden }).count(), hidden).toBe(0);
      }
      // A link to a hidden tab opens the timeline instead.
      await page.goto(`${app.url}/patients/${patient.id}?tab=conditions`);
      await page.getByRole('tab', { name: 'Timeline', selected: true }).waitFor();
      expect(await page.getByRole('tab', { name: 'Coverage' }).count()).toBe(1);
      // Marketing has no task or admin pages to navigate to.
      expect(await page.getByRole('link', { name: 'Tasks' }).count()).toBe(0);
      expect(await page.getByRole('link', { name: 'Audit log' }).count()).toBe(0);
    });
    await page.context().close();
  });
});
