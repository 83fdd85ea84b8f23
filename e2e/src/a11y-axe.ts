// axe-core in the page under test: what the accessibility tests run on every page.
import { createRequire } from 'node:module';
import type { AxeResults, ImpactValue } from 'axe-core';
import type { Page } from 'playwright-core';

const AXE_SCRIPT = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

/** WCAG 2.0, 2.1 and 2.2, levels A and AA, and axe's best practices (landmarks, headings). */
const TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'];

/** What fails a page: WCAG AA is the bar, and serious and critical findings break it. */
const FAILING: ReadonlySet<ImpactValue> = new Set(['serious', 'critical']);

export interface AxeFinding {
  rule: string;
  impact: ImpactValue | null;
  help: string;
  /** The first few elements, as CSS selectors with their HTML, to find them again. */
  nodes: string[];
  count: number;
}

/** Runs axe on the page as it is now (after the page has settled) and returns its violations. */
export async function axeViolations(page: Page): Promise<AxeFinding[]> {
  const loaded = await page.evaluate(() => 'axe' in window);
  if (!loaded) await page.addScriptTag({ path: AXE_SCRIPT });
  const results = await page.evaluate(
    (tags) =>
      (window as unknown as { axe: { run: (...args: unknown[]) => Promise<AxeResults> } }).axe.run(
        document,
        { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] },
      ),
    TAGS,
  );
  return results.violations.map((v) => ({
    rule: v.id,
    impact: v.impact ?? null,
    help: v.help,
    nodes: v.nodes
      .slice(0, 4)
      .map(
        (n) =>
          `${n.target.join(' ')} ${n.html.slice(0, 160)}${n.failureSummary ? ` (${n.failureSummary.replace(/\s+/g, ' ').slice(0, 200)})` : ''}`,
      ),
    count: v.nodes.length,
  }));
}

/** The violations that fail the WCAG 2.2 AA bar (serious or critical). */
export function failing(findings: AxeFinding[]): AxeFinding[] {
  return findings.filter((f) => f.impact !== null && FAILING.has(f.impact));
}

/** A readable report of findings on a page, for a failed assertion. */
export function describeFindings(where: string, findings: AxeFinding[]): string {
  if (findings.length === 0) return `${where}: none`;
  return findings
    .map(
      (f) =>
        `${where}: ${f.rule} (${f.impact}, ${f.count} nodes): ${f.help}\n${f.nodes.map((n) => `    ${n}`).join('\n')}`,
    )
    .join('\n');
}

/** Waits until the page has loaded its data and no CSS transition (a tab, a fade) is running. */
export async function settle(page: Page): Promise<void> {
  await page.waitForLoadState('networkidle');
  await page.waitForFunction(() =>
    document
      .getAnimations()
      .every((a) => !(a instanceof CSSTransition) || a.playState !== 'running'),
  );
  await page
    .locator('[role="status"][aria-label^="Loading"], [aria-busy="true"]')
    .first()
    .waitFor({ state: 'detached', timeout: 15_000 })
    .catch(() => undefined);
}
