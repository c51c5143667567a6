import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import type { Db } from '@stepwise/db';
import type { StepwiseService } from '@stepwise/service';
import type { ManagedProcess } from '../../infra/stack/processes';
import { TEST_ENV } from '../support/env';
import { startTestWeb, launchChromium } from '../support/web';
import { connectService, waitForStatus } from '../support/service';
import { startCompute, startOrchestrator, stopProcess, testWorkerEnv } from '../support/workers';

/**
 * The study page of a multi-objective study in a real browser: the Pareto panel shows the stored
 * front (as many rows and highlighted points as trials flagged on_front), the scatter and the
 * hypervolume chart, and states its reference point; the trial table shows both objectives.
 */
const w = testWorkerEnv('browser-pareto');
const procs: ManagedProcess[] = [];
let browser: Browser;
let service: StepwiseService;
let db: Db;
let close: () => Promise<void>;
const base = `http://127.0.0.1:${TEST_ENV.webPort}`;

beforeAll(async () => {
  procs.push(...(await Promise.all([startOrchestrator(w, 'browser-pareto-orch'), startCompute(w, 'browser-pareto-compute')])));
  procs.push(await startTestWeb(w, TEST_ENV.webPort));
  ({ service, db, close } = await connectService(w));
  browser = await launchChromium();
}, 600_000);

afterAll(async () => {
  await browser?.close();
  await close?.();
  for (const p of procs.reverse()) await stopProcess(p);
});

describe('Pareto panel', () => {
  it('renders the stored front of a finished ZDT1 study with its hypervolume chart and reference point', async () => {
    const study = await service.launchStudy({
      source: 'client',
      config: {
        name: 'browser mo zdt1', kind: 'random',
        objective: { type: 'function', function: 'zdt1', dim: 3 },
        objectives: [{ metric: 'f1', direction: 'minimize' }, { metric: 'f2', direction: 'minimize' }],
        budget: { trials: 30, parallel: 4 }, seed: 4,
      },
    });
    expect((await waitForStatus(service, study.id, ['completed', 'failed', 'cancelled'], 120_000)).status).toBe('completed');
    const front = await db.trial.findMany({ where: { studyId: study.id, onFront: true }, select: { number: true } });
    expect(front.length).toBeGreaterThan(0);

    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    await page.goto(`${base}/studies/${study.id}`);
    const panel = page.getByTestId('pareto-panel');
    await expect.poll(async () => panel.getAttribute('data-front'), { timeout: 30_000 }).toBe(String(front.length));
    expect(await panel.getAttribute('data-completed')).toBe('30');
    expect(await page.getByTestId('pareto-front').locator('tbody tr').count()).toBe(front.length);
    const rowText = await page.getByTestId('pareto-front').locator('tbody').textContent();
    for (const t of front) expect(rowText).toContain(`#${t.number}`);
    await expect.poll(async () => page.getByTestId('pareto-scatter').locator('canvas').count(), { timeout: 10_000 }).toBeGreaterThan(0);
    await expect.poll(async () => page.getByTestId('pareto-hypervolume').locator('canvas').count(), { timeout: 10_000 }).toBeGreaterThan(0);
    expect(await page.getByTestId('pareto-reference').textContent()).toContain('Reference point [11, 11]');
    // The trial table shows both objectives and marks the front's trials.
    await expect.poll(async () => page.getByTestId('trial-row').count(), { timeout: 10_000 }).toBe(30);
    expect(await page.locator('th[data-sort="value"]').textContent()).toContain('f1 / f2');
    expect(await page.getByTestId('trial-on-front').count()).toBe(front.length);
    await page.close();
  });
});
