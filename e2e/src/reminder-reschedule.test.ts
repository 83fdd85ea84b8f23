import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { serverNow, useCareloop, withScreenshotOnFailure } from './harness.js';

/**
 * Issue 11 (h11r): "R" to the 2-day reminder offers open times, and "1" moves the visit. The
 * server under test runs on the real clock, so the visit is booked from that same clock: the
 * first open slot 2 days and a minute ahead, of a 5-minute service whose practitioner works
 * every day around the clock (made for the test through the API), so the reminder is due within
 * minutes whatever the day and hour of the run.
 */
const { app, newPage, signIn, apiSession } = useCareloop();

/** The demo admin's API session: a JSON request with its cookie and CSRF token. */
async function adminApi(): Promise<
  <T>(method: string, path: string, body?: unknown) => Promise<T>
> {
  const { cookie, csrfToken } = await apiSession('admin');
  return async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    const res = await fetch(`${app.url}${path}`, {
      method,
      headers: {
        cookie,
        'x-csrf-token': csrfToken,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`);
    return JSON.parse(text) as T;
  };
}

async function signedInAdmin(): Promise<Page> {
  const page = await newPage(1400, { viewport: { width: 1400, height: 1000 } });
  await signIn(page, 'admin');
  await page.getByRole('link', { name: 'Journeys' }).waitFor();
  return page;
}

describe('reschedule by text, end to end', () => {
  it('the patient replies R to the reminder, reads three open times, replies 1, and the visit moves there', async () => {
    const page = await signedInAdmin();
    await withScreenshotOnFailure(page, 'reminder-reschedule', async () => {
      // Texts at any hour (quiet hours have their own tests), and the reminders enabled.
      await page.getByRole('link', { name: 'Organization' }).click();
      const messages = page.getByRole('form', { name: 'Patient message settings' });
      await messages.getByLabel('Send at any hour').check();
      await messages.getByRole('button', { name: 'Save message settings' }).click();
      await page.getByText('Message settings saved').waitFor();
      await page.getByRole('link', { name: 'Journeys' }).click();
      const ready = page.getByTestId('ready-journey').filter({ hasText: 'Appointment reminders' });
      await ready.getByRole('button', { name: 'Enable' }).click();
      await ready.getByText('Enabled').waitFor();

      // A practitioner who works every day, all day, a 5-minute service, and a patient.
      const api = await adminApi();
      const location = await api<{ id: string }>('POST', '/api/locations', {
        name: 'Round-the-clock Clinic',
        timeZone: 'UTC',
      });
      const practitioner = await api<{ id: string }>('POST', '/api/practitioners', {
        givenName: 'Eve',
        familyName: 'Allday',
        locationId: location.id,
      });
      const service = await api<{ id: string }>('POST', '/api/scheduling/services', {
        name: 'Quick check',
        durationMinutes: 5,
        bufferMinutes: 0,
        modality: 'in-person',
      });
      // The 2-day reminder is due two days before the visit: the visit's day opens on the minute
      // after "two days and a minute" from now (the location keeps UTC), so that the first slot
      // of that day is the visit and the reminder is due a minute or two from now, not up to a
      // slot step later. Every other day is open all day, for the times R offers.
      const now = await serverNow(app.url);
      const opens = new Date(
        Math.ceil((now.getTime() + 2 * 86_400_000 + 60_000) / 60_000) * 60_000,
      );
      const opensAt = opens.toISOString().slice(11, 16);
      const visitDay = opens.getUTCDay();
      for (let weekday = 0; weekday <= 6; weekday++) {
        await api('POST', '/api/scheduling/rules', {
          practitionerId: practitioner.id,
          locationId: location.id,
          weekday,
          // Past 23:45 the visit's day has no slot left: the next day's first one is minutes on.
          start: weekday === visitDay && opensAt <= '23:45' ? opensAt : '00:00',
          end: '23:55',
        });
      }
      const phone = `617555${String(1000 + Math.floor(Math.random() * 8999))}`;
      const created = await api<{ patient: { id: string } }>('POST', '/api/patients', {
        givenName: 'Rhea',
        familyName: 'Moveby',
        birthDate: '1979-05-02',
        administrativeSex: 'female',
        preferredLanguage: 'en',
        preferredChannel: 'sms',
        contactPoints: [{ system: 'phone', value: phone, use: 'mobile' }],
      });
      const patientId = created.patient.id;

      // The first open slot 2 days and a minute ahead of the server's clock.
      const from = new Date(now.getTime() + 2 * 86_400_000 + 60_000);
      const to = new Date(from.getTime() + 3 * 3_600_000);
      const { slots } = await api<{ slots: { start: string }[] }>(
        'GET',
        `/api/availability?service=${service.id}&practitioner=${practitioner.id}&location=${location.id}&from=${from.toISOString()}&to=${to.toISOString()}`,
      );
      const start = slots[0]?.start;
      if (!start) throw new Error('no open slot two days ahead');
      const booked = await api<{ id: string; start: string }>('POST', '/api/appointments', {
        patientId,
        serviceId: service.id,
        practitionerId: practitioner.id,
        locationId: location.id,
        start,
      });

      // The reminder reaches the phone within minutes (the Test phone reads once per opening).
      await page.getByRole('link', { name: 'Test phone' }).click();
      const conversation = page.getByRole('log', { name: 'Conversation' });
      const openPhone = async () => {
        await page.getByLabel('Phone number').fill(phone);
        await page.getByRole('button', { name: 'Open conversation' }).click();
        await conversation.waitFor();
      };
      const arrives = async (text: RegExp, timeout: number) => {
        await openPhone();
        await expect
          .poll(
            async () => {
              if ((await conversation.getByText(text).count()) > 0) return true;
              await page.reload();
              await openPhone();
              return false;
            },
            { timeout, interval: 5_000 },
          )
          .toBe(true);
      };
      await arrives(/R to reschedule/i, 300_000);

      // R: three open times come back on the same phone.
      await page.getByLabel('Reply as the patient').fill('R');
      await page.getByRole('button', { name: 'Send' }).click();
      await arrives(/reply 1, 2 or 3 to move your visit to 1\) .* 2\) .* 3\) /, 120_000);

      // 1: the visit moves to the first time offered, and a text confirms it.
      await page.getByLabel('Reply as the patient').fill('1');
      await page.getByRole('button', { name: 'Send' }).click();
      await arrives(/done, Rhea\. Your visit is now/, 120_000);
      const moved = await api<{ start: string; status: string }>(
        'GET',
        `/api/appointments/${booked.id}`,
      );
      expect(moved.status).toBe('booked');
      expect(Date.parse(moved.start)).toBeLessThan(Date.parse(booked.start));
      expect(Date.parse(moved.start)).toBeGreaterThanOrEqual(now.getTime() + 2 * 3_600_000);

      // Staff see the move on the patient's timeline.
      await page.goto(`${app.url}/patients/${patientId}`);
      await page.getByRole('tab', { name: 'Timeline' }).click();
      await page
        .getByText(/Rescheduled to/)
        .first()
        .waitFor();
    });
  }, 900_000);
});
