import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getTestFunction, gridSize, effectiveSpace, ZStudyConfig } from '@stepwise/core';
import { ValidationError, type StepwiseService } from '@stepwise/service';
import { createStudy, type Db } from '@stepwise/db';
import { waitFor } from '../infra/stack/processes';
import { connectService, waitForStatus } from './support/service';
import { startCompute, startOrchestrator, stopProcess, testWorkerEnv } from './support/workers';
import type { ManagedProcess } from '../infra/stack/processes';

const w = testWorkerEnv('studies');
let procs: ManagedProcess[] = [];
let service: StepwiseService;
let db: Db;
let close: () => Promise<void>;

beforeAll(async () => {
  procs = await Promise.all([startOrchestrator(w, 'orchestrator', { STEPWISE_RECONCILE_SECONDS: '1' }), startCompute(w)]);
  ({ service, db, close } = await connectService(w));
});

afterAll(async () => {
  await Promise.all(procs.map((p) => stopProcess(p)));
  await close?.();
});

describe('random and grid studies through Temporal and Postgres', () => {
  it('a 50-trial random study completes with exactly 50 trial rows and the right best value', async () => {
    const launched = await service.launchStudy({
      source: 'client',
      config: { name: 'random-50', kind: 'random', objective: { type: 'function', function: 'branin' }, budget: { trials: 50, parallel: 8 }, seed: 11 },
    });
    const done = await waitForStatus(service, launched.id, ['completed', 'failed', 'cancelled']);
    expect(done.status).toBe('completed');
    const trials = await db.trial.findMany({ where: { studyId: launched.id } });
    expect(trials).toHaveLength(50);
    expect(new Set(trials.map((t) => t.number))).toEqual(new Set(Array.from({ length: 50 }, (_, i) => i)));
    expect(trials.every((t) => t.status === 'completed')).toBe(true);
    // Values really are Branin at the recorded parameters, and the study's best is their minimum.
    const branin = getTestFunction('branin');
    for (const t of trials) {
      const p = t.params as { x1: number; x2: number };
      expect(t.value).toBeCloseTo(branin.evaluate([p.x1, p.x2]), 10);
    }
    const min = Math.min(...trials.map((t) => t.value!));
    expect(done.bestValue).toBe(min);
    expect(done.trialsCompleted).toBe(50);
    const detail = await service.getStudy(launched.id);
    expect(detail.bestSoFar.at(-1)?.best).toBe(min);
  });

  it('a grid study covers its grid exactly', async () => {
    const config = {
      name: 'grid-ackley', kind: 'grid', objective: { type: 'function', function: 'ackley', dim: 2 },
      space: [
        { type: 'float', name: 'a', low: -2, high: 2, gridPoints: 5 },
        { type: 'int', name: 'b', low: -1, high: 2 },
      ],
      budget: { trials: 1000, parallel: 6 },
    };
    const parsed = ZStudyConfig.parse(config);
    expect(gridSize(effectiveSpace(parsed))).toBe(20);
    const launched = await service.launchStudy({ source: 'client', config });
    expect(launched.trialsTotal).toBe(20);
    const done = await waitForStatus(service, launched.id, ['completed', 'failed', 'cancelled']);
    expect(done.status).toBe('completed');
    const trials = await db.trial.findMany({ where: { studyId: launched.id } });
    const points = new Set(trials.map((t) => JSON.stringify([(t.params as { a: number }).a, (t.params as { b: number }).b])));
    const expected = new Set<string>();
    for (const a of [-2, -1, 0, 1, 2]) for (const b of [-1, 0, 1, 2]) expected.add(JSON.stringify([a, b]));
    expect(trials).toHaveLength(20);
    expect(points).toEqual(expected);
    expect(done.bestValue).toBeCloseTo(0, 12); // Ackley's minimum at the origin is on the grid
  });

  it('an invalid config is rejected with field-level messages and writes nothing', async () => {
    const before = await db.study.count();
    const attempt = service.launchStudy({
      source: 'client',
      config: { name: '', kind: 'random', objective: { type: 'function', function: 'branin' }, budget: { trials: 0, parallel: 4 } },
    });
    await expect(attempt).rejects.toBeInstanceOf(ValidationError);
    const err = (await attempt.catch((e) => e)) as ValidationError;
    const fields = err.issues.map((i) => i.field);
    expect(fields).toContain('name');
    expect(fields).toContain('budget.trials');
    expect(await db.study.count()).toBe(before);
  });

  it('a study whose launcher died between writing the row and starting the workflow is started by the reconciler, once', async () => {
    // What launchStudy does before it starts the workflow; the process "dies" right here.
    const config = ZStudyConfig.parse({ name: 'orphan', kind: 'random', objective: { type: 'function', function: 'branin' }, budget: { trials: 20, parallel: 4 } });
    const row = await createStudy(db, { config, source: 'client', trialsTotal: 20, workflowId: `study-orphan-${Date.now()}` });
    const done = await waitForStatus(service, row.id, ['completed', 'failed', 'cancelled'], 120_000);
    expect(done.status).toBe('completed');
    expect(await db.trial.count({ where: { studyId: row.id } })).toBe(20);
  });

  it('pause stops dispatching until resume; the study then completes with every trial once', async () => {
    const launched = await service.launchStudy({
      source: 'client',
      config: { name: 'to-pause', kind: 'random', objective: { type: 'function', function: 'levy', dim: 3 }, budget: { trials: 1000, parallel: 8 } },
    });
    await waitFor('some trials', async () => (await service.getStudy(launched.id)).trialsCompleted > 50, 60_000, 50);
    await service.pauseStudy(launched.id);
    await waitForStatus(service, launched.id, ['paused'], 60_000);
    await waitFor('in-flight trials to drain', async () => (await service.getStudy(launched.id)).trialsRunning === 0, 60_000);
    const atPause = await db.trial.count({ where: { studyId: launched.id } });
    await new Promise((r) => setTimeout(r, 1500));
    expect(await db.trial.count({ where: { studyId: launched.id } })).toBe(atPause);
    expect(atPause).toBeLessThan(1000);
    await service.resumeStudy(launched.id);
    const done = await waitForStatus(service, launched.id, ['completed', 'failed', 'cancelled'], 180_000);
    expect(done.status).toBe('completed');
    expect(await db.trial.count({ where: { studyId: launched.id, status: 'completed' } })).toBe(1000);
    await expect(service.pauseStudy(launched.id)).rejects.toThrow(/only a running or paused study/);
  });

  it('cancel mid-study leaves no trial running and the study cancelled', async () => {
    const launched = await service.launchStudy({
      source: 'dashboard',
      config: { name: 'to-cancel', kind: 'random', objective: { type: 'function', function: 'hartmann6' }, budget: { trials: 200_000, parallel: 16 } },
    });
    await waitFor('some trials to finish', async () => (await service.getStudy(launched.id)).trialsCompleted > 50, 60_000);
    await service.cancelStudy(launched.id);
    const done = await waitForStatus(service, launched.id, ['cancelled', 'completed', 'failed']);
    expect(done.status).toBe('cancelled');
    // Late activity results must not resurrect anything: wait a moment and look again.
    await new Promise((r) => setTimeout(r, 2000));
    expect(await db.trial.count({ where: { studyId: launched.id, status: { in: ['running', 'pending'] } } })).toBe(0);
    const counts = await db.trial.groupBy({ by: ['status'], where: { studyId: launched.id }, _count: { _all: true } });
    const total = counts.reduce((n, c) => n + c._count._all, 0);
    const final = await service.getStudy(launched.id);
    expect(final.trialsCompleted + final.trialsFailed + (await db.study.findUniqueOrThrow({ where: { id: launched.id } })).trialsCancelled).toBe(total);
    expect(total).toBeLessThan(200_000);
  });
});
