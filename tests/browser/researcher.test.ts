import { mkdirSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import type { ManagedProcess } from '../../infra/stack/processes';
import { TEST_ENV } from '../support/env';
import { startTestWeb, launchChromium } from '../support/web';
import { startCompute, startOrchestrator, stopProcess, testWorkerEnv } from '../support/workers';

/**
 * A researcher's first day in a real browser (issue #13): every study kind launched from the
 * YAML editor (errors at the line of their field), a live best-so-far chart that never blinks
 * empty between polls, and the insight views, notes and comparison of a finished study.
 */
const w = testWorkerEnv('browser-researcher');
const modelEnv = { STEPWISE_MODEL_DIR: '.data/test/models' };
const procs: ManagedProcess[] = [];
let browser: Browser;
const base = `http://127.0.0.1:${TEST_ENV.webPort}`;

beforeAll(async () => {
  procs.push(...(await Promise.all([startOrchestrator(w), startCompute(w, 'browser-researcher-compute', modelEnv)])));
  procs.push(await startTestWeb(w, TEST_ENV.webPort));
  browser = await launchChromium();
  mkdirSync('tests/artifacts', { recursive: true });
}, 600_000);

afterAll(async () => {
  await browser?.close();
  for (const p of procs.reverse()) await stopProcess(p);
});

async function openEditor(page: Page) {
  await page.goto(`${base}/launch`);
  await page.getByTestId('launch-mode-editor').click();
  await page.getByTestId('launch-editor').waitFor();
}

/** Sets the editor's text as a person typing it would (React sees the change). */
async function typeConfig(page: Page, text: string) {
  await page.getByTestId('config-editor').fill(text);
}

async function launchFromEditor(page: Page): Promise<string> {
  await expect.poll(async () => page.getByTestId('editor-valid').count(), { timeout: 10_000 }).toBe(1);
  await page.getByTestId('editor-launch').click();
  await page.waitForURL(/\/studies\/[0-9a-f-]{36}/, { timeout: 60_000 });
  return page.url().split('/studies/')[1];
}

const status = (page: Page) => page.getByTestId('study-status').textContent().then((t) => t?.trim());

describe('a researcher launches every study kind from the browser', () => {
  it('marks a bad field at its line, then launches examples/sampler-grid.yaml as it stands', async () => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await openEditor(page);
    // Line 7 holds the bad value, line 8 the typo: each problem is listed at its own line.
    await typeConfig(page, 'name: x\nkind: random\nobjective:\n  type: function\n  function: branin\nbudget:\n  trials: 0\n  paralel: 4\n');
    const issue = (field: string) => page.getByTestId('editor-issue').and(page.locator(`[data-field="${field}"]`));
    await expect.poll(async () => issue('budget.trials').getAttribute('data-line'), { timeout: 10_000 }).toBe('7');
    expect(await issue('budget.paralel').getAttribute('data-line')).toBe('8');
    expect(await issue('budget.paralel').textContent()).toMatch(/parallel/);
    expect(await page.getByTestId('editor-launch').isDisabled()).toBe(true);

    await page.getByTestId('editor-template').selectOption('sampler-grid.yaml');
    expect(await page.getByTestId('config-editor').inputValue()).toBe(readFileSync('examples/sampler-grid.yaml', 'utf8'));
    await launchFromEditor(page);
    expect(await page.locator('h1').textContent()).toBe('presets by NFE on gmm-64d');
    // It runs as a sampler grid: trials complete with an estimate and its interval.
    await expect.poll(async () => page.getByTestId('trial-row').and(page.locator('[data-status="completed"]')).count(), { timeout: 240_000, interval: 1000 }).toBeGreaterThan(0);
    expect(await page.getByTestId('trial-value').first().textContent()).toMatch(/±/);
    // Estimates get intervals in the views, and the noise-aware best is the best pessimistic bound.
    await expect.poll(async () => page.getByTestId('slice-chart').getAttribute('data-error-bars'), { timeout: 30_000 }).toBe('1');
    await expect.poll(async () => page.getByTestId('study-noise-aware-best').getAttribute('data-rule'), { timeout: 30_000 }).toBe('confidence-bound');
    expect(await page.getByTestId('study-noise-aware-ci').textContent()).toMatch(/^\[.*, .*\]$/);
    await page.screenshot({ path: 'tests/artifacts/researcher-sampler-grid.png', fullPage: true });
    await page.getByTestId('cancel-study').click();
    await page.getByTestId('cancel-study').click();
    await page.close();
  });

  it('launches examples/evaluate-race.yaml and shows its race, without the per-row worker and duration', async () => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await openEditor(page);
    await page.getByTestId('editor-template').selectOption('evaluate-race.yaml');
    expect(await page.getByTestId('config-editor').inputValue()).toBe(readFileSync('examples/evaluate-race.yaml', 'utf8'));
    await launchFromEditor(page);
    expect(await page.locator('h1').textContent()).toBe('race on gmm-64d');
    await expect.poll(async () => page.getByTestId('trial-row').count(), { timeout: 120_000, interval: 1000 }).toBe(4);
    const headers = await page.getByTestId('trial-table').locator('thead th').allTextContents();
    expect(headers).not.toContain('Worker');
    expect(headers).not.toContain('Duration');
    await page.screenshot({ path: 'tests/artifacts/researcher-evaluate.png', fullPage: true });
    await page.getByTestId('cancel-study').click();
    await page.getByTestId('cancel-study').click();
    await page.close();
  });
});

