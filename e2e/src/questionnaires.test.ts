// Issue 9: a patient's questionnaire answers on the 360 page, for the roles allowed to read them.
import { randomUUID } from 'node:crypto';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  DEMO_LOGINS,
  type DemoRole,
  launchBrowser,
  type RunningCareloop,
  startCareloop,
  withScreenshotOnFailure,
} from './harness.js';

let app: RunningCareloop;
let browser: Browser;
let patientId: string;
const MRN = `QE-${randomUUID().slice(0, 8)}`;
const ANSWER = 'Low, not sleeping well';

async function apiSession(role: DemoRole): Promise<{ cookie: string; csrfToken: string }> {
  const res = await fetch(`${app.url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(DEMO_LOGINS[role]),
  });
  expect(res.status).toBe(200);
  const cookie = res.headers.getSetCookie().find((c) => c.startsWith('careloop_session='));
  if (!cookie) throw new Error('login set no session cookie');
  const { csrfToken } = (await res.json()) as { csrfToken: string };
  return { cookie: cookie.split(';')[0] ?? '', csrfToken };
}

async function signIn(page: Page, role: DemoRole): Promise<void> {
  await page.goto(`${app.url}/login`);
  await page.getByLabel('Email').fill(DEMO_LOGINS[role].email);
  await page.getByLabel('Password').fill(DEMO_LOGINS[role].password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL((url) => !url.pathname.startsWith('/login'));
}

beforeAll(async () => {
  [app, browser] = await Promise.all([startCareloop(), launchBrowser()]);
  const admin = await apiSession('admin');
  const patient = randomUUID();
  const response = randomUUID();
  const bundle = {
    resourceType: 'Bundle',
    type: 'transaction',
    entry: [
      {
        fullUrl: `urn:uuid:${patient}`,
        resource: {
          resourceType: 'Patient',
          id: patient,
          identifier: [{ system: 'urn:oid:2.16.840.1.113883.19.5', value: MRN }],
          name: [{ family: 'Asker', given: ['Quinn'] }],
          gender: 'female',
          birthDate: '1970-01-02',
        },
        request: { method: 'POST', url: 'Patient' },
      },
      {
        fullUrl: `urn:uuid:${response}`,
        resource: {
          resourceType: 'QuestionnaireResponse',
          id: response,
          status: 'completed',
          questionnaire: 'http://example.org/Questionnaire/wellbeing',
          subject: { reference: `urn:uuid:${patient}` },
          authored: '2026-05-01T10:00:00Z',
          item: [{ linkId: 'mood', text: 'How have you felt?', answer: [{ valueString: ANSWER }] }],
        },
        request: { method: 'POST', url: 'QuestionnaireResponse' },
      },
    ],
  };
  const imported = await fetch(`${app.url}/fhir/R4`, {
    method: 'POST',
    headers: {
      cookie: admin.cookie,
      'x-csrf-token': admin.csrfToken,
      'content-type': 'application/json',
    },
    body: JSON.stringify(bundle),
  });
  expect(imported.status, await imported.clone().text()).toBe(200);
  const found = await fetch(`${app.url}/api/patients?q=${MRN}`, {
    headers: { cookie: admin.cookie },
  });
  const [item] = ((await found.json()) as { items: { id: string }[] }).items;
  if (!item) throw new Error('the imported patient is not found');
  patientId = item.id;
});

afterAll(async () => {
  await browser?.close();
  await app?.stop();
});

async function questionnairesTab(role: DemoRole): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  const page = await context.newPage();
  await signIn(page, role);
  await page.goto(`${app.url}/patients/${patientId}`);
  await page.getByRole('tab', { name: 'Questionnaires' }).click();
  await page.getByRole('region', { name: 'http://example.org/Questionnaire/wellbeing' }).waitFor();
  return page;
}

it('shows a clinician the answers on the 360 page', async () => {
  const page = await questionnairesTab('clinician');
  await withScreenshotOnFailure(page, 'questionnaires-clinician', async () => {
    const answers = page.getByRole('table', { name: 'Answers' });
    await expect.poll(() => answers.textContent()).toContain(ANSWER);
    await expect.poll(() => answers.textContent()).toContain('How have you felt?');
  });
  await page.context().close();
});

it('shows the front desk that the response exists, not what it says', async () => {
  const page = await questionnairesTab('frontdesk');
  await withScreenshotOnFailure(page, 'questionnaires-frontdesk', async () => {
    await page.getByText('1 answer, not shown to your role.').waitFor();
    expect(await page.content()).not.toContain(ANSWER);
  });
  await page.context().close();
});
