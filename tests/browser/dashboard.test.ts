import { mkdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import type { ManagedProcess } from '../../infra/stack/processes';
import { TEST_ENV } from '../support/env';
import { startTestWeb, launchChromium } from '../support/web';
import { startCompute, startOrchestrator, stopProcess, testWorkerEnv } from '../support/workers';

/**
 * A real browser (Debian Chromium driven by playwright-core) against the real dashboard, API,
 * Temporal and Postgres: launch a study from the form, watch it complete, open its page.
 */
const w = testWorkerEnv('browser');
const procs: ManagedProcess[] = [];
let browser: Browser;
const base = `http://127.0.0.1:${TEST_ENV.webPort}`;

beforeAll(async () => {
  procs.push(...(await Promise.all([startOrchestrator(w), startCompute(w)])));
  procs.push(await startTestWeb(w, TEST_ENV.webPort));
  browser = await launchChromium();
  mkdirSync('tests/artifacts', { recursive: true });
}, 600_000);

afterAll(async () => {
  await browser?.close();
  for (const p of procs.reverse()) await stopProcess(p);
});

describe('dashboard in a real browser', () => {
  it('shows field errors, launches a study from the form, watches it complete and opens its page', async () => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await page.goto(`${base}/launch`);
    const form = page.getByTestId('launch-form');
    await form.waitFor();

    // An invalid value is reported next to its field and nothing is launched.
    await form.locator('input[name="name"]').fill('browser study');
    await form.locator('input[name="budget.trials"]').fill('0');
    await page.getByTestId('launch-submit').click();
    await expect.poll(async () => page.getByTestId('error-budget.trials').textContent(), { timeout: 20_000 }).toBeTruthy();

    await form.locator('input[name="budget.trials"]').fill('40');
    await form.locator('input[name="budget.parallel"]').fill('4');
    await page.getByTestId('launch-submit').click();
    await page.waitForURL(/\/studies\/[0-9a-f-]{36}/, { timeout: 30_000 });

    const status = page.getByTestId('study-status');
    await expect.poll(async () => (await status.textContent())?.trim(), { timeout: 120_000, interval: 500 }).toBe('completed');
    await page.getByTestId('trial-table').locator('tbody tr').first().waitFor();
    await page.getByTestId('best-chart').locator('canvas, svg').first().waitFor({ timeout: 20_000 });
    expect(await page.getByTestId('trial-table').locator('tbody tr').count()).toBeGreaterThan(0);
    await page.screenshot({ path: 'tests/artifacts/study-page.png', fullPage: true });

    await page.goto(base);
    const row = page.getByTestId('study-row').filter({ hasText: 'browser study' }).first();
    await row.waitFor();
    expect(await row.getAttribute('data-status')).toBe('completed');
    await page.screenshot({ path: 'tests/artifacts/studies.png', fullPage: true });
  });
});
