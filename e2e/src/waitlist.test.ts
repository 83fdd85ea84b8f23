// Issue 13: a cancellation produces a waitlist offer that another patient accepts in the portal,
// and the front desk sees the slot booked.
import type {
  AvailableSlot,
  BookableService,
  Location,
  PatientSummary,
  Practitioner,
  WaitlistEntry,
} from '@careloop/core';
import { suits } from '@careloop/core';
import { describe, expect, it } from 'vitest';
import {
  type ApiSession,
  DEMO_LOGINS,
  serverNow,
  useCareloop,
  withScreenshotOnFailure,
} from './harness.js';

const { app, browser, apiSession } = useCareloop();

async function call<T>(
  s: ApiSession,
  method: string,
  path: string,
  body?: unknown,
  expected = 200,
): Promise<T> {
  const res = await fetch(`${app.url}${path}`, {
    method,
    headers: {
      cookie: s.cookie,
      'x-csrf-token': s.csrfToken,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  expect(res.status, `${method} ${path}: ${text}`).toBe(expected);
  return JSON.parse(text) as T;
}

/** `HH:MM` and weekday of an instant on a zone's clock. */
function wall(instant: string, timeZone: string): { weekday: number; time: string } {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-US', {
      timeZone,
      weekday: 'short',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    })
      .formatToParts(new Date(instant))
      .map((p) => [p.type, p.value]),
  );
  const weekday = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'].indexOf(parts.weekday ?? '');
  return { weekday, time: `${parts.hour}:${parts.minute}` };
}

describe('waitlist', () => {
  it('offers a cancelled slot to a waiting patient, who books it in the portal; the front desk sees it booked', async () => {
    const desk = await apiSession(DEMO_LOGINS.frontdesk);
    const portal = await apiSession(DEMO_LOGINS.patient);
    const me = await call<{ patient: { id: string } }>(portal, 'GET', '/api/portal/me');
    const services = await call<BookableService[]>(desk, 'GET', '/api/scheduling/services');
    const service = services.find((s) => s.active && s.modality === 'in-person');
    if (!service) throw new Error('no demo service');
    const doctors = await call<{ items: Practitioner[] }>(
      desk,
      'GET',
      '/api/practitioners?limit=50',
    );
    const now = (await serverNow(app.url)).getTime();
    const from = new Date(now + 2 * 86_400_000).toISOString();
    const to = new Date(now + 9 * 86_400_000).toISOString();
    const locations = await call<{ items: Location[] }>(desk, 'GET', '/api/locations?limit=200');
    const zoneOf = (id: string) => locations.items.find((l) => l.id === id)?.timeZone ?? 'UTC';
    // The demo has patients waiting already, and an urgent one who suits the freed slot would
    // be asked before ours (who joins urgent, last): take a slot none of them suits, as the
    // matcher itself decides.
    const { items: waiting } = await call<{ items: WaitlistEntry[] }>(
      desk,
      'GET',
      '/api/waitlist?status=waiting',
    );
    const rivals = waiting.filter((e) => e.serviceId === service.id && e.priority === 'urgent');
    const suitsRival = (s: AvailableSlot) =>
      rivals.some((e) =>
        suits(
          { ...e, joinedAt: Date.parse(e.joinedAt) },
          {
            start: Date.parse(s.start),
            end: Date.parse(s.end),
            practitionerId: s.practitionerId,
            locationId: s.locationId,
            timeZone: zoneOf(s.locationId),
          },
          now,
        ),
      );
    let slot: AvailableSlot | undefined;
    for (const doctor of doctors.items.filter((p) => p.locationId !== null)) {
      const { slots } = await call<{ slots: AvailableSlot[] }>(
        desk,
        'GET',
        `/api/availability?service=${service.id}&practitioner=${doctor.id}&from=${from}&to=${to}&limit=5`,
      );
      slot = slots.find((s) => !suitsRival(s));
      if (slot) break;
    }
    if (!slot) throw new Error('no open slot');
    const timeZone = zoneOf(slot.locationId);
    const patients = await call<{ items: PatientSummary[] }>(desk, 'GET', '/api/patients?limit=5');
    const holder = patients.items.find((p) => p.id !== me.patient.id);
    if (!holder) throw new Error('no demo patient');

    const booked = await call<{ id: string }>(
      desk,
      'POST',
      '/api/appointments',
      {
        patientId: holder.id,
        serviceId: service.id,
        practitionerId: slot.practitionerId,
        locationId: slot.locationId,
        start: slot.start,
      },
      201,
    );
    // The portal patient can come exactly then: no other open slot suits them.
    const start = wall(slot.start, timeZone);
    const end = wall(slot.end, timeZone);
    await call<WaitlistEntry>(
      desk,
      'POST',
      '/api/waitlist',
      {
        patientId: me.patient.id,
        serviceId: service.id,
        practitionerId: slot.practitionerId,
        priority: 'urgent',
        availability: {
          weekly: [{ weekday: start.weekday, start: start.time, end: end.time }],
          dates: [],
        },
      },
      201,
    );
    await call(desk, 'PATCH', `/api/appointments/${booked.id}`, {
      action: 'cancel',
      reason: 'Patient called',
    });

    // The worker takes the freed slot and sends the offer.
    let offered = false;
    for (let i = 0; i < 60 && !offered; i++) {
      const { items } = await call<{ items: WaitlistEntry[] }>(desk, 'GET', '/api/waitlist');
      offered = items.some(
        (e) => e.patientId === me.patient.id && e.offers.some((o) => o.status === 'pending'),
      );
      if (!offered) await new Promise((r) => setTimeout(r, 500));
    }
    expect(offered).toBe(true);

    const context = await browser.newContext({ viewport: { width: 1200, height: 900 } });
    const page = await context.newPage();
    await withScreenshotOnFailure(page, 'waitlist-offer-accepted', async () => {
      await page.goto(`${app.url}/portal/login`);
      await page.getByLabel('Email').fill(DEMO_LOGINS.patient.email);
      await page.getByLabel('Password').fill(DEMO_LOGINS.patient.password);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('link', { name: 'Open your waitlist' }).click();
      const offer = page.getByTestId('portal-offer');
      await offer.waitFor();
      await offer.getByRole('button', { name: 'Book it' }).click();
      await page.getByText('Booked: see your upcoming appointments.').waitFor();
    });
    await context.close();

    const calendar = await call<{
      appointments: { patientId: string; status: string; start: string }[];
    }>(desk, 'GET', `/api/calendar?from=${from}&to=${to}&practitioner=${slot.practitionerId}`);
    expect(
      calendar.appointments.filter((a) => a.start === slot.start && a.status === 'booked'),
    ).toEqual([expect.objectContaining({ patientId: me.patient.id })]);
  });
});
