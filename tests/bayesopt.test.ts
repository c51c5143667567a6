import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_FUNCTIONS } from '@stepwise/core';
import type { StepwiseService } from '@stepwise/service';
import type { Db } from '@stepwise/db';
import { waitFor, type ManagedProcess } from '../infra/stack/processes';
import { connectService, waitForStatus } from './support/service';
import { kill9, startCompute, startOrchestrator, startProposals, stopProcess, testWorkerEnv } from './support/workers';

/** `bayesopt` studies end to end: GP proposals on the proposals worker, 4 trials in flight. */
const w = testWorkerEnv('bayesopt');
const live: ManagedProcess[] = [];
let service: StepwiseService;
let db: Db;
let close: () => Promise<void>;

beforeAll(async () => {
  live.push(...(await Promise.all([startOrchestrator(w, 'bo-orch-a'), startCompute(w), startProposals(w, 'bo-proposals-a')])));
  ({ service, db, close } = await connectService(w));
});

afterAll(async () => {
  await Promise.all(live.map((p) => stopProcess(p)));
  await close?.();
});

const branin = (seed: number, trials = 40) => ({
  name: `bo branin ${seed}`, kind: 'bayesopt', objective: { type: 'function', function: 'branin' },
  budget: { trials, parallel: 4 }, seed, bayesopt: { method: 'gp-logei', initialDesign: 10 },
});

async function expectCleanProposals(studyId: string, total: number) {
  const trials = await db.trial.findMany({ where: { studyId }, orderBy: { number: 'asc' } });
  expect(trials.map((t) => t.number)).toEqual(Array.from({ length: total }, (_, i) => i));
  expect(new Set(trials.map((t) => JSON.stringify(t.params))).size).toBe(total);
  expect(trials.every((t) => t.status === 'completed')).toBe(true);
  const kinds = trials.map((t) => (t.proposal as { kind: string } | null)?.kind);
  expect(kinds.slice(0, 10).every((k) => k === 'initial')).toBe(true);
  expect(kinds.slice(10).every((k) => k === 'acquisition')).toBe(true);
  return trials;
}

describe('bayesopt studies', () => {
  it('reach regret < 0.05 on Branin within 40 trials with 4 in flight in at least 9 of 10 seeds', async () => {
    const studies = await Promise.all(Array.from({ length: 10 }, (_, seed) => service.launchStudy({ source: 'client', config: branin(seed) })));
    const regrets: number[] = [];
    for (const s of studies) {
      const done = await waitForStatus(service, s.id, ['completed', 'failed', 'cancelled'], 600_000);
      expect(done.status).toBe('completed');
      await expectCleanProposals(s.id, 40);
      regrets.push(done.bestValue! - TEST_FUNCTIONS.branin.optimum(2));
    }
    console.log('bayesopt branin regrets', regrets.map((r) => r.toExponential(2)).join(' '));
    expect(regrets.filter((r) => r < 0.05).length).toBeGreaterThanOrEqual(9);
  });

  it('reproducible mode: two runs of the same config propose the same points, 4 in flight', async () => {
    const config = { ...branin(17, 24), name: 'bo reproducible', bayesopt: { method: 'gp-logei', initialDesign: 8, reproducible: true } };
    const [a, b] = await Promise.all([service.launchStudy({ source: 'client', config }), service.launchStudy({ source: 'client', config })]);
    for (const s of [a, b]) expect((await waitForStatus(service, s.id, ['completed', 'failed', 'cancelled'], 600_000)).status).toBe('completed');
    const points = async (id: string) => (await db.trial.findMany({ where: { studyId: id }, orderBy: { number: 'asc' }, select: { params: true, value: true } })).map((t) => JSON.stringify(t));
    const [pa, pb] = await Promise.all([points(a.id), points(b.id)]);
    expect(pa).toHaveLength(24);
    expect(new Set(pa).size).toBe(24);
    expect(pb).toEqual(pa);
  });

  it('stops early at a target value', async () => {
    const s = await service.launchStudy({ source: 'client', config: { ...branin(3, 200), budget: { trials: 200, parallel: 4, targetValue: 0.5 } } });
    const done = await waitForStatus(service, s.id, ['completed', 'failed', 'cancelled'], 600_000);
    expect(done.status).toBe('completed');
    expect(done.bestValue!).toBeLessThanOrEqual(0.5);
    expect(await db.trial.count({ where: { studyId: s.id } })).toBeLessThan(200);
  });

  it('resumes after SIGKILL of the orchestrator with no lost or repeated proposal', async () => {
    const s = await service.launchStudy({ source: 'client', config: branin(21, 36) });
    await waitFor('acquisition proposals before the crash', async () => (await service.getStudy(s.id)).trialsCompleted >= 16, 120_000, 50);
    await kill9(live.shift()!);
    live.push(await startOrchestrator(w, 'bo-orch-b'));
    const done = await waitForStatus(service, s.id, ['completed', 'failed', 'cancelled'], 600_000);
    expect(done.status).toBe('completed');
    await expectCleanProposals(s.id, 36);
  });

  it('survives SIGKILL of a proposals worker while a second one proposes for the same study', async () => {
    live.push(await startProposals(w, 'bo-proposals-b'));
    const s = await service.launchStudy({ source: 'client', config: branin(34, 36) });
    await waitFor('acquisition proposals before the crash', async () => (await service.getStudy(s.id)).trialsCompleted >= 14, 120_000, 50);
    const victim = live.findIndex((p) => p.name === 'bo-proposals-a');
    await kill9(live.splice(victim, 1)[0]);
    const done = await waitForStatus(service, s.id, ['completed', 'failed', 'cancelled'], 600_000);
    expect(done.status).toBe('completed');
    await expectCleanProposals(s.id, 36);
  });
});
