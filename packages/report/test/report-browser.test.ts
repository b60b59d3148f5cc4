import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeReport } from '../src/index.ts';
import { writeFixtureDataset } from './fixture-dataset.ts';

/** The system Chromium (Debian package `chromium`); a downloaded browser is never used. */
const CHROMIUM = '/usr/bin/chromium';
const OUT = resolve(import.meta.dirname, '../test-output');

let browser: Browser;
let dir: string;
let fx: ReturnType<typeof writeFixtureDataset>;
let reportUrl: string;

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `${CHROMIUM} is missing: the report test drives the system Chromium. Install it with ` +
        '`apt-get update && apt-get install -y chromium` (and fonts-noto-cjk for Japanese glyphs).',
    );
  }
  dir = mkdtempSync(join(tmpdir(), 'tane-report-browser-'));
  fx = writeFixtureDataset(dir, { simulator: true });
  reportUrl = pathToFileURL(await writeReport(dir)).href;
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  mkdirSync(OUT, { recursive: true });
});

afterAll(async () => {
  await browser?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

interface Visit {
  page: Page;
  consoleErrors: string[];
  requests: string[];
  dialogs: string[];
}

async function open(colorScheme: 'light' | 'dark'): Promise<Visit> {
  const context = await browser.newContext({ viewport: { width: 1200, height: 900 }, colorScheme });
  const page = await context.newPage();
  const visit: Visit = { page, consoleErrors: [], requests: [], dialogs: [] };
  page.on('console', (m) => {
    if (m.type() === 'error') visit.consoleErrors.push(m.text());
  });
  page.on('pageerror', (e) => visit.consoleErrors.push(String(e)));
  page.on('dialog', (d) => {
    visit.dialogs.push(d.message());
    void d.dismiss();
  });
  page.on('request', (r) => {
    if (r.url() !== reportUrl) visit.requests.push(r.url());
  });
  await page.goto(reportUrl, { waitUntil: 'load' });
  return visit;
}

describe('report.html in Chromium', () => {
  it('renders its charts and tables with no console errors and no network requests', async () => {
    const { page, consoleErrors, requests, dialogs } = await open('light');

    await expect(page.title()).resolves.toBe('Dataset report — ja-business');
    // 1 targets + 2 funnel + 1 judge overall + 4 judge per category + 2 lengths + 1 tokens.
    const charts = page.getByRole('img');
    expect(await charts.count()).toBe(11);
    for (const name of [
      'Accepted examples per category against targets',
      'Funnel for the whole run',
      'How each category’s candidates ended',
      'Judge scores, all categories',
      'Judge scores for sql-query',
      'Instruction length in characters',
      'Output length in characters',
      'Tokens per plugin',
    ]) {
      const chart = page.getByRole('img', { name, exact: true });
      await expect(chart.isVisible()).resolves.toBe(true);
      const box = await chart.boundingBox();
      expect(box?.width, name).toBeGreaterThan(150);
      expect(box?.height, name).toBeGreaterThan(60);
    }
    // Every chart draws something.
    const emptyCharts = await page
      .locator('svg[role="img"]')
      .evaluateAll((svgs) => svgs.filter((s) => s.querySelectorAll('rect.seg').length === 0).length);
    expect(emptyCharts).toBe(0);

    expect(await page.locator('table').count()).toBeGreaterThan(5);
    expect(await page.locator('table:not(:has(caption))').count()).toBe(0);

    // Japanese sample text is shown as text.
    const ja = page.getByText(fx.japanese).first();
    await expect(ja.isVisible()).resolves.toBe(true);
    // The hostile sample is text, not markup.
    expect(await page.locator('script, img, iframe').count()).toBe(0);
    await page.locator('#samples details', { hasText: 'sql-query' }).locator('summary').click();
    await expect(page.getByText(fx.xss.instruction).first().isVisible()).resolves.toBe(true);
    await page.locator('#samples details', { hasText: 'sql-query' }).locator('summary').click();

    await expect(page.getByRole('note').first().textContent()).resolves.toContain('Simulated run.');

    await page.screenshot({ path: join(OUT, 'report.png'), fullPage: true });
    expect(dialogs).toEqual([]);
    expect(consoleErrors).toEqual([]);
    expect(requests).toEqual([]);
  });

  it('renders Japanese text with a CJK font, not as missing-glyph boxes', async () => {
    const { page } = await open('light');
    // Runs in the page (a string, since this package is typechecked without the DOM library).
    const measured = (await page.evaluate(`(async (sample) => {
      await document.fonts.ready;
      const span = document.createElement('span');
      span.textContent = sample;
      span.style.whiteSpace = 'nowrap';
      document.body.append(span);
      const width = span.getBoundingClientRect().width;
      const fontSize = Number.parseFloat(getComputedStyle(span).fontSize);
      span.remove();
      return {
        perGlyph: width / [...sample].length,
        fontSize,
        cjkFont: document.fonts.check(fontSize + 'px "Noto Sans CJK JP"', sample),
      };
    })('請求書から金額を抽出してください')`)) as { perGlyph: number; fontSize: number; cjkFont: boolean };
    // A font with the glyphs draws each kana and kanji a full em wide; the fallback box is narrower.
    expect(measured.cjkFont).toBe(true);
    expect(measured.perGlyph).toBeGreaterThan(measured.fontSize * 0.9);
    expect(measured.perGlyph).toBeLessThan(measured.fontSize * 1.1);
  });

  it('follows the reader’s dark preference', async () => {
    const light = await open('light');
    const dark = await open('dark');
    // Expressions as strings, because this project's TypeScript has no DOM library.
    const bg = (v: Visit) =>
      v.page.evaluate<string>('getComputedStyle(document.documentElement).backgroundColor');
    const bar = (v: Visit) =>
      v.page.evaluate<string>(`getComputedStyle(document.querySelector('svg[role="img"] rect.seg')).fill`);
    expect(await bg(light)).toBe('rgb(255, 255, 255)');
    expect(await bg(dark)).not.toBe(await bg(light));
    expect(await bar(dark)).not.toBe(await bar(light));
    await dark.page.screenshot({ path: join(OUT, 'report-dark.png'), fullPage: true });
    expect(dark.consoleErrors).toEqual([]);
    expect(dark.requests).toEqual([]);
  });
});
