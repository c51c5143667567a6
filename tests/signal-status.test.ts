import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StepwiseService } from '@stepwise/service';
import type { ManagedProcess } from '../infra/stack/processes';
import { connectService, waitForStatus } from './support/service';
import { startCompute, startOrchestrator, stopProcess, testWorkerEnv } from './support/workers';

/**
 * Issue #13, fault 7: `stepwise pause` / `resume` printed the status from before the signal
 * ("running" right after a pause). The service now answers once the workflow has recorded the
 * status asked for, so the CLI prints what it asked for.
 */
const w = testWorkerEnv('signals');
const live: ManagedProcess[] = [];
let service: StepwiseService;
let close: () => Promise<void>;

beforeAll(async () => {
  live.push(...(await Promise.all([startOrchestrator(w, 'signals-orch'), startCompute(w, 'signals-compute')])));
  ({ service, close } = await connectService(w));
});

afterAll(async () => {
  await Promise.all(live.map((p) => stopProcess(p)));
  await close?.();
});

describe('pause and resume', () => {
  it('answer with the new status', async () => {
    const study = await service.launchStudy({
      source: 'client',
      config: { name: 'signals', kind: 'random', objective: { type: 'function', function: 'branin' }, budget: { trials: 100_000, parallel: 1, batchSize: 1 } },
    });
    await waitForStatus(service, study.id, ['running']);
    expect((await service.pauseStudy(study.id)).status).toBe('paused');
    expect((await service.resumeStudy(study.id.slice(0, 8))).status).toBe('running');
    await service.cancelStudy(study.id);
  });
});
