// A real browser for the console's end-to-end tests: Debian's Chromium (chromium-headless-shell, which
// .ci/run installs with a CJK font) driven by playwright-core, which downloads no browser of its own.
// Outside CI a machine without the browser skips those tests, saying so loudly; with CI=true they fail.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Browser, Page } from 'playwright-core';
import { chromium } from 'playwright-core';

const CANDIDATES = [
  process.env.CHROMIUM_PATH,
  '/usr/lib/chromium/chromium-headless-shell',
  '/usr/bin/chromium-headless-shell',
  '/usr/bin/chromium',
  '/usr/lib/chromium/chromium',
];

/** The browser's executable, or undefined when none is installed. */
export const chromiumPath: string | undefined = CANDIDATES.find(
  (p): p is string => typeof p === 'string' && p !== '' && existsSync(p),
);

export const mustRunBrowserTests = process.env.CI === 'true';

if (!chromiumPath) {
  const message =
    'NO BROWSER FOUND: the console’s browser tests need Chromium (apt-get install chromium-headless-shell fonts-wqy-microhei, as .ci/run does).';
  if (mustRunBrowserTests) throw new Error(`${message} CI=true: they must run.`);
  console.warn(`\n${'!'.repeat(100)}\n${message}\nSKIPPING THEM on this machine.\n${'!'.repeat(100)}\n`);
}

export async function launchBrowser(): Promise<Browser> {
  if (!chromiumPath) throw new Error('no browser');
  return chromium.launch({
    executablePath: chromiumPath,
    // The flags known to work on these machines: no sandbox (root), no GPU, and no calls to Google's hosts.
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-dev-shm-usage',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

export interface AxeFinding {
  id: string;
  impact: string | null;
  help: string;
  nodes: string[];
}

/** axe-core's serious and critical findings on the page as it is now (evaluated over CDP: the CSP stays on). */
export async function seriousAccessibilityFindings(page: Page): Promise<AxeFinding[]> {
  await page.evaluate(axeSource);
  return page.evaluate(async () => {
    const axe = (globalThis as unknown as { axe: { run(ctx: unknown, o: object): Promise<AxeResults> } }).axe;
    const doc = (globalThis as unknown as { document: unknown }).document;
    type AxeResults = {
      violations: { id: string; impact: string | null; help: string; nodes: { target: string[] }[] }[];
    };
    const results = await axe.run(doc, { resultTypes: ['violations'] });
    return results.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => ({
        id: v.id,
        impact: v.impact,
        help: v.help,
        nodes: v.nodes.map((n) => n.target.join(' ')),
      }));
  });
}
