import { randomUUID } from 'node:crypto';
import type { AvailableSlot, BookableService, PatientSummary, Practitioner } from '@careloop/core';
import { describe, expect, it } from 'vitest';
import { DEMO_LOGINS, serverNow, useCareloop, withScreenshotOnFailure } from './harness.js';

const { app, browser } = useCareloop();

describe('schedule: drag to reschedule (issue 13)', () => {
  it('moves an appointment by dragging it to an open slot, and a refused move snaps back with the reason', async () => {
    const login = await fetch(`${app.url}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(DEMO_LOGINS.frontdesk),
    });
    const cookie = login.headers.getSetCookie().find((c) => c.startsWith('careloop_session='));
    const { csrfToken } = (await login.json()) as { csrfToken: string };
    const headers = { cookie: cookie?.split(';')[0] ?? '' };
    const get = async <T>(path: string) =>
      (await (await fetch(`${app.url}${path}`, { headers })).json()) as T;
    const bookApi = (body: Record<string, unknown>) =>
      fetch(`${app.url}/api/appointments`, {
        method: 'POST',
        headers: {
          ...headers,
          'content-type': 'application/json',
          'x-csrf-token': csrfToken,
          'idempotency-key': randomUUID(),
        },
        body: JSON.stringify(body),
      });

    const doctor = (await get<{ items: Practitioner[] }>('/api/practitioners?limit=50')).items.find(
      (p) => p.locationId !== null,
    );
    const service = (await get<BookableService[]>('/api/scheduling/services')).find(
      (s) => s.name === 'Annual physical',
    );
    const patients = (await get<{ items: PatientSummary[] }>('/api/patients?limit=5')).items;
    const [patient, other] = patients;
    if (!doctor || !service || !patient || !other) throw new Error('demo data missing');
    // Tomorrow onwards on the clock of the server under test (a separate process on the real
    // clock, which offers no slot in its past): nothing here depends on the calendar date.
    const now = (await serverNow(app.url)).getTime();
    const from = new Date(now + 86_400_000).toISOString();
    const to = new Date(now + 8 * 86_400_000).toISOString();
    const { slots } = await get<{ slots: AvailableSlot[] }>(
      `/api/availability?service=${service.id}&practitioner=${doctor.id}&from=${from}&to=${to}&limit=50`,
    );
    const [first] = slots;
    if (!first) throw new Error('no open slot');
    const booked = await bookApi({
      patientId: patient.id,
      serviceId: service.id,
      practitionerId: doctor.id,
      locationId: first.locationId,
      start: first.start,
    });
    expect(booked.status).toBe(201);
    const { id } = (await booked.json()) as { id: string };
    const name = `${patient.givenName} ${patient.familyName}`;
    const day = first.start.slice(0, 10);

    const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
    const page = await context.newPage();
    await withScreenshotOnFailure(page, 'schedule-drag', async () => {
      await page.goto(`${app.url}/login`);
      await page.getByLabel('Email').fill(DEMO_LOGINS.frontdesk.email);
      await page.getByLabel('Password').fill(DEMO_LOGINS.frontdesk.password);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('link', { name: 'Schedule' }).waitFor();
      await page.goto(`${app.url}/schedule?date=${day}&practitioner=${doctor.id}`);
      await page.getByRole('combobox', { name: 'Service to book' }).click();
      await page.getByRole('option', { name: /Annual physical/ }).click();
      const card = page.getByTestId('appointment').filter({ hasText: name }).first();
      await card.waitFor();
      const targets = page.getByTestId('open-slot');
      await targets.nth(3).waitFor();
      const target = targets.nth(3);
      await target.scrollIntoViewIfNeeded();
      const targetStart = (await target.getAttribute('data-start')) ?? '';

      // Pointer: drag the card onto an open slot; the move is the reschedule PATCH.
      await card.dragTo(target);
      await page.getByText(/^Moved to/).waitFor();
      const moved = await get<{ start: string }>(`/api/appointments/${id}`);
      expect(moved.start).toBe(targetStart);

      // Refused: someone books the slot meanwhile; the drop answers 409 and the card stays.
      const taken = targets.nth(5);
      const takenStart = (await taken.getAttribute('data-start')) ?? '';
      const meanwhile = await bookApi({
        patientId: other.id,
        serviceId: service.id,
        practitionerId: doctor.id,
        locationId: first.locationId,
        start: takenStart,
      });
      expect(meanwhile.status).toBe(201);
      const movedCard = page.getByTestId('appointment').filter({ hasText: name }).first();
      await movedCard.dragTo(taken);
      await page.getByText('Not moved').waitFor();
      const still = await get<{ start: string }>(`/api/appointments/${id}`);
      expect(still.start).toBe(targetStart);

      // Keyboard: Move, then Enter on an open slot's "Move here". The demo's waitlist is offered
      // open slots every 15 minutes (each offer holds its slot), so the first time shown may be
      // taken the moment it is chosen: the move is refused with the reason, the view drops the
      // slot, and the next open one is tried.
      const refused = page.getByText('This slot was just booked; choose another');
      let hereStart = '';
      for (let attempt = 1; ; attempt++) {
        await movedCard.getByRole('button', { name: 'Move' }).focus();
        await page.keyboard.press('Enter');
        const here = page.getByRole('button', { name: /^Move here/ }).first();
        hereStart = (await here.getAttribute('data-start')) ?? '';
        await here.focus();
        await page.keyboard.press('Enter');
        let outcome: 'moved' | 'refused' | 'waiting' = 'waiting';
        for (let waited = 0; outcome === 'waiting' && waited < 15_000; waited += 250) {
          const start = (await get<{ start: string }>(`/api/appointments/${id}`)).start;
          if (start === hereStart) outcome = 'moved';
          else if (await refused.isVisible()) outcome = 'refused';
          else await page.waitForTimeout(250);
        }
        if (outcome === 'moved') break;
        expect(outcome === 'refused' && attempt < 3, `keyboard move to ${hereStart}`).toBe(true);
      }
      expect((await get<{ start: string }>(`/api/appointments/${id}`)).start).toBe(hereStart);
    });
    await context.close();
  });
});
