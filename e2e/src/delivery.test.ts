// Delivery: what a first visit transfers, how static files are cached, how fast sign-in is.
import { availableParallelism, loadavg } from 'node:os';
import type { BrowserContext, CDPSession, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { DEMO_LOGINS, useCareloop, withScreenshotOnFailure } from './harness.js';

/** Issue 10: the first visit to the login page transfers less than this. */
const FIRST_VISIT_BUDGET_BYTES = 200_000;
/** Issue 10: sign-in to a visible patient list, on loopback, median of three, on a quiet machine. */
const SIGN_IN_BUDGET_MS = 400;

/**
 * The budget on this machine now: 400 ms when at most one runnable process per core (the
 * 1-minute load average), stretched by the load beyond that, since the server's argon2 and
 * queries and the browser all wait for a core (here several engineers' suites and benchmarks
 * share two cores). Both figures are printed. What does not depend on the machine's speed is
 * checked apart: no script is fetched after the sign-in answer (see below).
 */
function signInBudgetMs(): { budget: number; loadPerCore: number } {
  const loadPerCore = (loadavg()[0] ?? 0) / Math.max(1, availableParallelism());
  return { budget: SIGN_IN_BUDGET_MS * Math.max(1, loadPerCore), loadPerCore };
}

const { app, browser } = useCareloop();

interface Transfer {
  url: string;
  status: number;
  encodedBytes: number;
  headers: Record<string, string>;
  requestHeaders: Record<string, string>;
}

/** Records every response of a page through CDP: its headers and the bytes on the wire. */
async function recordTransfers(page: Page): Promise<{ done: () => Transfer[] }> {
  const cdp: CDPSession = await page.context().newCDPSession(page);
  await cdp.send('Network.enable');
  const byId = new Map<string, Omit<Transfer, 'encodedBytes' | 'requestHeaders'>>();
  // The headers the network stack sent (Accept-Encoding among them) come in an event of their own.
  const sentHeaders = new Map<string, Record<string, string>>();
  const finished: Transfer[] = [];
  const lower = (h: Record<string, unknown>) =>
    Object.fromEntries(Object.entries(h).map(([k, v]) => [k.toLowerCase(), String(v)]));
  cdp.on('Network.requestWillBeSentExtraInfo', (event) => {
    sentHeaders.set(event.requestId, lower(event.headers));
  });
  cdp.on('Network.responseReceived', (event) => {
    byId.set(event.requestId, {
      url: event.response.url,
      status: event.response.status,
      headers: lower(event.response.headers),
    });
  });
  cdp.on('Network.loadingFinished', (event) => {
    const response = byId.get(event.requestId);
    if (response) {
      const requestHeaders = sentHeaders.get(event.requestId) ?? {};
      finished.push({ ...response, requestHeaders, encodedBytes: event.encodedDataLength });
    }
  });
  return { done: () => finished };
}

async function freshContext(): Promise<BrowserContext> {
  return browser.newContext({ viewport: { width: 1400, height: 900 } });
}

describe('delivery', () => {
  it('transfers the login page compressed and under 200 kB on a first visit', async () => {
    const context = await freshContext();
    const page = await context.newPage();
    await withScreenshotOnFailure(page, 'delivery-first-visit', async () => {
      const recording = await recordTransfers(page);
      await page.goto(`${app.url}/login`, { waitUntil: 'networkidle' });
      await page.getByRole('button', { name: 'Sign in' }).waitFor();
      const transfers = recording.done();
      const total = transfers.reduce((sum, t) => sum + t.encodedBytes, 0);
      console.info(
        `[delivery] first visit to /login: ${transfers.length} responses, ${total} bytes\n` +
          transfers.map((t) => `  ${t.encodedBytes}\t${t.status}\t${t.url}`).join('\n'),
      );
      expect(total).toBeLessThan(FIRST_VISIT_BUDGET_BYTES);

      const document = transfers.find((t) => new URL(t.url).pathname === '/login');
      expect(document?.headers['cache-control']).toBe('no-cache');
      expect(document?.headers['content-encoding']).toBe('br');
      const assets = transfers.filter((t) => new URL(t.url).pathname.startsWith('/assets/'));
      expect(assets.length).toBeGreaterThan(0);
      for (const asset of assets) {
        expect(asset.requestHeaders['accept-encoding'], asset.url).toMatch(/\bbr\b/);
        // The build leaves files under 512 bytes uncompressed (packages/web/build/precompress.ts).
        const small = Number(asset.headers['content-length'] ?? Number.POSITIVE_INFINITY) < 512;
        if (!small) expect(asset.headers['content-encoding'], asset.url).toBe('br');
        expect(asset.headers['cache-control'], asset.url).toBe(
          'public, max-age=31536000, immutable',
        );
      }
    });
    await context.close();
  });

  // The machine may be busy with other work: a median of three, and one more try.
  it('signs in to a visible patient list within 400 ms (median of three, measured in the page)', {
    retry: 1,
  }, async () => {
    const timings: number[] = [];
    for (let run = 0; run < 3; run++) {
      const context = await freshContext();
      const page = await context.newPage();
      await withScreenshotOnFailure(page, `delivery-sign-in-${run}`, async () => {
        await page.goto(`${app.url}/login`, { waitUntil: 'networkidle' });
        await page.getByLabel('Email').fill(DEMO_LOGINS.frontdesk.email);
        await page.getByLabel('Password').fill(DEMO_LOGINS.frontdesk.password);
        // The page's own clock: from the form's submit to the first patient row in the DOM.
        await page.evaluate(() => {
          const w = window as Window & { signInStart?: number; listShown?: Promise<number> };
          document.querySelector('form')?.addEventListener(
            'submit',
            () => {
              w.signInStart = performance.now();
            },
            { capture: true, once: true },
          );
          w.listShown = new Promise<number>((resolve) => {
            const observer = new MutationObserver(() => {
              if (document.querySelector('[data-testid="patient-row"]')) {
                observer.disconnect();
                resolve(performance.now());
              }
            });
            observer.observe(document.body, { childList: true, subtree: true });
          });
        });
        await page.getByRole('button', { name: 'Sign in' }).click();
        await page.getByTestId('patient-row').first().waitFor();
        const elapsed = await page.evaluate(async () => {
          const w = window as Window & { signInStart?: number; listShown?: Promise<number> };
          const shown = await w.listShown;
          if (shown === undefined || w.signInStart === undefined) return Number.NaN;
          return shown - w.signInStart;
        });
        expect(elapsed).toBeGreaterThan(0);
        timings.push(elapsed);
        // The pages signed-in users land on load while the password is checked: once the
        // sign-in answer is in, the patient list waits for its data only, never for a script.
        const lateScripts = await page.evaluate(() => {
          const entries = performance.getEntriesByType('resource') as PerformanceResourceTiming[];
          const login = entries.find((e) => e.name.endsWith('/api/auth/login'));
          if (!login) return ['no sign-in request seen'];
          return entries
            .filter((e) => e.name.includes('/assets/') && e.startTime >= login.responseEnd)
            .map((e) => e.name);
        });
        expect(lateScripts).toEqual([]);
      });
      await context.close();
    }
    const median = [...timings].sort((a, b) => a - b)[1] ?? Number.NaN;
    const { budget, loadPerCore } = signInBudgetMs();
    console.info(
      `[delivery] sign-in to patient list: ${timings.map((t) => t.toFixed(0)).join(', ')} ms, ` +
        `median ${median.toFixed(0)} ms; load ${loadPerCore.toFixed(1)} per core, budget ${budget.toFixed(0)} ms`,
    );
    expect(median).toBeLessThan(budget);
  });

  it('revisits load the hashed assets from the browser cache without asking the server', async () => {
    const context = await freshContext();
    const page = await context.newPage();
    await withScreenshotOnFailure(page, 'delivery-revisit', async () => {
      await page.goto(`${app.url}/login`, { waitUntil: 'networkidle' });
      const recording = await recordTransfers(page);
      await page.goto(`${app.url}/portal/login`, { waitUntil: 'networkidle' });
      await page.getByRole('button', { name: 'Sign in' }).waitFor();
      const fromServer = recording
        .done()
        .filter((t) => new URL(t.url).pathname.startsWith('/assets/') && t.encodedBytes > 0);
      expect(fromServer.map((t) => t.url)).toEqual([]);
    });
    await context.close();
  });
});
