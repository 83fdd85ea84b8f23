// Keyboard only: sign-in, patient search, the 360 tabs and the portal, with no mouse at all.
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { DEMO_LOGINS, type DemoRole, useCareloop, withScreenshotOnFailure } from './harness.js';

const { app, browser } = useCareloop();

interface Focused {
  tag: string;
  role: string | null;
  /** The accessible name as a user would hear it: label, aria-label or text. */
  name: string;
  /**
   * Whether the focused element shows a focus indicator: an outline or a box shadow, or for a
   * text field a border other than the resting grey. Null for an element drawn by another (a
   * switch's hidden checkbox), which this cannot judge.
   */
  indicated: boolean | null;
}

async function focused(page: Page): Promise<Focused> {
  return page.evaluate(() => {
    const el = document.activeElement;
    if (!(el instanceof HTMLElement)) return { tag: '', role: null, name: '', indicated: false };
    const tag = el.tagName.toLowerCase();
    const labelledBy = el.getAttribute('aria-labelledby');
    const byId = labelledBy ? document.getElementById(labelledBy)?.textContent : null;
    const label =
      el.getAttribute('aria-label') ??
      byId ??
      (el.id ? document.querySelector(`label[for="${CSS.escape(el.id)}"]`)?.textContent : null) ??
      el.textContent ??
      '';
    const style = getComputedStyle(el);
    const rect = el.getBoundingClientRect();
    const drawn = style.opacity !== '0' && rect.width > 2 && rect.height > 2;
    const textField =
      tag === 'textarea' ||
      (tag === 'input' && !/checkbox|radio/.test(el.getAttribute('type') ?? ''));
    const restingBorder = 'rgb(206, 212, 218)'; // Mantine's --mantine-color-default-border
    const indicated = !drawn
      ? null
      : (style.outlineStyle !== 'none' && Number.parseFloat(style.outlineWidth) > 0) ||
        style.boxShadow !== 'none' ||
        (textField && style.borderTopColor !== restingBorder);
    return {
      tag,
      role: el.getAttribute('role'),
      name: label.replace(/\s+/g, ' ').trim(),
      indicated,
    };
  });
}

/** Presses Tab (at most `max` times) until the focused element matches; fails otherwise. */
async function tabTo(page: Page, matches: (f: Focused) => boolean, what: string, max = 40) {
  const seen: string[] = [];
  for (let i = 0; i < max; i++) {
    await page.keyboard.press('Tab');
    // Borders and outlines ease in: read them once no transition runs.
    await page.waitForFunction(() =>
      document
        .getAnimations()
        .every((a) => !(a instanceof CSSTransition) || a.playState !== 'running'),
    );
    const now = await focused(page);
    seen.push(`${now.tag}${now.role ? `[${now.role}]` : ''} "${now.name.slice(0, 40)}"`);
    if (matches(now)) {
      if (now.indicated !== null)
        expect(now.indicated, `${what} shows where the focus is`).toBe(true);
      return now;
    }
  }
  throw new Error(`Tab never reached ${what}; focus went through:\n  ${seen.join('\n  ')}`);
}

const named = (re: RegExp) => (f: Focused) => re.test(f.name);

/** Signs in with the keyboard only: Tab to each field, type, Enter. */
async function keyboardSignIn(page: Page, role: DemoRole, path: string): Promise<void> {
  await page.goto(`${app.url}${path}`);
  await page.getByRole('button', { name: 'Sign in' }).waitFor();
  await tabTo(page, named(/^Email/), 'the email field');
  await page.keyboard.type(DEMO_LOGINS[role].email);
  await tabTo(page, (f) => f.tag === 'input' && /^Password/.test(f.name), 'the password field');
  await page.keyboard.type(DEMO_LOGINS[role].password);
  await page.keyboard.press('Enter');
}

const newPage = async (): Promise<Page> =>
  (await browser.newContext({ viewport: { width: 1400, height: 900 } })).newPage();

