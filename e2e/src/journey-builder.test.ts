import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { axeViolations, describeFindings, failing, settle } from './a11y-axe.js';
import { useCareloop, withScreenshotOnFailure } from './harness.js';

const { newPage, signIn } = useCareloop();

/** Drags from one step's outgoing handle to another step's incoming one, as a person would. */
async function connectSteps(page: Page, source: string, target: string): Promise<void> {
  const from = await page
    .locator(`.react-flow__node[data-id="${source}"] .react-flow__handle.source`)
    .boundingBox();
  const to = await page
    .locator(`.react-flow__node[data-id="${target}"] .react-flow__handle.target`)
    .boundingBox();
  if (!from || !to) throw new Error(`no handles to connect ${source} to ${target}`);
  await page.mouse.move(from.x + from.width / 2, from.y + from.height / 2);
  await page.mouse.down();
  await page.mouse.move(to.x + to.width / 2, to.y + to.height / 2, { steps: 12 });
  await page.mouse.up();
}

async function addStep(page: Page, kind: string): Promise<void> {
  await page.getByRole('button', { name: 'Add step' }).click();
  await page.getByRole('menuitem', { name: kind }).click();
}

async function choose(page: Page, label: string, option: string): Promise<void> {
  await page
    .getByRole('textbox', { name: label, exact: true })
    .or(page.getByRole('combobox', { name: label, exact: true }))
    .click();
  await page.getByRole('option', { name: option, exact: true }).click();
}

describe('journey builder', () => {
  it('an admin composes "Welcome text" on the canvas (wait 1 day, SMS, goal), publishes version 1, and a dangling step blocks publishing', async () => {
    // bypassCSP: axe is injected as an inline script, which the app's CSP rightly refuses.
    const page = await newPage(1400, { viewport: { width: 1400, height: 1100 }, bypassCSP: true });
    await signIn(page, 'admin');
    await withScreenshotOnFailure(page, 'journey-builder', async () => {
      await page.getByRole('link', { name: 'Journeys' }).click();
      await page.getByRole('button', { name: 'New journey' }).click();
      await page.getByLabel('Name').fill('Welcome text');
      expect(await page.getByLabel('Key').inputValue()).toBe('welcome-text');
      await choose(page, 'Trigger', 'appointment.booked');
      await page.getByRole('button', { name: 'Create draft' }).click();

      await page.getByRole('heading', { name: 'Welcome text' }).waitFor();
      await page.getByText('starts on appointment.booked').first().waitFor();
      await addStep(page, 'Wait');
      expect(await page.getByRole('textbox', { name: 'Wait for', exact: true }).inputValue()).toBe(
        '1',
      );
      expect(
        await page
          .getByRole('combobox', { name: 'Wait for: unit' })
          .or(page.getByRole('textbox', { name: 'Wait for: unit' }))
          .inputValue(),
      ).toBe('days');
      await addStep(page, 'Send message');
      await choose(page, 'Channel', 'SMS');
      await choose(page, 'Template', 'Appointment reminder, 2 days before (SMS)');
      // The builder with a step's form open meets WCAG 2.2 AA as axe checks it.
      await page.mouse.move(1350, 1050);
      await settle(page);
      expect(describeFindings('builder (send)', failing(await axeViolations(page)))).toBe(
        'builder (send): none',
      );
      await addStep(page, 'Goal');
      await page.locator('.react-flow__controls-fitview').click();

      await connectSteps(page, '@trigger', 'wait');
      await connectSteps(page, 'wait', 'send');
      const canvas = page.getByTestId('journey-canvas');
      // The last link by keyboard: the send step's "Then go to" list (no dragging).
      await canvas.getByTestId('journey-node-send').click();
      const thenGoTo = page
        .getByRole('textbox', { name: 'Then go to', exact: true })
        .or(page.getByRole('combobox', { name: 'Then go to', exact: true }));
      await thenGoTo.focus();
      await page.keyboard.press('Control+A');
      await page.keyboard.type('goal');
      // The filtered option first (under load the list opened after the keys were pressed).
      await page.getByRole('option', { name: 'Goal (goal)' }).waitFor();
      await page.keyboard.press('ArrowDown');
      await page.keyboard.press('Enter');
      expect(await thenGoTo.inputValue()).toBe('Goal (goal)');
      await canvas.getByText('wait 1440 min').waitFor();
      await canvas.getByText('send appointment-reminder-2d by sms').waitFor();
      // The starting exit is now reached by nobody: the validator says so until it is deleted.
      const issues = page.getByTestId('journey-issues');
      await issues.getByText('/nodes/0: node end cannot be reached from wait').waitFor();
      expect(await page.getByRole('button', { name: 'Publish' }).isDisabled()).toBe(true);
      await canvas.getByTestId('journey-node-end').click();
      await page.getByRole('button', { name: 'Delete step' }).click();
      await issues.waitFor({ state: 'detached' });

      await page.getByRole('button', { name: 'Save draft' }).click();
      await page.getByText('Draft saved').waitFor();
      await page.getByRole('button', { name: 'Publish' }).click();
      await page.getByText('version 1').waitFor();
      await page.getByText('published', { exact: true }).waitFor();
      expect(await canvas.locator('.react-flow__edge').count()).toBe(3);

      // A step added and left unconnected: named by the validator, publishing refused.
      await addStep(page, 'Exit');
      await issues
        .getByText(/unreachable|reach/i)
        .first()
        .waitFor();
      expect(await page.getByRole('button', { name: 'Publish' }).isDisabled()).toBe(true);
      expect(await page.getByRole('button', { name: 'Save draft' }).isDisabled()).toBe(true);
      await canvas.getByTestId('journey-node-exit').click();
      await page.keyboard.press('Delete');
      await issues.waitFor({ state: 'detached' });

      // An A/B split is configured in a form: shares that do not add up to 100 are refused.
      await addStep(page, 'A/B split');
      const share = page.getByRole('textbox', { name: 'Branch 1: percent' });
      await share.fill('60');
      await page.getByText('The shares add up to 110 %, not 100 %.').waitFor();
      await settle(page);
      expect(describeFindings('builder (split)', failing(await axeViolations(page)))).toBe(
        'builder (split): none',
      );
      await issues.getByText(/split percentages sum to 110, not 100/).waitFor();
      expect(await page.getByRole('button', { name: 'Publish' }).isDisabled()).toBe(true);
      await share.fill('50');
      await page.getByText('The shares add up to 100 %.').waitFor();
      await page.getByRole('button', { name: 'Delete step' }).click();
      // The split's branches led to an exit added with it, now reached by nobody: deleted too.
      await canvas.getByTestId('journey-node-end').click();
      await page.getByRole('button', { name: 'Delete step' }).click();
      await issues.waitFor({ state: 'detached' });

      await page.getByRole('link', { name: 'Journeys' }).click();
      const row = page.getByTestId('journey').filter({ hasText: 'Welcome text' });
      await row.getByText('published').waitFor();
      expect(await row.getByText('welcome-text').count()).toBe(1);
    });
  }, 180_000);
});
