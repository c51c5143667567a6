import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from '@temporalio/client';
import type { StepwiseService } from '@stepwise/service';
import type { Db } from '@stepwise/db';
import { waitFor, type ManagedProcess } from '../infra/stack/processes';
import { connectService, waitForStatus } from './support/service';
import { kill9, startCompute, startOrchestrator, startProposals, stopProcess, testWorkerEnv } from './support/workers';

/**
 * `s3` studies end to end on gmm-2d through Temporal, Postgres, a proposals worker and a compute
 * worker: the searched schedule must beat the best tuned baseline on fresh holdout seeds with a
 * paired interval that excludes zero; a SIGKILL of the orchestrator and of the compute worker in
 * the middle of a stage loses and repeats no recorded evaluation; a pause holds across a stage
 * boundary (the workflow continues as new after every stage).
 */

const w = testWorkerEnv('s3');
const live = new Map<string, ManagedProcess>();
let service: StepwiseService;
let db: Db;
let temporal: Client;
let close: () => Promise<void>;

const start = async (name: string, fn: (w: ReturnType<typeof testWorkerEnv>, name: string) => Promise<ManagedProcess>) => live.set(name, await fn(w, name));

beforeAll(async () => {
  await Promise.all([start('s3-orch-a', startOrchestrator), start('s3-compute-a', startCompute), start('s3-proposals', startProposals)]);
  ({ service, db, temporal, close } = await connectService(w));
});

afterAll(async () => {
  await Promise.all([...live.values()].map((p) => stopProcess(p)));
  await close?.();
});

const s3Config = (name: string, seed: number) => ({
  name, kind: 's3', seed,
  objective: { type: 'sampler', model: 'gmm-2d', metric: 'rmse' },
  budget: { trials: 96, parallel: 4 },
  s3: {
    nfe: [4], stageSize: 24, searchSamples: 256, selectionSamples: 512, holdoutSamples: 2048, finalists: 2, populationSize: 600,
    baselinePresets: ['ddim', 'dpmpp-2m', 'dpmpp-3m', 'unipc-bh2'],
  },
});

interface Report {
  nfe: number; seeds: number; improvement: { value: number; ciLow: number; ciHigh: number }; baseline: { label: string; holdout: number }; searched: { holdout: number };
  ablation?: { evaluations: number; predictorGain: { value: number; ciLow: number; ciHigh: number } } | null;
}

async function s3State(studyId: string): Promise<{ report?: Report[]; stages?: Array<{ stage: number; nfe: number; predictor: unknown }> }> {
  const row = await db.study.findUniqueOrThrow({ where: { id: studyId }, select: { strategyState: true } });
  return ((row.strategyState as Record<string, unknown> | null)?.s3 ?? {}) as never;
}

/** Every recorded block's evaluation completed exactly once in Temporal, over all runs of the study. */
async function expectNoRepeatedEvaluation(studyId: string): Promise<void> {
  const { workflowId } = await db.study.findUniqueOrThrow({ where: { id: studyId }, select: { workflowId: true } });
  if (!workflowId) throw new Error(`study ${studyId} has no workflow id`);
  let completed = 0;
  let runId: string | undefined;
  const seen = new Set<string>();
  // Walk the continue-as-new chain backwards from the latest run.
  for (let handle = temporal.workflow.getHandle(workflowId); ;) {
    const desc = await handle.describe();
    if (seen.has(desc.runId)) break;
    seen.add(desc.runId);
    const history = await handle.fetchHistory();
    const scheduled = new Map<string, string>();
    for (const e of history.events ?? []) {
      if (e.activityTaskScheduledEventAttributes) scheduled.set(String(e.eventId), e.activityTaskScheduledEventAttributes.activityType?.name ?? '');
      if (e.activityTaskCompletedEventAttributes && scheduled.get(String(e.activityTaskCompletedEventAttributes.scheduledEventId)) === 'evaluateSamplerBlock') completed++;
    }
    const first = history.events?.[0]?.workflowExecutionStartedEventAttributes;
    runId = first?.continuedExecutionRunId ?? undefined;
    if (!runId) break;
    handle = temporal.workflow.getHandle(workflowId, runId);
  }
  const blocks = await db.trialBlock.count({ where: { trial: { studyId } } });
  expect(completed).toBe(blocks);
}

