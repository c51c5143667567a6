import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StepwiseService } from '@stepwise/service';
import type { Db } from '@stepwise/db';
import type { ManagedProcess } from '../infra/stack/processes';
import { connectService, waitForStatus } from './support/service';
import { startCompute, startOrchestrator, startProposals, stopProcess, testWorkerEnv } from './support/workers';

/** `command` objectives: an allowlisted Python program per trial, params on stdin, metrics on stdout. */
const w = testWorkerEnv('command');
const live: ManagedProcess[] = [];
let service: StepwiseService;
let db: Db;
let close: () => Promise<void>;

beforeAll(async () => {
  live.push(...(await Promise.all([startOrchestrator(w), startProposals(w, 'command-proposals'), startCompute(w, 'command-compute', { STEPWISE_COMMANDS_FILE: 'examples/commands.json' })])));
  ({ service, db, close } = await connectService(w));
});

afterAll(async () => {
  await Promise.all(live.map((p) => stopProcess(p)));
  await close?.();
});

describe('command objective', () => {
  it('a bayesopt study over the example training program completes; a bad parameter fails only its trial, with stderr', async () => {
    const study = await service.launchStudy({
      source: 'client',
      config: {
        name: 'train-tiny bo', kind: 'bayesopt',
        objective: { type: 'command', program: 'train-tiny', metric: 'val_loss', direction: 'minimize' },
        space: [
          { type: 'float', name: 'lr', low: 0.001, high: 1, log: true },
          { type: 'int', name: 'hidden', low: 2, high: 32 },
        ],
        budget: { trials: 8, parallel: 2 },
        bayesopt: { method: 'gp-logei', initialDesign: 4 },
      },
    });
    const done = await waitForStatus(service, study.id, ['completed', 'failed', 'cancelled'], 300_000);
    expect(done.status).toBe('completed');
    const trials = await db.trial.findMany({ where: { studyId: study.id } });
    expect(trials).toHaveLength(8);
    expect(trials.every((t) => t.status === 'completed' && Number.isFinite(t.value))).toBe(true);

    const bad = await service.launchStudy({
      source: 'client',
      config: {
        name: 'train-tiny bad', kind: 'random',
        objective: { type: 'command', program: 'train-tiny', metric: 'val_loss' },
        space: [{ type: 'float', name: 'lr', low: 50, high: 60 }],
        budget: { trials: 2, parallel: 2 },
      },
    });
    const badDone = await waitForStatus(service, bad.id, ['completed', 'failed', 'cancelled'], 300_000);
    // No trial completed: the study has no result, so it ends failed with the first trial's error (issue #13).
    expect(badDone.status).toBe('failed');
    expect(badDone.error).toMatch(/^every trial failed \(2 of 2\); trial \d+: .*lr/s);
    const failed = await db.trial.findMany({ where: { studyId: bad.id } });
    expect(failed.every((t) => t.status === 'failed')).toBe(true);
    expect(failed[0].error).toMatch(/lr/);
  });

  it('a program missing from the allowlist fails its trial and the study (every trial would fail), saying where to add it', async () => {
    const study = await service.launchStudy({
      source: 'client',
      config: {
        name: 'not allowed', kind: 'random', objective: { type: 'command', program: 'rm-rf', metric: 'x' },
        space: [{ type: 'float', name: 'a', low: 0, high: 1 }], budget: { trials: 1, parallel: 1 },
      },
    });
    const done = await waitForStatus(service, study.id, ['completed', 'failed', 'cancelled'], 120_000);
    expect(done.status).toBe('failed');
    expect(done.error).toMatch(/not in this worker's allowlist/);
    const [trial] = await db.trial.findMany({ where: { studyId: study.id } });
    expect(trial.status).toBe('failed');
    expect(trial.error).toMatch(/not in this worker's allowlist/);
  });
});
