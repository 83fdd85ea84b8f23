import type { PatientSummary } from '@careloop/core';
import { describe, expect, it } from 'vitest';
import { serverNow, useCareloop, withScreenshotOnFailure } from './harness.js';

// The simulated EHR answers the first message AR ("not now"), so the request is seen Requested,
// then AA to the outbox's retry, and keeps its book. The retry waits 10 s, not a minute: long
// enough for the page to show Requested first.
const { app, ehr, newPage, signIn, apiSession } = useCareloop({
  ehrSim: ['--refuse-first', '1'],
  env: { EHR_RETRY_SECONDS: '10' },
});

describe('the EHR owns the schedule', () => {
  it('an admin switches to EHR mode; front desk books an EHR slot: Requested, then Booked on the EHR’s AA', async () => {
    const admin = await apiSession('admin');
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
    const desk = await apiSession('frontdesk');
    const patients = await fetch(`${app.url}/api/patients?limit=5`, {
      headers: { cookie: desk.cookie },
    });
    const patient = ((await patients.json()) as { items: PatientSummary[] }).items[0];
    if (!patient) throw new Error('no demo patient');
    const name = `${patient.givenName} ${patient.familyName}`;

    const adminPage = await newPage();
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

    const page = await newPage();
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
      // The outbox tries again (after EHR_RETRY_SECONDS); the EHR's AA books it. The page is
      // reloaded until it says so.
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
    expect(ehr.output()).toMatch(/SIU\^S12/);
  }, 400_000);
});