describe('s3 studies', () => {
  it('find a schedule that beats the best tuned baseline on holdout seeds (paired interval above zero)', async () => {
    // With the ablation arm: the same search without its predictor, sharing the baselines.
    const base = s3Config('s3 gmm-2d', 3);
    const study = await service.launchStudy({ source: 'client', config: { ...base, s3: { ...base.s3, ablation: true } } });
    const done = await waitForStatus(service, study.id, ['completed', 'failed', 'cancelled'], 900_000);
    expect(done.status, done.error ?? '').toBe('completed');
    const trials = await db.trial.findMany({ where: { studyId: study.id }, select: { number: true, status: true, params: true } });
    expect(new Set(trials.map((t) => t.number)).size).toBe(trials.length);
    expect(trials.every((t) => t.status === 'completed')).toBe(true);
    const roles = (r: string) => trials.filter((t) => (t.params as { role: string }).role === r).length;
    const arm = (r: string, a: string) => trials.filter((t) => (t.params as { role: string; arm?: string }).role === r && ((t.params as { arm?: string }).arm ?? 'predictor') === a).length;
    expect([arm('search', 'predictor'), arm('search', 'off')]).toEqual([96, 96]);
    expect(roles('baseline')).toBeGreaterThan(20);
    // The baseline is certified once, each arm's winner once.
    expect([arm('holdout', 'predictor'), arm('holdout', 'off')]).toEqual([2, 1]);
    const { report, stages } = await s3State(study.id);
    expect(report).toHaveLength(1);
    const r = report![0];
    console.log('s3 gmm-2d NFE 4', JSON.stringify(r));
    expect(r.seeds).toBe(2048);
    expect(r.searched.holdout).toBeLessThan(r.baseline.holdout);
    expect(r.improvement.ciLow).toBeGreaterThan(0);
    // The ablation is certified on the same holdout seeds: its own improvement and the predictor's gain over it.
    expect(r.ablation).toMatchObject({ evaluations: 96 });
    expect(Number.isFinite(r.ablation!.predictorGain.value)).toBe(true);
    expect(r.ablation!.predictorGain.ciLow).toBeLessThan(r.ablation!.predictorGain.ciHigh);
    // One record per search stage (96 / 24 = 4) and arm, plus the baseline line.
    expect(stages!.filter((s) => s.stage >= 0)).toHaveLength(8);
    await expectNoRepeatedEvaluation(study.id);

    // The dashboard's view of it (studies.s3): standing per group, stages, report and the winner's schedule.
    const view = await service.getS3Study({ studyId: study.id.slice(0, 8) });
    expect(view.model?.dim).toBe(2);
    expect(view.groups).toEqual([expect.objectContaining({ nfe: 4, search: expect.objectContaining({ total: 96, completed: 96 }), searchOff: expect.objectContaining({ total: 96 }), holdout: { total: 2, completed: 2 } })]);
    expect(view.groups[0].search.best!.value).toBeLessThan(view.groups[0].baselines.best!.value);
    expect(view.report?.[0].improvement.value).toBeCloseTo(r.improvement.value, 12);
    expect(view.winners[0].nfe).toBe(4);
    expect((view.winners[0].searched as { steps: unknown[] }).steps.length).toBeGreaterThan(0);
    // The winner is reusable: a compute worker samples with it through the API (stepwise sample --schedule).
    const grid = await service.renderSamples({ model: 'gmm-2d', preset: 'ddim', nfe: 1, count: 64, seed: 0, schedule: view.winners[0].searched });
    expect(grid.nfe).toBe(4);
    expect(grid.dataUrl).toMatch(/^data:image\/png;base64,/);
    await expect(service.getS3Study({ studyId: (await service.launchStudy({ source: 'client', config: { name: 'not s3', kind: 'random', objective: { type: 'function', function: 'branin' }, budget: { trials: 2 } } })).id })).rejects.toThrow(/this view is for kind "s3"/);
  });

  it('takes dc-solver and dpm-solver-v3 as baselines: evaluated through their own solvers on the same seeds, selectable and certified, never search parents', async () => {
    const base = s3Config('s3 dc baseline', 6);
    const study = await service.launchStudy({
      source: 'client',
      config: { ...base, budget: { trials: 8, parallel: 4 }, s3: { ...base.s3, stageSize: 8, searchSamples: 64, selectionSamples: 128, holdoutSamples: 256, finalists: 1, baselinePresets: ['ddim', 'dc-solver', 'dpm-solver-v3'] } },
    });
    const done = await waitForStatus(service, study.id, ['completed', 'failed', 'cancelled'], 900_000);
    expect(done.status, done.error ?? '').toBe('completed');
    const trials = await db.trial.findMany({ where: { studyId: study.id }, select: { number: true, status: true, params: true, proposal: true, costNfe: true } });
    type P = { role: string; preset?: string; spacing?: string; schedule?: unknown; nfe: number; label?: string };
    const p = (t: { params: unknown }) => t.params as P;
    const dc = trials.filter((t) => p(t).role === 'baseline' && p(t).preset === 'dc-solver');
    const usf = trials.filter((t) => p(t).role === 'baseline' && p(t).preset === undefined);
    // One per spacing family, each evaluated at the group's NFE by the DC-Solver path (no schedule).
    expect(dc).toHaveLength(6);
    expect(dc.every((t) => t.status === 'completed' && t.costNfe === 4 && p(t).schedule === undefined && p(t).nfe === 4)).toBe(true);
    // The same for DPM-Solver-v3, with statistics the compute worker computed from gmm-2d itself:
    // one per spacing family whose four timesteps fall on distinct points of the EMS grid
    // (s3PresetBaselines leaves out the others, which v3 would refuse; baselines.test.ts).
    const v3 = trials.filter((t) => p(t).role === 'baseline' && p(t).preset === 'dpm-solver-v3');
    expect(v3.length).toBeGreaterThan(1);
    expect(v3.every((t) => t.status === 'completed' && t.costNfe === 4 && p(t).schedule === undefined && p(t).nfe === 4)).toBe(true);
    expect(new Set(v3.map((t) => p(t).label)).size).toBe(v3.length);
    expect(usf.length).toBeGreaterThan(0);
    // The search's proposals saw the USF baselines only.
    const search = trials.filter((t) => p(t).role === 'search');
    expect(search).toHaveLength(8);
    expect(search.every((t) => (t.proposal as { evaluated: number }).evaluated === usf.length)).toBe(true);
    // DC-Solver beats every DDIM and v3 baseline at NFE 4 on gmm-2d (these seeds): it is selected and certified as the baseline.
    const select = trials.filter((t) => p(t).role === 'select' && p(t).preset === 'dc-solver');
    expect(select.length).toBeGreaterThan(0);
    expect(select.every((t) => t.status === 'completed' && p(t).schedule === undefined && typeof p(t).spacing === 'string')).toBe(true);
    const holdout = trials.filter((t) => p(t).role === 'holdout');
    expect(holdout.map((t) => p(t).preset ?? 'schedule').sort()).toEqual(['dc-solver', 'schedule']);
    const { report } = await s3State(study.id);
    expect(report).toHaveLength(1);
    expect(report![0].baseline.label).toMatch(/^dc-solver · /);
    expect(report![0].seeds).toBe(256);
    expect(Number.isFinite(report![0].baseline.holdout)).toBe(true);
    // The view: no schedule for that baseline, its solver settings instead (an evaluate candidate as it stands).
    const view = await service.getS3Study({ studyId: study.id });
    expect(view.winners[0].baseline).toBeNull();
    expect(view.winners[0].baselinePreset).toMatchObject({ preset: 'dc-solver', nfe: 4, spacing: p(holdout.find((t) => p(t).preset)!).spacing });
    expect((view.winners[0].searched as { steps: unknown[] }).steps.length).toBeGreaterThan(0);
  });

  it('survives SIGKILL of the orchestrator and the compute worker mid-stage, repeating no recorded evaluation', async () => {
    const study = await service.launchStudy({ source: 'client', config: s3Config('s3 crash', 4) });
    const searchTrials = () => db.trial.count({ where: { studyId: study.id, params: { path: ['role'], equals: 'search' }, status: 'completed' } });
    await waitFor('search stage 1 under way', async () => (await searchTrials()) >= 30, 600_000, 100);
    await kill9(live.get('s3-orch-a')!);
    await kill9(live.get('s3-compute-a')!);
    live.delete('s3-orch-a');
    live.delete('s3-compute-a');
    await Promise.all([start('s3-orch-b', startOrchestrator), start('s3-compute-b', startCompute)]);
    const done = await waitForStatus(service, study.id, ['completed', 'failed', 'cancelled'], 900_000);
    expect(done.status, done.error ?? '').toBe('completed');
    const trials = await db.trial.findMany({ where: { studyId: study.id }, select: { status: true } });
    expect(trials.every((t) => t.status === 'completed')).toBe(true);
    expect((await s3State(study.id)).report).toHaveLength(1);
    await expectNoRepeatedEvaluation(study.id);
  });

  it('holds a pause across a stage boundary and resumes to completion', async () => {
    // A stage as large as the parallel slots: a pause during stage 0 always finds the whole stage
    // in flight, so the stage ends (and the run continues as new) while the study is paused.
    const base = s3Config('s3 pause', 5);
    const study = await service.launchStudy({ source: 'client', config: { ...base, budget: { trials: 16, parallel: 4 }, s3: { ...base.s3, stageSize: 4 } } });
    const count = () => db.trial.count({ where: { studyId: study.id } });
    const search = () => db.trial.count({ where: { studyId: study.id, params: { path: ['role'], equals: 'search' } } });
    // Once a search evaluation has finished, the rest of its stage is already dispatched: a pause
    // now lets that stage end (and the run continue as new) while paused, or, if the next stage's
    // proposal is already out, stops its evaluations at the gate. Either way nothing new runs.
    const searchDone = () => db.trial.count({ where: { studyId: study.id, params: { path: ['role'], equals: 'search' }, status: 'completed' } });
    await waitFor('a finished search evaluation', async () => (await searchDone()) >= 1, 600_000, 50);
    await service.pauseStudy(study.id);
    await waitForStatus(service, study.id, ['paused']);
    const evaluated = async () => (await db.trial.count({ where: { studyId: study.id, status: { not: 'running' } } }));
    let last = -1;
    await waitFor('in-flight evaluations to finish', async () => {
      const now = await evaluated();
      const settled = now === last;
      last = now;
      return settled;
    }, 300_000, 2000);
    const held = await evaluated();
    const runsBefore = await runCount(study.id);
    await new Promise((r) => setTimeout(r, 4000));
    expect(await evaluated()).toBe(held);
    expect((await search()) % 4).toBe(0);
    expect((await service.getStudy(study.id)).status).toBe('paused');
    await service.resumeStudy(study.id);
    const done = await waitForStatus(service, study.id, ['completed', 'failed', 'cancelled'], 900_000);
    expect(done.status, done.error ?? '').toBe('completed');
    expect(await count()).toBeGreaterThan(held);
    expect(await runCount(study.id)).toBeGreaterThan(runsBefore);
  });
});

/** Runs of the study's workflow so far (continue-as-new chain length). */
async function runCount(studyId: string): Promise<number> {
  const row = await db.study.findUniqueOrThrow({ where: { id: studyId }, select: { workflowId: true } });
  let n = 0;
  for await (const _ of temporal.workflow.list({ query: `WorkflowId = '${row.workflowId}'` })) n++;
  return n;
}
