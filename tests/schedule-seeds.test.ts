import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '@stepwise/db';
import type { StepwiseService } from '@stepwise/service';
import { waitFor, type ManagedProcess } from '../infra/stack/processes';
import { connectService } from './support/service';
import { startCompute, startOrchestrator, stopProcess, testWorkerEnv } from './support/workers';

/**
 * Issue #13, fault 6: scheduled reruns follow the schedule's seed policy instead of repeating the
 * template's seed, and `every N` counts from the schedule's creation, not from the epoch's hour.
 */
const w = testWorkerEnv('seeds');
const live: ManagedProcess[] = [];
let service: StepwiseService;
let db: Db;
let close: () => Promise<void>;

beforeAll(async () => {
  live.push(...(await Promise.all([startOrchestrator(w, 'seeds-orch'), startCompute(w, 'seeds-compute')])));
  ({ service, db, close } = await connectService(w));
});

afterAll(async () => {
  await Promise.all(live.map((p) => stopProcess(p)));
  await close?.();
});

const template = (name: string) => ({ name, kind: 'random', objective: { type: 'function', function: 'branin' }, budget: { trials: 2, parallel: 2 }, seed: 40 });

/** Fires the schedule `runs` times and returns its studies' seeds, oldest first. */
async function seedsOf(scheduleId: string, runs: number): Promise<number[]> {
  for (let i = 0; i < runs; i++) {
    // Temporal names a firing's workflow by the schedule and the second it fired in: a second
    // trigger within the same second would be refused as a duplicate. One firing per second.
    const second = Math.floor(Date.now() / 1000);
    await waitFor('the next second', async () => Math.floor(Date.now() / 1000) > second, 5_000, 50);
    await service.triggerSchedule(scheduleId);
    // One firing at a time: 'increment' counts the studies made before.
    await waitFor(`run ${i + 1} of schedule ${scheduleId}`, async () => (await db.study.count({ where: { scheduleId } })) > i, 120_000, 200);
  }
  const studies = await db.study.findMany({ where: { scheduleId }, orderBy: { createdAt: 'asc' }, select: { config: true } });
  return studies.map((s) => (s.config as { seed: number }).seed);
}

describe('schedule seed policy', () => {
  it('increment (the default): template seed + run number', async () => {
    const s = await service.createSchedule({ name: 'seeds increment', spec: { intervalSeconds: 3600 }, template: template('seeds inc'), paused: true });
    expect(s.spec.seedPolicy).toBe('increment');
    expect(await seedsOf(s.id, 3)).toEqual([40, 41, 42]);
    // The schedules page's study count links to this list: the schedule's studies only (prefix id accepted).
    const page = await service.listStudies({ limit: 10, scheduleId: s.id.slice(0, 8) });
    expect(page.items.map((x) => x.scheduleId)).toEqual([s.id, s.id, s.id]);
    await service.deleteSchedule(s.id);
  });

  it('fixed repeats the template seed; random draws a different one per run', async () => {
    const fixed = await service.createSchedule({ name: 'seeds fixed', spec: { intervalSeconds: 3600, seedPolicy: 'fixed' }, template: template('seeds fixed'), paused: true });
    expect(await seedsOf(fixed.id, 2)).toEqual([40, 40]);
    const random = await service.createSchedule({ name: 'seeds random', spec: { intervalSeconds: 3600, seedPolicy: 'random' }, template: template('seeds random'), paused: true });
    const seeds = await seedsOf(random.id, 2);
    expect(new Set(seeds).size).toBe(2);
    expect(seeds.every((x) => Number.isInteger(x) && x >= 0 && x < 2 ** 31)).toBe(true);
    await Promise.all([service.deleteSchedule(fixed.id), service.deleteSchedule(random.id)]);
  });

  it('refuses an unknown policy, naming the field', async () => {
    await expect(service.createSchedule({ name: 'seeds bad', spec: { intervalSeconds: 60, seedPolicy: 'lucky' as never }, template: template('x') })).rejects.toThrow(/spec\.seedPolicy: must be one of fixed, increment, random/);
  });

  it('an interval counts from creation: the next run is one interval after the schedule was made', async () => {
    const s = await service.createSchedule({ name: 'seeds anchor', spec: { intervalSeconds: 7 * 3600 + 17 }, template: template('seeds anchor') });
    expect(s.nextRunAt).not.toBeNull();
    const gap = (s.nextRunAt!.getTime() - new Date(s.spec.anchoredAt!).getTime()) / 1000;
    // Unanchored, the first run would fall on a multiple of the interval since 1970: anywhere in [0, 25217) s.
    expect(Math.abs(gap - (7 * 3600 + 17))).toBeLessThanOrEqual(2);
    await service.deleteSchedule(s.id);
  });
});
