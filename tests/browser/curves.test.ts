import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
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
 * Pruned trials in a real browser (issue #14, item 6): the study page of an ASHA study over
 * examples/train_tiny.py draws every trial's learning curve with the pruned ones counted apart,
 * the status filter lists only pruned trials, and a pruned trial's drawer shows its own curve.
 */
const w = testWorkerEnv('browser-curves');
const procs: ManagedProcess[] = [];
let browser: Browser;
let service: StepwiseService;
let db: Db;
let close: () => Promise<void>;
let dir: string;
const base = `http://127.0.0.1:${TEST_ENV.webPort}`;

beforeAll(async () => {
  dir = await fs.realpath(await fs.mkdtemp(path.join(os.tmpdir(), 'stepwise-curves-')));
  await fs.copyFile('examples/train_tiny.py', path.join(dir, 'train_tiny.py'));
  await fs.writeFile(path.join(dir, 'commands.json'), JSON.stringify({
    programs: {
      'train-tiny-steps': { argv: ['python3', 'train_tiny.py', '--seed', '{seed}', '--report-steps', '--epoch-seconds', '0.3'], cwd: '.', timeoutSeconds: 120, env: { PYTHONUNBUFFERED: '1' } },
    },
  }));
  procs.push(...(await Promise.all([
    startOrchestrator(w, 'browser-curves-orch'),
    startCompute(w, 'browser-curves-compute', { STEPWISE_COMMANDS_FILE: path.join(dir, 'commands.json') }),
  ])));
  procs.push(await startTestWeb(w, TEST_ENV.webPort));
  ({ service, db, close } = await connectService(w));
  browser = await launchChromium();
}, 600_000);

afterAll(async () => {
  await browser?.close();
  await close?.();
  for (const p of procs.reverse()) await stopProcess(p);
  if (dir) await fs.rm(dir, { recursive: true, force: true });
});

describe('learning curves', () => {
  it('the study page draws every curve with the pruned ones apart; a pruned trial\'s drawer shows its curve', async () => {
    const study = await service.launchStudy({
      source: 'client',
      config: {
        name: 'browser asha', kind: 'random', seed: 3,
        objective: { type: 'command', program: 'train-tiny-steps', metric: 'val_loss', direction: 'minimize' },
        space: [{ type: 'float', name: 'lr', low: 0.0005, high: 5, log: true }, { type: 'categorical', name: 'epochs', choices: [27] }],
        budget: { trials: 9, parallel: 3 },
        pruner: { type: 'asha' },
      },
    });
    const done = await waitForStatus(service, study.id, ['completed', 'failed', 'cancelled'], 300_000);
    expect(done.status).toBe('completed');
    const pruned = await db.trial.findMany({ where: { studyId: study.id, status: 'pruned' }, select: { number: true } });
    expect(pruned.length).toBeGreaterThan(0);

    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    await page.goto(`${base}/studies/${study.id}`);
    const chart = page.getByTestId('learning-curves').getByTestId('curves-chart');
    await expect.poll(async () => chart.getAttribute('data-curves'), { timeout: 30_000 }).toBe('9');
    expect(await chart.getAttribute('data-pruned')).toBe(String(pruned.length));
    expect(await page.getByTestId('learning-curves').textContent()).toContain(`${pruned.length} pruned`);

    // The status filter shows the pruned trials only, each with its badge.
    await page.getByTestId('trial-status-filter').selectOption('pruned');
    const rows = page.getByTestId('trial-table').getByTestId('trial-row');
    await expect.poll(async () => rows.count(), { timeout: 30_000 }).toBe(pruned.length);
    expect(new Set(await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-status'))))).toEqual(new Set(['pruned']));

    await rows.first().click();
    const drawer = page.getByTestId('trial-drawer');
    await drawer.waitFor();
    await expect.poll(async () => drawer.getByTestId('curves-chart').getAttribute('data-curves'), { timeout: 30_000 }).toBe('1');
    expect(await drawer.getByTestId('curves-chart').getAttribute('data-pruned')).toBe('1');
    expect(await drawer.locator('.badge-pruned').count()).toBeGreaterThan(0);
    await page.close();
  });
});
