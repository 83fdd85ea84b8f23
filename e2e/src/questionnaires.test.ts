// Issue 9: a patient's questionnaire answers on the 360 page, for the roles allowed to read them.
import { randomUUID } from 'node:crypto';
import type { Page } from 'playwright-core';
import { beforeAll, expect, it } from 'vitest';
import { type DemoRole, useCareloop, withScreenshotOnFailure } from './harness.js';

const { app, browser, signIn, apiSession } = useCareloop();
let patientId: string;
const MRN = `QE-${randomUUID().slice(0, 8)}`;
const ANSWER = 'Low, not sleeping well';

beforeAll(async () => {
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
