import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { type ApiSession, useCareloop, withScreenshotOnFailure } from './harness.js';

/** What staff hit first (issue 10, item 5): tasks, users, audit log, interfaces. */

const { app, signIn, newPage, apiSession } = useCareloop();

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
    const title = `Call back about the parking validation ${randomUUID().slice(0, 8)}`;
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
      await page.getByTestId('task').filter({ hasText: title }).waitFor();
    });
    await page.context().close();
  });
});

describe('tasks under minimum necessary', () => {
  it('a clinician gives a task a title for the front desk, who sees it instead of the clinical one', async () => {
    const tag = randomUUID().slice(0, 8);
    const clinicalTitle = `Review biopsy result ${tag}`;
    const deskTitle = `Call the patient back ${tag}`;
    const page = await newPage();
    await withScreenshotOnFailure(page, 'tasks-non-clinical-title', async () => {
      await signIn(page, 'clinician');
      await page.goto(`${app.url}/tasks`);
      await page.getByRole('button', { name: 'New task' }).click();
      const dialog = page.getByRole('dialog', { name: 'New task' });
      await dialog.getByLabel(/^Title\W*$/).fill(clinicalTitle);
      await dialog.getByLabel('Title without clinical detail').fill(deskTitle);
      await dialog.getByLabel('Description').fill(`Pathology ${tag} pending`);
      await dialog.getByLabel('Team queue').click();
      await page.getByRole('option', { name: 'Front desk', exact: true }).click();
      await dialog.getByRole('button', { name: 'Create task' }).click();
      await page.getByText('Task created').waitFor();
    });
    await page.context().close();

    const desk = await newPage();
    await withScreenshotOnFailure(desk, 'tasks-non-clinical-title-desk', async () => {
      await signIn(desk, 'frontdesk');
      await desk.goto(`${app.url}/tasks`);
      await desk.getByText('Front desk queue').first().click();
      await desk.getByTestId('task').filter({ hasText: deskTitle }).waitFor();
      expect(await desk.getByText(clinicalTitle).count()).toBe(0);
      expect(await desk.getByText(`Pathology ${tag}`).count()).toBe(0);
    });
    await desk.context().close();
  });
});

describe('users page', () => {
  const PASSWORD = 'a long enough passphrase 7';
  /** A fresh account (never a demo sign-in other tests rely on), signed in through the API. */
  async function freshUser(role: 'front-desk' | 'admin', name: string) {
    const admin = await apiSession('admin');
    const email = `${name.toLowerCase().replace(/\W+/g, '-')}-${randomUUID().slice(0, 8)}@clinic.example`;
    await apiCall(admin, 'POST', '/api/users', {
      email,
      displayName: name,
      role,
      password: PASSWORD,
    });
    return { email, name };
  }
  async function sessionAlive(email: string, password = PASSWORD) {
    const res = await fetch(`${app.url}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, password }),
    });
    expect(res.status, `sign-in of ${email}`).toBe(200);
    const cookie = res.headers.getSetCookie().find((c) => c.startsWith('careloop_session='));
    const header = cookie?.split(';')[0] ?? '';
    return async () =>
      (await fetch(`${app.url}/api/auth/me`, { headers: { cookie: header } })).status === 200;
  }
  async function findUser(page: Page, name: string) {
    await page.getByLabel('Search users').fill(name);
    const row = page.getByTestId('user').filter({ hasText: name });
    await row.waitFor({ timeout: 15_000 });
    return row;
  }

  it('changes a role only once the admin confirms that it signs the user out', async () => {
    const { email, name } = await freshUser('front-desk', 'Robin Rolechange');
    const alive = await sessionAlive(email);
    const page = await newPage();
    await withScreenshotOnFailure(page, 'users-role-change', async () => {
      await signIn(page, 'admin');
      await page.goto(`${app.url}/admin/users`);
      const row = await findUser(page, name);
      const role = row.getByLabel(`Role of ${name}`);
      await role.click();
      await page.getByRole('option', { name: 'Clinician' }).click();
      const dialog = page.getByRole('dialog', { name: `Change ${name}'s role?` });
      await dialog.getByText(/signed out of every session/).waitFor();
      await dialog.getByRole('button', { name: 'Cancel' }).click();
      await dialog.waitFor({ state: 'hidden' });
      expect(await role.inputValue()).toBe('Front desk');
      expect(await alive()).toBe(true);

      await role.click();
      await page.getByRole('option', { name: 'Clinician' }).click();
      await dialog.getByRole('button', { name: 'Change role and sign out' }).click();
      await page.getByText(`${name} is now Clinician and was signed out`).waitFor();
      expect(await role.inputValue()).toBe('Clinician');
      expect(await alive()).toBe(false);
    });
    await page.context().close();
  });

  it('disables an account only once the admin confirms', async () => {
    const { email, name } = await freshUser('front-desk', 'Dale Disable');
    const alive = await sessionAlive(email);
    const page = await newPage();
    await withScreenshotOnFailure(page, 'users-disable', async () => {
      await signIn(page, 'admin');
      await page.goto(`${app.url}/admin/users`);
      const row = await findUser(page, name);
      await row.getByRole('button', { name: `Disable ${name}` }).click();
      const dialog = page.getByRole('dialog', { name: `Disable ${name}?` });
      await dialog.getByText(/cannot sign in until an admin enables/).waitFor();
      expect(await alive()).toBe(true);
      await dialog.getByRole('button', { name: 'Disable and sign out' }).click();
      await row.getByText('Disabled', { exact: true }).waitFor();
      expect(await alive()).toBe(false);
    });
    await page.context().close();
  });

  it('resets a password to a generated temporary one that signs in', async () => {
    const { email, name } = await freshUser('front-desk', 'Pia Password');
    const alive = await sessionAlive(email);
    const page = await newPage();
    await withScreenshotOnFailure(page, 'users-reset-password', async () => {
      await signIn(page, 'admin');
      await page.goto(`${app.url}/admin/users`);
      const row = await findUser(page, name);
      await row.getByRole('button', { name: `Reset password of ${name}` }).click();
      const dialog = page.getByRole('dialog', { name: `Reset ${name}'s password` });
      await dialog.getByRole('button', { name: 'Generate' }).click();
      await dialog.getByRole('button', { name: 'Reset password and sign out' }).click();
      const shown = dialog.getByTestId('temporary-password');
      await shown.waitFor();
      const temporary = (await shown.textContent()) ?? '';
      expect(temporary.length).toBeGreaterThanOrEqual(12);
      expect(await alive()).toBe(false);
      await sessionAlive(email, temporary);
    });
    await page.context().close();
  });

  it('names an admin privacy officer with a switch', async () => {
    const { name } = await freshUser('admin', 'Olive Officer');
    const page = await newPage();
    await withScreenshotOnFailure(page, 'users-privacy-officer', async () => {
      await signIn(page, 'admin');
      await page.goto(`${app.url}/admin/users`);
      const row = await findUser(page, name);
      const toggle = row.getByRole('switch', { name: `${name} is a privacy officer` });
      expect(await toggle.isChecked()).toBe(false);
      await toggle.click({ force: true });
      await page.getByText(`${name} now reviews every break-glass access`).waitFor();
      const listed = await apiCall<{ items: { privacyOfficer: boolean }[] }>(
        await apiSession('admin'),
        'GET',
        `/api/users?q=${encodeURIComponent(name)}`,
      );
      expect(listed.items.map((u) => u.privacyOfficer)).toEqual([true]);
    });
    await page.context().close();
  });
});

