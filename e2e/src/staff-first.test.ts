// What staff and patients meet first: the sign-in pages, the patient list, the 360 header and
// notifications (issue 10, item 5).
import type { PatientSummary } from '@careloop/core';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { DEMO_LOGINS, type DemoRole, useCareloop, withScreenshotOnFailure } from './harness.js';
import { verifyPortalEmail } from './portal-verify.js';

interface PatientPage {
  items: PatientSummary[];
  nextCursor: string | null;
  total: { count: number; exact: boolean } | null;
  fuzzy: boolean;
}

const { app, browser, signIn } = useCareloop();

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

async function newPage(width = 1280): Promise<Page> {
  const context = await browser.newContext({ viewport: { width, height: 900 } });
  return context.newPage();
}

/** Console errors and failed responses of a page, as a developer's console would show them. */
function consoleErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('response', (response) => {
    if (response.status() >= 400) errors.push(`${response.status()} ${response.url()}`);
  });
  return errors;
}

/**
 * Whether a click at the centre of the named button would reach it (nothing lies on top). A
 * string: this package is typed for Node, without the DOM.
 */
async function reachable(page: Page, name: string): Promise<boolean> {
  const hit = await page.evaluate(`(() => {
    const button = [...document.querySelectorAll('button')].find(
      (b) => b.textContent.trim() === ${JSON.stringify(name)} && b.offsetParent !== null);
    if (!button) return 'missing';
    const box = button.getBoundingClientRect();
    const hit = document.elementFromPoint(box.x + box.width / 2, box.y + box.height / 2);
    return hit !== null && button.contains(hit);
  })()`);
  return hit === true;
}

/** Whether the search box's placeholder fits in it, measured in the input's own font. */
const PLACEHOLDER_FITS = `(() => {
  const field = document.querySelector('input[type=search]');
  const style = getComputedStyle(field);
  const context = document.createElement('canvas').getContext('2d');
  context.font = style.font;
  const room = field.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
  return context.measureText(field.placeholder).width <= room;
})()`;

describe('sign-in pages', () => {
  it('the console and portal sign-in pages log no error in the browser console', async () => {
    const page = await newPage();
    const errors = consoleErrors(page);
    await withScreenshotOnFailure(page, 'first-login-console', async () => {
      for (const path of ['/login', '/portal/login', '/portal/register']) {
        await page.goto(`${app.url}${path}`);
        await page.getByLabel('Email').waitFor();
        await page.waitForLoadState('networkidle');
      }
      expect(errors).toEqual([]);
    });
    await page.context().close();
  });

  it('the portal sign-in links to sign-up, which names the only clinic and signs the patient up', async () => {
    const page = await newPage(390);
    await withScreenshotOnFailure(page, 'first-portal-signup', async () => {
      await page.goto(`${app.url}/portal/login`);
      await page.getByRole('link', { name: 'Create an account' }).click();
      await page.waitForURL((url) => url.pathname === '/portal/register');
      await expect
        .poll(() => page.getByTestId('register-organization').textContent())
        .toContain('Demo Health');
      await page.getByLabel('Given name').fill('Rowan');
      await page.getByLabel('Family name').fill('Quillfeather');
      await page.getByLabel('Date of birth').fill('1991-03-14');
      await page.getByLabel('Email').fill('rowan.quillfeather@example.org');
      await page.getByLabel(/^Password/).fill('lantern orchard velvet 1991');
      await page.getByLabel(/^Confirm password/).fill('lantern orchard velvet 1991');
      await page.getByRole('button', { name: 'Create account' }).click();
      await verifyPortalEmail(
        page,
        app.url,
        'rowan.quillfeather@example.org',
        'lantern orchard velvet 1991',
      );
    });
    await page.context().close();
  });
});

describe('the patient list', () => {
  it('says how many patients there are, and shows the whole search placeholder', async () => {
    const total = (await apiGet<PatientPage>(await apiSession('frontdesk'), '/api/patients')).total;
    expect(total?.exact).toBe(true);
    const page = await newPage();
    await withScreenshotOnFailure(page, 'first-list-total', async () => {
      await signIn(page, 'frontdesk');
      const search = page.getByLabel('Search patients');
      await search.waitFor();
      await expect
        .poll(() => page.getByTestId('patient-total').textContent())
        .toMatch(
          new RegExp(`^${(total?.count ?? 0).toLocaleString('en-US')} patients · showing 25$`),
        );
      const fits = await page.evaluate(PLACEHOLDER_FITS);
      expect(fits).toBe(true);
    });
    await page.context().close();
  });

  it('finds a patient whose name was misspelt, and says these are the closest spellings', async () => {
    const cookie = await apiSession('frontdesk');
    const patients = (await apiGet<PatientPage>(cookie, '/api/patients?limit=100')).items;
    const patient = patients.find(
      (p) => p.familyName.length >= 7 && /^[A-Za-z]+$/.test(p.familyName),
    );
    if (!patient) throw new Error('no demo patient with a plain family name of 7+ letters');
    // One letter dropped from the middle of the family name: no name begins with that.
    const family = patient.familyName;
    const typo = `${patient.givenName} ${family.slice(0, 3)}${family.slice(4)}`;
    const page = await newPage();
    await withScreenshotOnFailure(page, 'first-list-typo', async () => {
      await signIn(page, 'frontdesk');
      await page.getByLabel('Search patients').fill(typo);
      await page.getByTestId('fuzzy-notice').waitFor();
      await page.locator(`a[href="/patients/${patient.id}"]`).waitFor();
    });
    await page.context().close();
  });
});

