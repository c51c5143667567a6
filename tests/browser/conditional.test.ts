import { mkdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import type { ManagedProcess } from '../../infra/stack/processes';
import { TEST_ENV } from '../support/env';
import { startTestWeb, launchChromium } from '../support/web';
import { startCompute, startOrchestrator, stopProcess, testWorkerEnv } from '../support/workers';

/**
 * Conditional parameters in a real browser (issue #14, item 7): a sampler study whose `rho` (the
 * Karras spacing's exponent) is active only for `spacing: karras` is written with the launch
 * form's "active when" controls (a bad condition is refused at its row first), runs on the real
 * workers, and its page shows rho as inactive, not as a missing value, wherever a trial used
 * logSNR: in the trial table, in the trial drawer and on the parallel-coordinates chart.
 */
const w = testWorkerEnv('browser-cond');
const procs: ManagedProcess[] = [];
let browser: Browser;
const base = `http://127.0.0.1:${TEST_ENV.webPort}`;

beforeAll(async () => {
  procs.push(...(await Promise.all([startOrchestrator(w), startCompute(w, 'browser-cond-compute', { STEPWISE_MODEL_DIR: '.data/test-cond/models' })])));
  procs.push(await startTestWeb(w, TEST_ENV.webPort));
  browser = await launchChromium();
  mkdirSync('tests/artifacts', { recursive: true });
}, 600_000);

afterAll(async () => {
  await browser?.close();
  for (const p of procs.reverse()) await stopProcess(p);
});

describe('conditional parameters on the dashboard', () => {
  it('launches a study with a conditional parameter from the form and shows inactive cells as inactive', async () => {
    const page = await browser.newPage({ viewport: { width: 1500, height: 950 } });
    await page.goto(`${base}/launch`);
    const form = page.getByTestId('launch-form');
    await form.waitFor();
    await form.locator('input[name="name"]').fill('conditional rho');
    await form.locator('select[name="objective.type"]').selectOption('sampler');
    await form.locator('input[name="objective.model"]').fill('gmm-2d');
    await form.locator('input[name="budget.trials"]').fill('10');
    await form.locator('input[name="budget.parallel"]').fill('2');
    await form.locator('input[name="seed"]').fill('3');

    // The sampler example: spacing (categorical), then rho active when spacing in [karras].
    expect(await form.locator('input[name="space.0.choices"]').inputValue()).toBe('logSNR, karras');
    const when = form.getByTestId('space-1-when');
    expect(await when.locator('select[name="space.1.when.param"]').inputValue()).toBe('spacing');
    // Only categorical rows above a row can be its parent: nfe (row 2) offers spacing alone.
    expect(await form.getByTestId('space-2-when').locator('option').allTextContents()).toEqual(['always', 'spacing in…']);

    // A condition with no values is refused at its row, with the fix, and nothing is launched.
    await when.locator('input[name="space.1.when.in.karras"]').uncheck();
    await page.getByTestId('launch-submit').click();
    await expect.poll(async () => page.getByTestId('error-space.1.when.in').textContent(), { timeout: 20_000 }).toMatch(/list at least one choice of the parent/);
    expect(page.url()).toMatch(/\/launch$/);
    await page.screenshot({ path: 'tests/artifacts/conditional-form.png', fullPage: true });
    await when.locator('input[name="space.1.when.in.karras"]').check();
    await expect.poll(async () => page.getByTestId('error-space.1.when.in').count(), { timeout: 10_000 }).toBe(0);
    await page.getByTestId('launch-submit').click();
    await page.waitForURL(/\/studies\/[0-9a-f-]{36}/, { timeout: 60_000 });

    await expect.poll(async () => (await page.getByTestId('study-status').textContent())?.trim(), { timeout: 240_000, interval: 1000 }).toBe('completed');
    const table = page.getByTestId('trial-table');
    await expect.poll(async () => table.getByTestId('trial-row').count(), { timeout: 30_000 }).toBe(10);

    // Columns in space order: spacing, rho, nfe. A logSNR trial has rho inactive (its own cell,
    // saying so, with the condition as title); a karras trial has a number there.
    const head = await table.locator('thead th').allTextContents();
    const col = (name: string) => head.indexOf(name);
    expect(col('rho')).toBeGreaterThan(col('spacing'));
    const rows = await table.getByTestId('trial-row').evaluateAll((trs, [s, r]) => trs.map((tr) => {
      const cells = [...tr.querySelectorAll('td')];
      return { spacing: cells[s].textContent, rho: cells[r].textContent, inactive: cells[r].getAttribute('data-testid') === 'param-inactive', title: cells[r].getAttribute('title') };
    }), [col('spacing'), col('rho')]);
    const logSnr = rows.filter((r) => r.spacing === 'logSNR'), karras = rows.filter((r) => r.spacing === 'karras');
    expect(logSnr.length).toBeGreaterThan(0);
    expect(karras.length).toBeGreaterThan(0);
    for (const r of logSnr) expect(r).toMatchObject({ rho: 'inactive', inactive: true, title: 'inactive: rho is used only when spacing in [karras]' });
    for (const r of karras) {
      expect(r.inactive).toBe(false);
      expect(Number(r.rho)).toBeGreaterThanOrEqual(3);
      expect(Number(r.rho)).toBeLessThanOrEqual(10);
    }

    // The drawer of a logSNR trial lists rho as inactive with the condition that would use it.
    await table.getByTestId('trial-row').filter({ has: page.getByTestId('param-inactive') }).first().click();
    const drawer = page.getByTestId('trial-drawer');
    await drawer.waitFor();
    expect(await drawer.getByTestId('drawer-param-inactive').getAttribute('data-param')).toBe('rho');
    expect(await drawer.getByTestId('drawer-param-inactive').textContent()).toBe('rho: inactive (used only when spacing in [karras])');
    expect(await drawer.locator('.params').textContent()).not.toMatch(/rho/);
    await page.getByTestId('trial-drawer-close').click();

    // The parallel chart draws every completed trial, rho's axis with its inactive tick.
    const chart = page.getByTestId('parallel-chart');
    await expect.poll(async () => chart.getAttribute('data-rows'), { timeout: 30_000 }).toBe('10');
    expect(await chart.getAttribute('data-inactive-axes')).toBe('rho');
    await page.screenshot({ path: 'tests/artifacts/conditional-study.png', fullPage: true });
  });
});
