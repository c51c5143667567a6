import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from '@temporalio/client';
import type { StepwiseService, StudyDetail } from '@stepwise/service';
import type { Db } from '@stepwise/db';
import { startProcess, waitFor, type ManagedProcess } from '../infra/stack/processes';
import { connectService } from './support/service';
import { kill9, startOrchestrator, stopProcess, testWorkerEnv } from './support/workers';

/**
 * Issue #9: a study whose workflow can no longer make progress must look like a fault and be
 * recoverable. The wedge is real: the orchestrator dies mid-study and a worker with an
 * incompatible `studyWorkflow` (tests/support/wedged-workflows.ts) takes its queue, so every
 * workflow task fails with Temporal's nondeterminism error and a cancel request never lands.
 * No compute worker runs, so the dispatched trials stay RUNNING in Postgres until someone closes them.
 */

const w = testWorkerEnv('faults');
const live: ManagedProcess[] = [];
let service: StepwiseService;
let db: Db;
let temporal: Client;
let close: () => Promise<void>;

beforeAll(async () => {
  ({ service, db, temporal, close } = await connectService(w));
});

afterAll(async () => {
  await Promise.all(live.map((p) => stopProcess(p)));
  await close?.();
});

async function startWedgedWorker(): Promise<ManagedProcess> {
  let output = '';
  const proc = startProcess('wedged-worker', process.execPath, ['--import', 'tsx', 'tests/support/wedged-worker.ts'], {
    env: { TEMPORAL_ADDRESS: w.temporalAddress, STEPWISE_ORCHESTRATOR_QUEUE: w.orchestratorQueue },
    logFile: '.data/test/logs/wedged-worker.log',
  });
  proc.child.stdout?.on('data', (c: Buffer) => (output += c.toString()));
  proc.child.stderr?.on('data', (c: Buffer) => (output += c.toString()));
  let exited = false;
  void proc.exited.then(() => (exited = true));
  await waitFor('the wedged worker to start', async () => {
    if (exited) throw new Error(`wedged worker exited during start-up:\n${output.slice(-3000)}`);
    return /^wedged worker on queue/m.test(output);
  }, 120_000);
  return proc;
}

const config = (name: string) => ({
  name, kind: 'random', objective: { type: 'function', function: 'branin' }, budget: { trials: 40, parallel: 4, batchSize: 2 }, seed: 3,
});

/** Launches a study on a fresh orchestrator and waits until it has trials RUNNING (nobody computes them). */
async function studyWithRunningTrials(name: string): Promise<{ id: string; workflowId: string; orchestrator: ManagedProcess }> {
  const orchestrator = await startOrchestrator(w, `${name}-orch`);
  live.push(orchestrator);
  const study = await service.launchStudy({ source: 'client', config: config(name) });
  await waitFor('trials running', async () => (await service.getStudy(study.id)).trialsRunning >= 2, 60_000);
  const detail = await service.getStudy(study.id);
  expect(detail.status).toBe('running');
  expect(detail.health?.state).toBe('ok');
  return { id: study.id, workflowId: detail.workflowId!, orchestrator };
}

async function expectClosedAndTerminated(id: string, workflowId: string): Promise<void> {
  const row = await db.study.findUniqueOrThrow({ where: { id } });
  expect(row.status).toBe('cancelled');
  expect(row.finishedAt).not.toBeNull();
  expect(await db.trial.count({ where: { studyId: id, status: { in: ['pending', 'running'] } } })).toBe(0);
  expect(await db.trial.count({ where: { studyId: id, status: 'cancelled' } })).toBeGreaterThan(0);
  const d = await temporal.workflow.getHandle(workflowId).describe();
  expect(d.status.name).toBe('TERMINATED');
}

describe('faults are visible and recoverable', () => {
  it('a workflow whose tasks keep failing shows as stalled with the reason, and cancel terminates it and closes its trials', async () => {
    const { id, workflowId, orchestrator } = await studyWithRunningTrials('wedged');
    await kill9(orchestrator);
    live.push(await startWedgedWorker());
    // Any event makes a new workflow task; the incompatible worker fails it on replay, again and again.
    await service.pauseStudy(id);

    let stalled: StudyDetail | null = null;
    await waitFor('the study to show as stalled', async () => {
      const s = await service.getStudy(id);
      if (s.health?.state !== 'stalled') return false;
      stalled = s;
      return true;
    }, 120_000, 500);
    const s = stalled! as StudyDetail;
    expect(s.status).toBe('running'); // the row still says what the workflow last recorded
    expect(s.trialsRunning).toBeGreaterThan(0);
    expect(s.health!.reason).toMatch(/workflow task failing \(attempt \d+\)/);
    expect(s.health!.reason).toMatch(/TMPRL1100|nondetermin/i);
    const listed = (await service.listStudies({ limit: 50 })).items.find((x) => x.id === id);
    expect(listed?.health?.state).toBe('stalled');

    const cancelled = await service.cancelStudy(id);
    expect(cancelled.status).toBe('cancelled');
    await expectClosedAndTerminated(id, workflowId);
    const row = await db.study.findUniqueOrThrow({ where: { id } });
    expect(row.error).toMatch(/terminating the workflow.*stalled/);

    // A second cancel is harmless: same row, no error.
    const again = await service.cancelStudy(id);
    expect(again.status).toBe('cancelled');
    expect(again.finishedAt?.getTime()).toBe(row.finishedAt!.getTime());
    expect((await service.getStudy(id)).health).toBeUndefined();
    await stopProcess(live.pop()!);
  });

  it('cancel with no orchestrator left to deliver it to terminates the workflow after a short wait', async () => {
    const { id, workflowId, orchestrator } = await studyWithRunningTrials('orphaned');
    await kill9(orchestrator);
    const cancelled = await service.cancelStudy(id);
    expect(cancelled.status).toBe('cancelled');
    await expectClosedAndTerminated(id, workflowId);
    const row = await db.study.findUniqueOrThrow({ where: { id } });
    expect(row.error).toMatch(/did not close within \d+ s of the cancel request/);
  });
});