describe('audit log page', () => {
  it('names patients, filters by user and action, exports CSV and verifies the chain', async () => {
    const admin = await apiSession('admin');
    const patients = await apiCall<{
      items: { id: string; givenName: string; familyName: string }[];
    }>(admin, 'GET', '/api/patients?limit=1');
    const patient = patients.items[0];
    if (!patient) throw new Error('the demo seed has no patient');
    const name = `${patient.givenName} ${patient.familyName}`;
    // The coordinator opens the record: the admin then looks for that read in the log.
    await apiCall(await apiSession('coordinator'), 'GET', `/api/patients/${patient.id}`);

    const page = await newPage();
    await withScreenshotOnFailure(page, 'audit-log', async () => {
      await signIn(page, 'admin');
      await page.goto(`${app.url}/admin/audit`);
      await page.getByTestId('audit-event').first().waitFor({ timeout: 15_000 });
      await page.getByLabel('User', { exact: true }).first().click();
      await page.getByRole('option', { name: /coordinator@demo\.careloop\.test/ }).click();
      await page.getByLabel('Action', { exact: true }).first().click();
      await page.getByRole('option', { name: 'read', exact: true }).click();
      const rows = page.getByTestId('audit-event');
      await expect
        .poll(async () => (await rows.allTextContents()).every((t) => t.includes('coordinator@')), {
          timeout: 15_000,
        })
        .toBe(true);
      await rows.getByRole('link', { name }).first().waitFor();

      const [download] = await Promise.all([
        page.waitForEvent('download'),
        page.getByRole('link', { name: 'Export CSV' }).click(),
      ]);
      const file = await download.path();
      const csv = await readFile(file, 'utf8');
      const lines = csv.trimEnd().split('\r\n');
      expect(lines[0]).toMatch(/^seq,occurred_at,actor_email/);
      expect(lines.length).toBeGreaterThan(1);
      expect(lines.slice(1).every((l) => l.includes('"coordinator@demo.careloop.test"'))).toBe(
        true,
      );
      expect(csv).toContain(`"${name}"`);

      await page.getByRole('button', { name: 'Verify chains' }).click();
      const result = page.getByTestId('verify-result');
      await result.getByText('The chain is intact').waitFor({ timeout: 30_000 });
      await result.getByText(/Checked [\d,]+ audit events/).waitFor();
    });
    await page.context().close();
  });
});