describe('the 360 page', () => {
  it('explains recorded consent against the organization default', async () => {
    const cookie = await apiSession('frontdesk');
    const [patient] = (await apiGet<PatientPage>(cookie, '/api/patients?limit=1')).items;
    if (!patient) throw new Error('no demo patient');
    const page = await newPage();
    await withScreenshotOnFailure(page, 'first-consent-legend', async () => {
      await signIn(page, 'frontdesk');
      await page.getByLabel('Search patients').waitFor();
      await page.goto(`${app.url}/patients/${patient.id}`);
      const legend = page.getByTestId('consent-legend');
      await legend.waitFor();
      expect(await legend.textContent()).toMatch(/recorded.*organization's default/s);
      expect(await page.locator('[data-consent="default"]').count()).toBeGreaterThan(0);
    });
    await page.context().close();
  });

  it('keeps Sign out and More actions clickable however many notifications come', async () => {
    const cookie = await apiSession('frontdesk');
    const [patient] = (await apiGet<PatientPage>(cookie, '/api/patients?limit=1')).items;
    if (!patient) throw new Error('no demo patient');
    const page = await newPage();
    await withScreenshotOnFailure(page, 'first-notifications', async () => {
      await signIn(page, 'frontdesk');
      await page.getByLabel('Search patients').waitFor();
      await page.goto(`${app.url}/patients/${patient.id}?tab=notes`);
      await page.getByRole('tab', { name: 'Notes' }).click();
      const note = page.getByLabel('New note');
      for (let i = 1; i <= 5; i++) {
        await expect.poll(() => note.inputValue()).toBe('');
        await note.fill(`Called about parking, attempt ${i}`);
        await page.getByRole('button', { name: 'Add note' }).click();
        await page.getByText(`Called about parking, attempt ${i}`).first().waitFor();
      }
      const shown = page.locator('.mantine-Notification-root');
      await expect.poll(() => shown.count()).toBeGreaterThan(0);
      expect(await shown.count()).toBeLessThanOrEqual(3);
      // Adding notes scrolled the page: back to the top, where the header buttons are.
      await page.evaluate('window.scrollTo(0, 0)');
      expect(await reachable(page, 'Sign out')).toBe(true);
      expect(await reachable(page, 'More actions')).toBe(true);
    });
    await page.context().close();
  });

  it('front desk adds coverage with a subscriber and a care-team member, errors on the field', async () => {
    const cookie = await apiSession('frontdesk');
    const [patient] = (await apiGet<PatientPage>(cookie, '/api/patients?limit=1&sort=-createdAt'))
      .items;
    if (!patient) throw new Error('no demo patient');
    const page = await newPage();
    await withScreenshotOnFailure(page, 'first-coverage-care-team', async () => {
      await signIn(page, 'frontdesk');
      await page.getByLabel('Search patients').waitFor();
      await page.goto(`${app.url}/patients/${patient.id}`);
      await page.getByRole('tab', { name: 'Coverage' }).click();
      await page.getByRole('button', { name: 'Add coverage' }).click();
      const dialog = page.getByRole('dialog');
      await dialog.getByRole('button', { name: 'Add coverage' }).click();
      await dialog.getByText('Enter the payer').waitFor();
      await dialog.getByLabel(/^Payer/).fill('Harborview Mutual');
      await dialog.getByLabel(/^Member ID/).fill('HM-55102');
      await dialog.getByLabel('Subscriber', { exact: true }).fill('Robin Shoreditch');
      await dialog.getByLabel('Relationship to subscriber').click();
      await page.getByRole('option', { name: 'Spouse' }).click();
      await dialog.getByLabel('Start date').fill('2026-03-01');
      await dialog.getByLabel('End date').fill('2026-01-31');
      await dialog.getByRole('button', { name: 'Add coverage' }).click();
      // The server's refusal lands on the field it names.
      await dialog.getByText('The end date is before the start date').waitFor();
      await dialog.getByLabel('End date').fill('');
      await dialog.getByRole('button', { name: 'Add coverage' }).click();
      const table = page.getByRole('table', { name: 'Coverage' });
      await table.getByText('Robin Shoreditch (Spouse)').waitFor();
      expect(await table.textContent()).toContain('HM-55102');

      await page.getByRole('tab', { name: 'Care team' }).click();
      await page.getByLabel('Or name').fill('Tom Weatherby');
      await page.getByLabel(/^Role/).fill('Family carer');
      await page.getByRole('button', { name: 'Add to care team' }).click();
      const team = page.getByRole('table', { name: 'Care team' });
      await team.getByText('Tom Weatherby').waitFor();
      await page.getByRole('button', { name: 'Remove Tom Weatherby from the care team' }).click();
      await expect.poll(() => team.getByText('Tom Weatherby').count()).toBe(0);
    });
    await page.context().close();
  });
});