describe('keyboard only', () => {
  it('signs in, skips to the content, searches, opens a patient and walks the 360 tabs', async () => {
    const page = await newPage();
    await withScreenshotOnFailure(page, 'keyboard-console', async () => {
      await keyboardSignIn(page, 'coordinator', '/login');
      await page.getByTestId('patient-row').first().waitFor();

      // The first Tab offers to skip the header and the navigation.
      await page.keyboard.press('Tab');
      const skip = await focused(page);
      expect(skip.name).toBe('Skip to main content');
      expect(await page.getByRole('link', { name: 'Skip to main content' }).isVisible()).toBe(true);
      await page.keyboard.press('Enter');
      const search = await tabTo(page, named(/^Search patients/), 'the patient search', 5);
      expect(search.tag).toBe('input');

      // Search for the first patient's family name, then Tab to their row's link and open it.
      const firstName =
        (await page.getByTestId('patient-row').first().getByRole('link').first().textContent()) ??
        '';
      const family = firstName.trim().split(/\s+/).at(-1) ?? '';
      expect(family).not.toBe('');
      await page.keyboard.type(family);
      await page.waitForURL((url) => url.searchParams.get('q') === family);
      await page
        .getByTestId('patient-row')
        .first()
        .getByRole('link', { name: firstName.trim() })
        .first()
        .waitFor();
      await tabTo(page, (f) => f.tag === 'a' && f.name.includes(family), `a link to ${family}`);
      await page.keyboard.press('Enter');
      await page.waitForURL(/\/patients\/[0-9a-f-]+/);

      // The tab list: Tab reaches the selected tab, arrows move between tabs and show each.
      await page.getByRole('tab', { name: 'Timeline', selected: true }).waitFor();
      const tab = await tabTo(page, (f) => f.role === 'tab', 'the 360 tabs');
      expect(tab.name).toMatch(/^Timeline/);
      const tabs = page.getByRole('tab');
      const names = (await tabs.allTextContents()).map((t) => t.replace(/\s+/g, ' ').trim());
      expect(names.length).toBeGreaterThan(3);
      for (let i = 1; i < names.length; i++) {
        await page.keyboard.press('ArrowRight');
        expect((await focused(page)).name).toBe(names[i]);
        await page.keyboard.press('Enter');
        await expect.poll(() => tabs.nth(i).getAttribute('aria-selected')).toBe('true');
        const panel = await tabs.nth(i).getAttribute('aria-controls');
        expect(panel).toBeTruthy();
        await page.locator(`[id="${panel}"]`).waitFor();
      }
      // From the last tab, Home returns to the first.
      await page.keyboard.press('Home');
      expect((await focused(page)).name).toMatch(/^Timeline/);
    });
    await page.context().close();
  });

  it('signs in to the portal, changes a preference and saves it', async () => {
    const page = await newPage();
    await withScreenshotOnFailure(page, 'keyboard-portal', async () => {
      await keyboardSignIn(page, 'patient', '/portal/login');
      await page.getByRole('heading', { name: /My profile/ }).waitFor();
      await page.keyboard.press('Tab');
      expect((await focused(page)).name).toBe('Skip to main content');
      await page.keyboard.press('Enter');

      // The first contact permission switch: Space flips it, and Save becomes available.
      const toggle = await tabTo(
        page,
        (f) => f.tag === 'input' && / by /.test(f.name),
        'a contact permission switch',
      );
      const box = page.getByRole('switch', { name: toggle.name, exact: true });
      const before = await box.isChecked();
      await page.keyboard.press('Space');
      expect(await box.isChecked()).toBe(!before);
      await tabTo(page, named(/^Save/), 'the Save button');
      await page.keyboard.press('Enter');
      await page.getByText(/saved/i).first().waitFor();
      await page.reload();
      await page.getByRole('heading', { name: /My profile/ }).waitFor();
      await expect
        .poll(() => page.getByRole('switch', { name: toggle.name, exact: true }).isChecked())
        .toBe(!before);
    });
    await page.context().close();
  });
});
