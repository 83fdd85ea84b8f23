import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DEMO_LOGINS,
  type DemoRole,
  launchBrowser,
  type RunningCareloop,
  startCareloop,
  withScreenshotOnFailure,
} from './harness.js';

/** What staff hit first (issue 10, item 5): tasks, users, audit log, interfaces. */

let app: RunningCareloop;
let browser: Browser;

beforeAll(async () => {
  [app, browser] = await Promise.all([startCareloop(), launchBrowser()]);
});

afterAll(async () => {
  await browser?.close();
  await app?.stop();
});

interface ApiSession {
  cookie: string;
  csrfToken: string;
}

async function apiSession(role: DemoRole): Promise<ApiSession> {
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

async function apiCall<T>(session: ApiSession, method: string, path: string, body?: unknown) {
  const res = await fetch(`${app.url}${path}`, {
    method,
    headers: {
      cookie: session.cookie,
      'x-csrf-token': session.csrfToken,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  expect(res.status, `${method} ${path}: ${text.slice(0, 300)}`).toBe(200);
  return JSON.parse(text) as T;
}

async function signIn(page: Page, role: DemoRole): Promise<void> {
  await page.goto(`${app.url}/login`);
  await page.getByLabel('Email').fill(DEMO_LOGINS[role].email);
  await page.getByLabel('Password').fill(DEMO_LOGINS[role].password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL((url) => url.pathname !== '/login');
}

async function newPage(width = 1400): Promise<Page> {
  const context = await browser.newContext({ viewport: { width, height: 900 } });
  return context.newPage();
}

describe('tasks', () => {
  for (const role of ['frontdesk', 'clinician', 'coordinator'] as const) {
    it(`${role}: My tasks lists tasks of their own, and their team's queue has work`, async () => {
      const page = await newPage();
      await withScreenshotOnFailure(page, `tasks-${role}`, async () => {
        await signIn(page, role);
        await page.goto(`${app.url}/tasks`);
        const rows = page.getByTestId('task');
        await rows.first().waitFor({ timeout: 15_000 });
        expect(await rows.count()).toBeGreaterThan(0);
        await page
          .getByText(/queue$/)
          .first()
          .click();
        await rows.first().waitFor({ timeout: 15_000 });
      });
      await page.context().close();
    });
  }

  it('shows the whole priority label, on the tasks page and the 360 tasks tab', async () => {
    const page = await newPage(1280);
    await withScreenshotOnFailure(page, 'tasks-priority-badge', async () => {
      await signIn(page, 'coordinator');
      const cutLabels = async () => {
        const labels = page.getByTestId('task').locator('.mantine-Badge-label');
        await labels.first().waitFor({ timeout: 15_000 });
        return labels.evaluateAll((els) =>
          els.filter((el) => el.scrollWidth > el.clientWidth + 1).map((el) => el.textContent ?? ''),
        );
      };
      for (const width of [390, 1024, 1600]) {
        await page.setViewportSize({ width, height: 900 });
        await page.goto(`${app.url}/tasks`);
        expect(await cutLabels(), `tasks page at ${width} px`).toEqual([]);
      }
      const patient = page.getByTestId('task').first().getByRole('link').first();
      await patient.click();
      await page.getByRole('tab', { name: /Tasks/ }).click();
      for (const width of [390, 1024, 1600]) {
        await page.setViewportSize({ width, height: 900 });
        expect(await cutLabels(), `360 tasks tab at ${width} px`).toEqual([]);
      }
    });
    await page.context().close();
  });

  it('front desk takes a task a coordinator queued for the front desk', async () => {
    const title = `Call back about the parking validation ${Date.now().toString(36)}`;
    await apiCall(await apiSession('coordinator'), 'POST', '/api/tasks', {
      title,
      team: 'front-desk',
      assigneeId: null,
    });
    const page = await newPage();
    await withScreenshotOnFailure(page, 'tasks-take', async () => {
      await signIn(page, 'frontdesk');
      await page.goto(`${app.url}/tasks`);
      await page.getByText('Front desk queue').first().click();
      await page.getByRole('button', { name: `Take ${title}` }).click();
      await page.getByText(`You took “${title}”`).waitFor();
      await page.getByText('My tasks').click();
      await page.getByText(title).waitFor();
    });
    await page.context().close();
  });
});
