import { type ChildProcess, spawn } from 'node:child_process';
import { connect } from 'node:net';
import { join } from 'node:path';
import type { PatientSummary } from '@careloop/core';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DEMO_LOGINS,
  type DemoRole,
  freePort,
  launchBrowser,
  REPO_ROOT,
  type RunningCareloop,
  serverNow,
  startCareloop,
  withScreenshotOnFailure,
} from './harness.js';

let app: RunningCareloop;
let browser: Browser;
let ehr: ChildProcess;
let ehrOutput = '';

/** Resolves once something accepts connections on the port (the simulator is up). */
async function listening(port: number): Promise<void> {
  for (let i = 0; i < 300; i += 1) {
    const up = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (up) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`careloop ehr-sim did not listen on ${port}:\n${ehrOutput}`);
}

beforeAll(async () => {
  const port = await freePort();
  // The simulated EHR answers the first message AR ("not now"), so the request is seen
  // Requested, then AA to the outbox's retry, and keeps its book.
  ehr = spawn(
    process.execPath,
    [
      join(REPO_ROOT, 'packages', 'server', 'bin', 'careloop.mjs'),
      'ehr-sim',
      '--port',
      String(port),
      '--refuse-first',
      '1',
    ],
    { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  ehr.stdout?.on('data', (c: Buffer) => {
    ehrOutput += c.toString('utf8');
  });
  ehr.stderr?.on('data', (c: Buffer) => {
    ehrOutput += c.toString('utf8');
  });
  await listening(port);
  [app, browser] = await Promise.all([
    startCareloop({ env: { EHR_MLLP_ENDPOINT: `127.0.0.1:${port}` } }),
    launchBrowser(),
  ]);
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await app?.stop();
  ehr?.kill('SIGTERM');
});

async function session(role: DemoRole): Promise<{ cookie: string; csrfToken: string }> {
  const res = await fetch(`${app.url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(DEMO_LOGINS[role]),
  });
  expect(res.status).toBe(200);
  const cookie = (
    res.headers.getSetCookie().find((c) => c.startsWith('careloop_session=')) ?? ''
  ).split(';')[0];
  const { csrfToken } = (await res.json()) as { csrfToken: string };
  return { cookie: cookie ?? '', csrfToken };
}

async function signIn(page: Page, role: DemoRole): Promise<void> {
  await page.goto(`${app.url}/login`);
  await page.getByLabel('Email').fill(DEMO_LOGINS[role].email);
  await page.getByLabel('Password').fill(DEMO_LOGINS[role].password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL((url) => !url.pathname.startsWith('/login'));
}

describe('the EHR owns the schedule', () => {
  it('an admin switches to EHR mode; front desk books an EHR slot: Requested, then Booked on the EHR’s AA', async () => {
    const admin = await session('admin');
    // The EHR's schedule, as its FHIR feed brings it: a practitioner, a clinic, and tomorrow
    // (by the server's clock) 15:00-17:00 UTC free.
    const tomorrow = new Date((await serverNow(app.url)).getTime() + 86_400_000)
      .toISOString()
      .slice(0, 10);
    const imported = await fetch(`${app.url}/fhir/R4?source=e2e-ehr-schedule`, {
      method: 'POST',
      headers: {
        cookie: admin.cookie,
        'x-csrf-token': admin.csrfToken,
        'content-type': 'application/fhir+json',
      },
      body: JSON.stringify({
        resourceType: 'Bundle',
        type: 'transaction',
        entry: [
          {
            fullUrl: 'Practitioner/ehr-doc-1',
            resource: {
              resourceType: 'Practitioner',
              id: 'ehr-doc-1',
              name: [{ family: 'Ehrenberg', given: ['Ines'], prefix: ['Dr.'] }],
            },
            request: { method: 'PUT', url: 'Practitioner/ehr-doc-1' },
          },
          {
            fullUrl: 'Location/ehr-loc-1',
            resource: { resourceType: 'Location', id: 'ehr-loc-1', name: 'EHR Clinic' },
            request: { method: 'PUT', url: 'Location/ehr-loc-1' },
          },
          {
            fullUrl: 'Schedule/ehr-sched-1',
            resource: {
              resourceType: 'Schedule',
              id: 'ehr-sched-1',
              actor: [{ reference: 'Practitioner/ehr-doc-1' }, { reference: 'Location/ehr-loc-1' }],
            },
            request: { method: 'PUT', url: 'Schedule/ehr-sched-1' },
          },
          {
            fullUrl: 'Slot/ehr-slot-1',
            resource: {
              resourceType: 'Slot',
              id: 'ehr-slot-1',
              schedule: { reference: 'Schedule/ehr-sched-1' },
              status: 'free',
              start: `${tomorrow}T15:00:00Z`,
              end: `${tomorrow}T17:00:00Z`,
            },
            request: { method: 'PUT', url: 'Slot/ehr-slot-1' },
          },
        ],
      }),
    });
    expect(imported.status, await imported.text()).toBe(200);
    const service = await fetch(`${app.url}/api/scheduling/services`, {
      method: 'POST',
      headers: {
        cookie: admin.cookie,
        'x-csrf-token': admin.csrfToken,
        'content-type': 'application/json',
      },
      body: JSON.stringify({ name: 'EHR visit', durationMinutes: 30, modality: 'in-person' }),
    });
    expect(service.status, await service.text()).toBe(201);
    const desk = await session('frontdesk');
    const patients = await fetch(`${app.url}/api/patients?limit=5`, {
      headers: { cookie: desk.cookie },
    });
    const patient = ((await patients.json()) as { items: PatientSummary[] }).items[0];
    if (!patient) throw new Error('no demo patient');
    const name = `${patient.givenName} ${patient.familyName}`;

    const adminPage = await (
      await browser.newContext({ viewport: { width: 1400, height: 900 } })
    ).newPage();
    await withScreenshotOnFailure(adminPage, 'ehr-mode-switch', async () => {
      await signIn(adminPage, 'admin');
      await adminPage.goto(`${app.url}/admin/organization`);
      // The choice is the server's: it shows checked once saved.
      const ehrMode = adminPage.getByRole('radio', { name: /^The EHR: its free slots/ });
      await ehrMode.click();
      await adminPage.getByText('Schedule mode saved').waitFor();
      expect(await ehrMode.isChecked()).toBe(true);
    });
    await adminPage.context().close();

    const page = await (
      await browser.newContext({ viewport: { width: 1400, height: 900 } })
    ).newPage();
    await withScreenshotOnFailure(page, 'ehr-mode-book', async () => {
      await signIn(page, 'frontdesk');
      await page.getByRole('link', { name: 'Schedule' }).click();
      await page.getByText('Week', { exact: true }).click();
      await page.getByRole('combobox', { name: 'Practitioner' }).fill('Ehrenberg');
      await page.getByRole('option', { name: /Ehrenberg/ }).click();
      await page.getByRole('combobox', { name: 'Service to book' }).click();
      await page.getByRole('option', { name: /EHR visit/ }).click();
      const slot = page.getByTestId('open-slot').first();
      await slot.waitFor();
      const time = ((await slot.textContent()) ?? '').replace('Book ', '').trim();
      await slot.click();
      const dialog = page.getByRole('dialog');
      await dialog.getByLabel('Find the patient').fill(patient.familyName);
      await dialog.getByRole('combobox', { name: 'Patient' }).click();
      await page
        .getByRole('option', { name: new RegExp(`^${name}`) })
        .first()
        .click();
      await dialog.getByRole('button', { name: 'Confirm booking' }).click();
      await dialog.waitFor({ state: 'hidden' });

      const appointment = () =>
        page.getByTestId('appointment').filter({ hasText: name }).filter({ hasText: time }).first();
      // Asked of the EHR, which said "not now": Requested, the slot no longer offered.
      await appointment().getByText('Requested').waitFor();
      // The outbox tries again (after a minute); the EHR's AA books it. The page is reloaded
      // until it says so.
      const doctors = await fetch(`${app.url}/api/practitioners?limit=100`, {
        headers: { cookie: desk.cookie },
      });
      const doctor = (
        (await doctors.json()) as { items: { id: string; familyName: string }[] }
      ).items.find((p) => p.familyName === 'Ehrenberg');
      if (!doctor) throw new Error('the EHR’s practitioner was not imported');
      for (let i = 0; i < 60; i += 1) {
        await page.goto(`${app.url}/schedule?practitioner=${doctor.id}&date=${tomorrow}`);
        await appointment().waitFor();
        if ((await appointment().textContent())?.includes('Booked')) break;
        await page.waitForTimeout(3_000);
      }
      expect(await appointment().textContent()).toContain('Booked');
    });
    await page.context().close();
    expect(ehrOutput).toMatch(/SIU\^S12/);
  }, 400_000);
});
