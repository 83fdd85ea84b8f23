import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { axeViolations, describeFindings, failing, settle } from './a11y-axe.js';
import { useCareloop, withScreenshotOnFailure } from './harness.js';

const { newPage, signIn } = useCareloop();

describe('Integrations', () => {
  it('an admin registers an API client and a webhook endpoint; the page passes axe', async () => {
    // bypassCSP: axe is injected as an inline script, which the app's CSP rightly refuses.
    const page = await newPage(1400, { bypassCSP: true });
    await withScreenshotOnFailure(page, 'integrations', async () => {
      await signIn(page, 'admin');
      await page.getByRole('link', { name: 'Integrations' }).click();
      await page.getByRole('heading', { name: 'Integrations', level: 1 }).waitFor();

      const jwk = generateKeyPairSync('ec', { namedCurve: 'P-384' }).publicKey.export({
        format: 'jwk',
      });
      await page.getByLabel('Name').fill('Population health');
      await page
        .getByLabel('Public keys (JWKS)')
        .fill(JSON.stringify({ keys: [{ ...jwk, kid: 'k1', alg: 'ES384' }] }));
      await page.getByRole('button', { name: 'Register client' }).click();
      const clients = page.getByRole('table', { name: 'API clients' });
      await clients.getByRole('cell', { name: 'Population health', exact: true }).waitFor();
      await expect(clients.getByText('system/Patient.rs').count()).resolves.toBe(1);

      // A documentation address (TEST-NET-3): public, so no allow-list is needed; nothing is sent.
      await page.getByLabel('URL').fill('https://203.0.113.10/careloop-hook');
      await page.getByRole('button', { name: 'Add endpoint' }).click();
      await expect(page.getByTestId('webhook-secret').textContent()).resolves.toMatch(/^whsec_/);
      await page
        .getByRole('table', { name: 'Webhook endpoints' })
        .getByText('https://203.0.113.10/careloop-hook')
        .waitFor();

      // A private address is refused, with the reason shown.
      await page.getByLabel('URL').fill('https://10.0.0.5/hook');
      await page.getByRole('button', { name: 'Add endpoint' }).click();
      await page.getByRole('alert').filter({ hasText: 'private or loopback' }).waitFor();

      await settle(page);
      const findings = failing(await axeViolations(page));
      expect(describeFindings('integrations', findings)).toBe('integrations: none');
    });
    await page.context().close();
  });
});
