import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StepwiseService } from '@stepwise/service';
import type { Db } from '@stepwise/db';
import { waitFor, type ManagedProcess } from '../infra/stack/processes';
import { connectService, waitForStatus } from './support/service';
import { kill9, startCompute, startOrchestrator, stopProcess, testWorkerEnv } from './support/workers';

/**
 * SIGKILL a worker in the middle of a study, start a replacement, and check that the study
 * completes with every trial exactly once: no lost trial, no duplicate, nothing left running.
 */

const w = testWorkerEnv('crash');
const live: ManagedProcess[] = [];
let service: StepwiseService;
let db: Db;
let close: () => Promise<void>;

beforeAll(async () => {
  ({ service, db, close } = await connectService(w));
});

afterAll(async () => {
  await Promise.all(live.map((p) => stopProcess(p)));
  await close?.();
});

async function expectExactlyOnce(studyId: string, total: number): Promise<void> {
  const done = await waitForStatus(service, studyId, ['completed', 'failed', 'cancelled']);
  expect(done.status).toBe('completed');
  const trials = await db.trial.findMany({ where: { studyId }, select: { number: true, status: true } });
  expect(trials).toHaveLength(total);
  expect(new Set(trials.map((t) => t.number)).size).toBe(total);
  expect(trials.every((t) => t.status === 'completed')).toBe(true);
  expect(done.trialsCompleted).toBe(total);
}

const config = (name: string) => ({
  name, kind: 'random', objective: { type: 'function', function: 'levy', dim: 4, noiseStd: 0.1 },
  budget: { trials: 1500, parallel: 8, batchSize: 4 }, seed: 5,
});

describe('crash recovery', () => {
  it('survives SIGKILL of the compute worker', async () => {
    live.push(await startOrchestrator(w, 'orch-a'));
    const computeA = await startCompute(w, 'compute-a');
    const study = await service.launchStudy({ source: 'client', config: config('compute-crash') });
    await waitFor('progress before the crash', async () => (await service.getStudy(study.id)).trialsCompleted >= 200, 60_000, 50);
    await kill9(computeA);
    const atCrash = (await service.getStudy(study.id)).trialsCompleted;
    expect(atCrash).toBeLessThan(1500);
    live.push(await startCompute(w, 'compute-b'));
    await expectExactlyOnce(study.id, 1500);
    // The replacement really did part of the work.
    expect(await db.trial.count({ where: { studyId: study.id, worker: 'compute-b' } })).toBeGreaterThan(0);
  });

  it('survives SIGKILL of the orchestrator worker', async () => {
    const orch = live.shift()!;
    const study = await service.launchStudy({ source: 'client', config: config('orchestrator-crash') });
    await waitFor('progress before the crash', async () => (await service.getStudy(study.id)).trialsCompleted >= 200, 60_000, 50);
    await kill9(orch);
    expect((await service.getStudy(study.id)).trialsCompleted).toBeLessThan(1500);
    live.push(await startOrchestrator(w, 'orch-b'));
    await expectExactlyOnce(study.id, 1500);
  });
});
