import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StepwiseService } from '@stepwise/service';
import type { Db } from '@stepwise/db';
import type { Client } from '@temporalio/client';
import { waitFor, type ManagedProcess } from '../infra/stack/processes';
import { connectService, waitForStatus } from './support/service';
import { kill9, startCompute, startOrchestrator, startProposals, stopProcess, testWorkerEnv } from './support/workers';

/**
 * Pruning of training runs (issue #14, item 6), end to end on the real stack: examples/train_tiny.py
 * prints its validation loss after every epoch, the study's ASHA pruner stops the unpromising
 * runs through Temporal cancellation, and the curves are in Postgres.
 */

const EPOCHS = 27;
const w = testWorkerEnv('pruning');
const live: ManagedProcess[] = [];
let service: StepwiseService;
let db: Db;
let temporal: Client;
let close: () => Promise<void>;
let dir: string;

/** Processes running in this test's program folder (read from /proc; nothing is killed). */
async function programsRunning(): Promise<number> {
  let n = 0;
  for (const pid of await fs.readdir('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    if ((await fs.readlink(`/proc/${pid}/cwd`).catch(() => '')) === dir) n++;
  }
  return n;
}

beforeAll(async () => {
  // A private copy, so that a process check finds only this test's programs.
  dir = await fs.realpath(await fs.mkdtemp(path.join(os.tmpdir(), 'stepwise-pruning-')));
  await fs.copyFile('examples/train_tiny.py', path.join(dir, 'train_tiny.py'));
  const commands = {
    programs: {
      'train-tiny-steps': {
        argv: ['python3', 'train_tiny.py', '--seed', '{seed}', '--report-steps', '--epoch-seconds', '0.4'],
        cwd: '.', timeoutSeconds: 120, env: { PYTHONUNBUFFERED: '1', PYTHONDONTWRITEBYTECODE: '1' },
      },
      // Short runs for a study long enough to continue as new.
      'train-tiny-fast': {
        argv: ['python3', 'train_tiny.py', '--seed', '{seed}', '--report-steps', '--epoch-seconds', '0.05'],
        cwd: '.', timeoutSeconds: 120, env: { PYTHONUNBUFFERED: '1', PYTHONDONTWRITEBYTECODE: '1' },
      },
    },
  };
  await fs.writeFile(path.join(dir, 'commands.json'), JSON.stringify(commands));
  live.push(...(await Promise.all([startOrchestrator(w, 'pruning-orchestrator'), startProposals(w, 'pruning-proposals')])));
  ({ service, db, temporal, close } = await connectService(w));
});

afterAll(async () => {
  await Promise.all(live.map((p) => stopProcess(p)));
  await close?.();
  if (dir) await fs.rm(dir, { recursive: true, force: true });
});

const config = (name: string, seed: number) => ({
  name, kind: 'random' as const, seed,
  objective: { type: 'command' as const, program: 'train-tiny-steps', metric: 'val_loss', direction: 'minimize' as const },
  // Learning rates from far too small to far too large: some runs are clearly worse early on.
  space: [
    { type: 'float' as const, name: 'lr', low: 0.0005, high: 5, log: true },
    { type: 'categorical' as const, name: 'epochs', choices: [EPOCHS] },
  ],
  budget: { trials: 9, parallel: 3 },
  pruner: { type: 'asha' as const, minResource: 1, reductionFactor: 3 },
});

/** The checks both studies pass: every trial ended, curves one value per step, pruned ones stopped early. */
async function expectPrunedStudy(studyId: string) {
  const done = await waitForStatus(service, studyId, ['completed', 'failed', 'cancelled'], 400_000);
  expect(done.status).toBe('completed');
  const trials = await db.trial.findMany({ where: { studyId }, orderBy: { number: 'asc' }, include: { intermediates: { orderBy: { step: 'asc' } } } });
  expect(trials).toHaveLength(9);
  // No trial left running; each one either ran to the end or was pruned.
  expect(trials.filter((t) => t.status !== 'completed' && t.status !== 'pruned').map((t) => `${t.number}: ${t.status} ${t.error}`)).toEqual([]);
  const pruned = trials.filter((t) => t.status === 'pruned');
  const completed = trials.filter((t) => t.status === 'completed');
  expect(pruned.length).toBeGreaterThan(0);
  expect(completed.length).toBeGreaterThan(0);
  expect(done.trialsPruned).toBe(pruned.length);
  expect(done.trialsCompleted).toBe(completed.length);
  for (const t of completed) {
    // Every epoch once, and the last one is the final value the program printed.
    expect(t.intermediates.map((p) => p.step)).toEqual(Array.from({ length: EPOCHS }, (_, i) => i + 1));
    expect(t.intermediates.at(-1)!.value).toBeCloseTo(t.value!, 5);
  }
  for (const t of pruned) {
    // Stopped before the end (the program was killed), recorded with its last intermediate value.
    expect(t.intermediates.length).toBeGreaterThan(0);
    const steps = t.intermediates.map((p) => p.step);
    expect(steps).toEqual(Array.from({ length: steps.length }, (_, i) => i + 1));
    expect(steps.at(-1)!).toBeLessThan(EPOCHS);
    expect(t.value).toBe(t.intermediates.at(-1)!.value);
    // The curve ends at the step the pruner stopped it at (later output is not kept).
    expect(t.error).toMatch(new RegExp(`^pruned at step ${steps.at(-1)}: `));
    expect(t.error).toMatch(/^pruned at step \d+: asha: at rung (1|3|9) value .* outside the best/);
  }
  // The best trial is a completed one (a pruned trial's value is not a result).
  expect(completed.map((t) => t.number)).toContain(done.bestTrialNumber);
  // The killed programs are gone, not running on in the background.
  expect(await programsRunning()).toBe(0);
  return { pruned, completed };
}

describe('pruning', () => {
  it('an ASHA study over train_tiny.py prunes the unpromising runs through Temporal and stores every curve', async () => {
    const compute = await startCompute(w, 'pruning-compute', { STEPWISE_COMMANDS_FILE: path.join(dir, 'commands.json') });
    live.push(compute);
    const study = await service.launchStudy({ source: 'client', config: config('asha train-tiny', 3) });
    const { pruned } = await expectPrunedStudy(study.id);
    // The dashboard's curves: every trial's, thinned on the server to about maxPoints, ends kept.
    const trials = await db.trial.findMany({ where: { studyId: study.id }, orderBy: { number: 'asc' }, include: { intermediates: { orderBy: { step: 'asc' } } } });
    const thin = await service.getTrialCurves({ studyId: study.id, maxPoints: 5, maxTrials: 100 });
    expect(thin.truncated).toBe(false);
    expect(thin.curves.map((c) => [c.number, c.status, c.reported])).toEqual(trials.map((t) => [t.number, t.status, t.intermediates.length]));
    for (const c of thin.curves) {
      const stored = trials.find((t) => t.number === c.number)!.intermediates.map((p) => ({ step: p.step, value: p.value }));
      expect(c.points.length).toBeLessThanOrEqual(6);
      expect(c.points[0]).toEqual(stored[0]);
      expect(c.points.at(-1)).toEqual(stored.at(-1));
    }
    const one = await service.getTrialCurves({ studyId: study.id, number: pruned[0].number, maxPoints: 500, maxTrials: 1 });
    expect(one.curves.map((c) => c.points)).toEqual([pruned[0].intermediates.map((p) => ({ step: p.step, value: p.value }))]);
    expect((await service.getTrialCurves({ studyId: study.id, maxPoints: 5, maxTrials: 2 })).truncated).toBe(true);
  });

  it('a compute worker SIGKILLed mid-trial: the retried trials report from step 0 again, stored once per step, nothing left running', async () => {
    const first = live.pop()!;
    const study = await service.launchStudy({ source: 'client', config: config('asha train-tiny crash', 4) });
    // Kill while trials are mid-curve (some steps recorded, not yet finished).
    await waitFor('intermediate values before the crash', async () => (await db.trialIntermediate.count({ where: { studyId: study.id } })) >= 4, 120_000, 100);
    await kill9(first);
    // The dead worker's programs are its process group's children: gone with it or killed by its timeout; a replacement takes over.
    live.push(await startCompute(w, 'pruning-compute-b', { STEPWISE_COMMANDS_FILE: path.join(dir, 'commands.json') }));
    const { completed } = await expectPrunedStudy(study.id);
    // The replacement ran the retried attempts.
    expect(completed.some((t) => t.worker === 'pruning-compute-b')).toBe(true);
  });

  it('a study past the trials one run takes continues as new without losing or repeating a point', async () => {
    const study = await service.launchStudy({
      source: 'client',
      config: {
        ...config('asha train-tiny long', 5), objective: { type: 'command', program: 'train-tiny-fast', metric: 'val_loss', direction: 'minimize' },
        space: [{ type: 'float', name: 'lr', low: 0.0005, high: 5, log: true }, { type: 'categorical', name: 'epochs', choices: [9] }],
        budget: { trials: 40, parallel: 4 },
      },
    });
    const done = await waitForStatus(service, study.id, ['completed', 'failed', 'cancelled'], 400_000);
    expect(done.status).toBe('completed');
    const trials = await db.trial.findMany({ where: { studyId: study.id }, orderBy: { number: 'asc' }, include: { intermediates: { orderBy: { step: 'asc' } } } });
    expect(trials.map((t) => t.number)).toEqual(Array.from({ length: 40 }, (_, i) => i));
    for (const t of trials) {
      expect(['completed', 'pruned'], `trial ${t.number}: ${t.status} ${t.error}`).toContain(t.status);
      const got = t.intermediates.map((p) => p.step);
      expect(got, `trial ${t.number}`).toEqual(t.status === 'completed' ? [1, 2, 3, 4, 5, 6, 7, 8, 9] : Array.from({ length: got.length }, (_, i) => i + 1));
    }
    expect(done.trialsCompleted + done.trialsPruned).toBe(40);
    // More than one run of the workflow: it continued as new (32 trials per run with a pruner).
    const { workflowId } = await service.getStudy(study.id);
    // (Visibility is eventually consistent: wait for the closed runs to be listed.)
    await waitFor('the study workflow\'s runs to be listed', async () => {
      let runs = 0;
      for await (const _ of temporal.workflow.list({ query: `WorkflowId = '${workflowId}'` })) runs++;
      return runs >= 2;
    }, 30_000, 500);
    expect(await programsRunning()).toBe(0);
  });

  it('bayesopt with a pruner proposes from completed and pruned trials alike', async () => {
    const study = await service.launchStudy({
      source: 'client',
      config: {
        ...config('asha train-tiny bo', 6), kind: 'bayesopt', objective: { type: 'command', program: 'train-tiny-fast', metric: 'val_loss', direction: 'minimize' },
        space: [{ type: 'float', name: 'lr', low: 0.0005, high: 5, log: true }, { type: 'categorical', name: 'epochs', choices: [9] }],
        budget: { trials: 12, parallel: 2 }, bayesopt: { method: 'gp-logei', initialDesign: 4 },
      },
    });
    const done = await waitForStatus(service, study.id, ['completed', 'failed', 'cancelled'], 400_000);
    expect(done.status).toBe('completed');
    const trials = await db.trial.findMany({ where: { studyId: study.id }, orderBy: { number: 'asc' } });
    expect(trials).toHaveLength(12);
    expect(trials.every((t) => t.status === 'completed' || t.status === 'pruned')).toBe(true);
    // Past the initial design the GP proposed (from every finished trial, pruned ones included).
    expect(trials.slice(4).every((t) => (t.proposal as { kind?: string } | null)?.kind === 'acquisition')).toBe(true);
  });
});