describe('a live study and its views', () => {
  it('best-so-far is never empty between polls once drawn; the finished study has every view, notes and a comparison', async () => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    await openEditor(page);
    await typeConfig(page, 'name: live branin\nkind: random\nobjective:\n  type: function\n  function: branin\n  noiseStd: 0.5\nbudget:\n  trials: 400\n  parallel: 2\nseed: 3\n');
    const id = await launchFromEditor(page);
    const chart = page.getByTestId('best-chart');
    await expect.poll(async () => Number(await chart.getAttribute('data-points')), { timeout: 120_000, interval: 250 }).toBeGreaterThan(3);

    // Watch every frame the browser paints while the page polls: the running-best line's green
    // must be on the canvas in each of them (a series rebuilt on update animates in from nothing).
    const watch = await page.evaluate(async () => {
      // Runs in the page; tests/ compile without the DOM library, so the few DOM shapes used are spelt out.
      interface Canvas { width: number; height: number; clientWidth: number; getContext(k: '2d'): { getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray } } }
      interface Box { dataset: Record<string, string | undefined>; querySelector(s: string): Canvas }
      const win = globalThis as unknown as { document: { querySelector(s: string): Box }; requestAnimationFrame(f: () => void): number };
      const requestAnimationFrame = (f: () => void) => win.requestAnimationFrame(f);
      const box = win.document.querySelector('[data-testid="best-chart"]');
      const canvas = box.querySelector('canvas');
      const ctx = canvas.getContext('2d');
      let updates = 0, frames = 0, minGreen = Infinity, last = box.dataset.points;
      return await new Promise<{ updates: number; frames: number; minGreen: number }>((resolve) => {
        const frame = () => {
          // Only the plot area (the grid's margins: left 64, right 44, top 36, bottom 56 css px):
          // the legend's green line icon is there whether or not the series is drawn.
          const r = canvas.width / canvas.clientWidth;
          const px = ctx.getImageData(64 * r, 36 * r, canvas.width - 108 * r, canvas.height - 92 * r).data;
          let green = 0;
          for (let i = 0; i < px.length; i += 4) if (px[i] < 90 && px[i + 1] > 110 && px[i + 1] < 170 && px[i + 2] > 40 && px[i + 2] < 120) green++;
          minGreen = Math.min(minGreen, green);
          frames++;
          if (box.dataset.points !== last) {
            updates++;
            last = box.dataset.points;
          }
          if (updates >= 4 || frames > 4000) resolve({ updates, frames, minGreen });
          else requestAnimationFrame(frame);
        };
        requestAnimationFrame(frame);
      });
    });
    expect(watch.updates).toBeGreaterThanOrEqual(2);
    expect(watch.minGreen).toBeGreaterThan(0);

    // The header's best trial is one the table (from the same snapshot) shows as completed.
    await expect.poll(async () => status(page), { timeout: 300_000, interval: 1000 }).toBe('completed');
    const bestNumber = (await page.getByTestId('study-best').locator('xpath=..').textContent())?.match(/trial #(\d+)/)?.[1];
    expect(bestNumber).toBeTruthy();

    // Noise-aware best with its interval, and the known optimum on a log-y chart.
    await expect.poll(async () => page.getByTestId('study-noise-aware-ci').count(), { timeout: 30_000 }).toBe(1);
    expect(await page.getByTestId('study-noise-aware-best').getAttribute('data-rule')).toBe('posterior-mean');
    await page.getByTestId('best-log-y').check();
    await expect.poll(async () => chart.getAttribute('data-log-y')).toBe('1');

    // The views optuna-dashboard has.
    for (const v of ['slice-chart', 'contour-chart', 'importance-chart', 'edf-chart']) await page.getByTestId(v).locator('canvas').first().waitFor({ timeout: 20_000 });
    expect(await page.getByTestId('importance-method-label').textContent()).toMatch(/variance share/);
    expect(await page.getByTestId('slice-chart').getAttribute('data-error-bars')).toBe('1');
    const count = page.getByTestId('filter-count');
    const all = Number((await count.textContent())?.match(/of (\d+)/)?.[1]);
    expect(all).toBe(400);
    await page.getByTestId('filter-x1-max').fill('0');
    await expect.poll(async () => Number((await count.textContent())?.match(/^(\d+)/)?.[1])).toBeLessThan(all);
    for (const cell of await page.getByTestId('filter-row').locator('td:nth-child(3)').allTextContents()) expect(Number(cell)).toBeLessThanOrEqual(0);

    // Notes: too long is refused with the field named; a normal note is saved and read back.
    const notes = page.getByTestId('study-notes-text');
    await notes.fill('x'.repeat(10_001));
    await page.getByTestId('study-notes-save').click();
    await expect.poll(async () => page.getByTestId('error-notes').textContent(), { timeout: 10_000 }).toMatch(/notes: at most 10000 characters/);
    await notes.fill('noise 0.5 hides the basin; try bayesopt next');
    await page.getByTestId('study-notes-save').click();
    // Reload only once the server has answered: a reload sent with the save still in flight cancels it.
    await page.getByTestId('study-notes-saved').waitFor({ timeout: 20_000 });
    await page.reload();
    await expect.poll(async () => page.getByTestId('study-notes-text').inputValue(), { timeout: 20_000 }).toBe('noise 0.5 hides the basin; try bayesopt next');
    await page.screenshot({ path: 'tests/artifacts/researcher-views.png', fullPage: true });

    // Comparison: this study beside another, both curves and both rows.
    await page.goto(`${base}/compare?ids=${id}`);
    await page.getByTestId('compare-row').first().waitFor({ timeout: 20_000 });
    // Pick by id: a picked study moves in the list, so "the first other box" would change under the click.
    const other = await page.getByTestId('compare-pick').and(page.locator(`:not([data-id="${id}"])`)).first().getAttribute('data-id');
    await page.locator(`[data-testid="compare-pick"][data-id="${other}"]`).check();
    await expect.poll(async () => page.getByTestId('compare-row').count(), { timeout: 20_000 }).toBe(2);
    expect(await page.getByTestId('compare-chart').getAttribute('data-series')).toBe('2');
    await page.screenshot({ path: 'tests/artifacts/researcher-compare.png', fullPage: true });
    await page.close();
  });
});
